#pragma once
// The small buggy example the harness tests run: a lost update that shows
// only when the first deposit's simulated remote call is slow (an io_latency
// choice answered 1), i.e. in about half of the random schedules and never in
// asyncio's own order.
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <chrono>

namespace harness_example {

inline simloop::Coro<void> remote_call(simloop::Duration nominal) {
  std::size_t slow = simloop::get_running_loop().decide(2, simloop::ChoicePoint::io_latency);
  co_await simloop::sleep(slow ? 3 * nominal : nominal);
}

// Read, await, write back.
inline simloop::Coro<void> deposit(int& balance) {
  int read = balance;
  co_await remote_call(std::chrono::milliseconds(1));
  balance = read + 1;
}

// Two deposits, the second starting 2 ms later; returns the final balance
// (2 when correct).
inline simloop::Coro<int> two_deposits() {
  int balance = 0;
  auto a = simloop::create_task(deposit(balance), "first");
  auto b = simloop::create_task(
      [&]() -> simloop::Coro<void> {
        co_await simloop::sleep(std::chrono::milliseconds(2));
        co_await deposit(balance);
      },
      "second");
  co_await a;
  co_await b;
  co_return balance;
}

}  // namespace harness_example
