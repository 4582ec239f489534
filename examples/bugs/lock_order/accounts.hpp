#pragma once
// Bug 3, lock-order deadlock: a transfer locks its source account, makes a
// remote call, then locks the destination; two opposite transfers that
// overlap each hold one lock and wait for the other. See README.md.
#include <map>
#include <simloop/lock.hpp>
#include <string>

#include "../gallery.hpp"

namespace bugs::lock_order {

struct Account {
  int balance = 0;
  simloop::Lock lock;
};

using Accounts = std::map<std::string, Account>;
using TransferFn = simloop::Coro<void> (*)(Accounts& accounts, std::string from, std::string to, int amount);

// The test: alice pays bob at 0 ms, bob pays alice at 15 ms; a transfer holds
// its locks across a 10 ms audit call, so at nominal latency the two never
// overlap. Property: both transfers complete (a deadlock is reported by the
// simulator's deadlock diagnostic: nothing ready, no timer, main unfinished)
// and money is conserved.
inline simloop::Coro<void> run_opposite_transfers(TransferFn transfer) {
  using namespace std::chrono_literals;
  namespace sl = simloop;
  Accounts accounts;
  accounts.try_emplace("alice").first->second.balance = 100;
  accounts.try_emplace("bob").first->second.balance = 100;
  auto t1 = sl::create_task(transfer(accounts, "alice", "bob", 30), "alice->bob");
  auto t2 = sl::create_task(
      [&]() -> sl::Coro<void> {
        co_await sl::sleep(15ms);
        co_await transfer(accounts, "bob", "alice", 20);
      },
      "bob->alice");
  co_await t1;
  co_await t2;
  expect(accounts["alice"].balance == 90 && accounts["bob"].balance == 110, "transfers: wrong balances");
}

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::lock_order
