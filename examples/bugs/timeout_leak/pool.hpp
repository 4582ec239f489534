#pragma once
// Bug 4, timeout race: a connection pool hands a released connection straight
// to the oldest waiter; a waiter inside wait_for whose deadline hits at that
// very instant is cancelled after the hand-off and drops the connection.
// See README.md.
#include <fmt/format.h>

#include <deque>
#include <simloop/wait_for.hpp>

#include "../gallery.hpp"

namespace bugs::timeout_leak {

// The test, for either Pool (buggy.cpp / fixed.cpp), with one connection:
// client A holds it for two 50 ms queries; client B asks for it at once with a
// 100 ms timeout — B's deadline and A's release fall on the same instant;
// client C asks at 400 ms, when everyone is long done. At nominal latency B's
// timeout fires first and B leaves the queue before A releases (on a real
// clock too: B's deadline was set 50 ms before A's last query started).
// Property: C gets the connection.
template <class Pool>
simloop::Coro<void> run_clients() {
  using namespace std::chrono_literals;
  namespace sl = simloop;
  Pool pool(1);
  auto a = sl::create_task(
      [&]() -> sl::Coro<void> {
        int conn = co_await pool.acquire();
        co_await remote_call(50ms);
        co_await remote_call(50ms);
        pool.release(conn);
      },
      "client-A");
  auto b = sl::create_task(
      [&]() -> sl::Coro<void> {
        try {
          int conn = co_await sl::wait_for(pool.acquire(), 100ms);
          co_await remote_call(50ms);
          pool.release(conn);
        } catch (const sl::TimeoutError&) {
          // B gives up: its request fails, which is fine.
        }
      },
      "client-B");
  auto c = sl::create_task(
      [&]() -> sl::Coro<void> {
        co_await sl::sleep(400ms);
        try {
          int conn = co_await sl::wait_for(pool.acquire(), 100ms);
          pool.release(conn);
        } catch (const sl::TimeoutError&) {
          throw Violation(
              fmt::format("connection leaked: client C timed out at {} although nobody holds the pool's "
                          "only connection ({} free)",
                          now_ms(), pool.free_count()));
        }
      },
      "client-C");
  co_await a;
  co_await b;
  co_await c;
}

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::timeout_leak
