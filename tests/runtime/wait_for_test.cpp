// wait_for: SEMANTICS.md S57-S61. Every case was also run on CPython 3.11.7
// with the conformance suite's virtual-time loop (tests/conformance/vloop.py,
// 1 tick = 1 s): the result, the end time and the number of callbacks the loop
// ran (`steps`, counted by wrapping asyncio.events.Handle._run) are the values
// CPython gave, so these tests also pin 3.11's callback structure.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
sl::Coro<int> value_after(sl::Duration d, int v) {
  co_await sl::sleep(d);
  co_return v;
}
}  // namespace

TEST_CASE("wait_for: on timeout the inner is cancelled and awaited to its end, then TimeoutError [S57]",
          "[wait_for][S57]") {
  // async def inner():
  //     try: await asyncio.sleep(5)
  //     except asyncio.CancelledError:
  //         log.append("cancelled"); await asyncio.sleep(1); log.append("cleaned up"); raise
  // await asyncio.wait_for(inner(), 2)  -> TimeoutError at t=3 (after the cleanup), 8 steps
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    try {
      co_await sl::wait_for(
          [&]() -> sl::Coro<int> {
            try {
              co_await sl::sleep(5s);
            } catch (const sl::CancelledError&) {
              log.push_back("cancelled");
            }
            co_await sl::sleep(1s);  // cleanup after the cancellation...
            log.push_back("cleaned up");
            throw sl::CancelledError();  // ...then re-raise
          }(),
          2s);
    } catch (const sl::TimeoutError&) {
      log.push_back("timeout");
      co_return "TimeoutError";
    }
    co_return "no timeout";
  });
  CHECK(r.value == "TimeoutError");
  CHECK(log == std::vector<std::string>{"cancelled", "cleaned up", "timeout"});
  CHECK(r.elapsed == 3s);
  CHECK(r.steps == 10);
}

TEST_CASE("wait_for: TimeoutError is a std::runtime_error; the inner task ends cancelled [S57]", "[wait_for][S57]") {
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    auto t = sl::create_task(value_after(10s, 1));
    bool timed_out = false;
    try {
      co_await sl::wait_for(t, 1s);
    } catch (const std::runtime_error&) {  // TimeoutError derives from it (builtin TimeoutError: OSError)
      timed_out = true;
    }
    CHECK(t.cancelled());
    co_return timed_out;
  });
  CHECK(r.value == true);
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 8);
}

TEST_CASE("wait_for: in time, the result is returned and the timer cancelled [S57]", "[wait_for][S57]") {
  auto r = sl::sim::run([&]() -> sl::Coro<int> { co_return co_await sl::wait_for(value_after(1s, 42), 5s); });
  CHECK(r.value == 42);
  CHECK(r.elapsed == 1s);  // the 5 s timer was cancelled: the run does not wait for it
  CHECK(r.steps == 7);
}

TEST_CASE("wait_for: nullopt waits forever and runs a coroutine inline, without a task [S58]", "[wait_for][S58]") {
  // await asyncio.wait_for(c(), None) is `await c()`: current_task() inside is the caller.
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto me = sl::current_task();
    co_return co_await sl::wait_for(
        [&]() -> sl::Coro<int> {
          CHECK(sl::current_task() == me);
          co_await sl::sleep(1000s);
          co_return 5;
        }(),
        std::nullopt);
  });
  CHECK(r.value == 5);
  CHECK(r.elapsed == 1000s);
  CHECK(r.steps == 4);
}

TEST_CASE("wait_for: timeout <= 0 with a done inner returns its result [S58]", "[wait_for][S58]") {
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto t = sl::create_task(value_after(0s, 5));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    REQUIRE(t.done());
    co_return co_await sl::wait_for(t, 0s);
  });
  CHECK(r.value == 5);
  CHECK(r.elapsed == 0s);
  CHECK(r.steps == 6);
}

TEST_CASE("wait_for: timeout <= 0 with a pending inner cancels it, then TimeoutError [S58]", "[wait_for][S58]") {
  // CPython: with a coroutine and timeout 0 the new task is cancelled before
  // its first step, so its body never runs (log stays empty).
  bool body_ran = false;
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    std::string out;
    try {
      co_await sl::wait_for(
          [&]() -> sl::Coro<int> {
            body_ran = true;
            co_return 1;
          }(),
          0s);
    } catch (const sl::TimeoutError&) {
      out += "timeout;";
    }
    auto t = sl::create_task(value_after(1s, 2));
    co_await sl::sleep(0s);
    try {
      co_await sl::wait_for(t, -1s);
    } catch (const sl::TimeoutError&) {
      out += t.cancelled() ? "cancelled" : "not cancelled";
    }
    co_return out;
  });
  CHECK(r.value == "timeout;cancelled");
  CHECK_FALSE(body_ran);
  CHECK(r.elapsed == 0s);
  CHECK(r.steps == 10);
}

TEST_CASE("wait_for: an inner that swallows the cancellation and returns gives that value [S59]",
          "[wait_for][S59]") {
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    co_return co_await sl::wait_for(
        []() -> sl::Coro<int> {
          try {
            co_await sl::sleep(10s);
          } catch (const sl::CancelledError&) {
            co_return 7;
          }
          co_return 0;
        }(),
        1s);
  });
  CHECK(r.value == 7);
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 8);
}

TEST_CASE("wait_for: an inner failing while being cancelled raises that error, not TimeoutError [S59]",
          "[wait_for][S59]") {
  // bpo-40607: `return fut.result()` after _cancel_and_wait re-raises the inner's own error.
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    try {
      co_await sl::wait_for(
          []() -> sl::Coro<int> {
            try {
              co_await sl::sleep(10s);
            } catch (const sl::CancelledError&) {
              throw std::logic_error("cleanup failed");
            }
            co_return 0;
          }(),
          1s);
    } catch (const sl::TimeoutError&) {
      co_return "timeout";
    } catch (const std::logic_error& e) {
      co_return e.what();
    }
    co_return "none";
  });
  CHECK(r.value == "cleanup failed");
}

TEST_CASE("wait_for: a result due at the timeout instant loses for a new task [S60]", "[wait_for][S60]") {
  // The timeout timer is registered before the new task's first step registers its sleep.
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    try {
      int v = co_await sl::wait_for(value_after(1s, 1), 1s);
      co_return "result " + std::to_string(v);
    } catch (const sl::TimeoutError&) {
      co_return "timeout";
    }
  });
  CHECK(r.value == "timeout");
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 9);
}

TEST_CASE("wait_for: a result due at the timeout instant wins for a task already sleeping [S60]",
          "[wait_for][S60]") {
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    auto t = sl::create_task(value_after(1s, 2));
    co_await sl::sleep(0s);  // t's first step registers its 1 s timer first
    try {
      int v = co_await sl::wait_for(t, 1s);
      co_return "result " + std::to_string(v);
    } catch (const sl::TimeoutError&) {
      co_return "timeout";
    }
  });
  CHECK(r.value == "result 2");
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 9);
}

TEST_CASE("wait_for: a Future input; the timeout does not cancel a future that completes in time [S57]",
          "[wait_for][S57]") {
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    sl::Future<int> f;
    sl::get_running_loop().call_later(1s, [f]() mutable { f.set_result(9); });
    co_return co_await sl::wait_for(f, 2s);
  });
  CHECK(r.value == 9);
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 5);
}

TEST_CASE("wait_for: cancelling the awaiting task cancels the inner too [S61]", "[wait_for][S61]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    auto outer = sl::create_task([&]() -> sl::Coro<int> {
      co_return co_await sl::wait_for(
          [&]() -> sl::Coro<int> {
            try {
              co_await sl::sleep(100s);
            } catch (const sl::CancelledError&) {
              log.push_back("inner cancelled");
              throw;
            }
            co_return 1;
          }(),
          10s);
    });
    co_await sl::sleep(1s);
    outer.cancel();
    try {
      co_await outer;
    } catch (const sl::CancelledError&) {
      log.push_back("outer cancelled");
    }
    co_return outer.cancelled();
  });
  CHECK(r.value == true);
  CHECK(log == std::vector<std::string>{"inner cancelled", "outer cancelled"});
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 11);
}

TEST_CASE("wait_for: cancelled while the inner is already done returns its result (3.11) [S61]",
          "[wait_for][S61]") {
  // 3.11's `except CancelledError: if fut.done(): return fut.result()`: the
  // inner and the cancel land in the same iteration; the result wins and the
  // cancellation is swallowed (outer ends with the value, not cancelled).
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    sl::Future<int> inner;
    auto outer = sl::create_task([&]() -> sl::Coro<int> { co_return co_await sl::wait_for(inner, 10s); });
    co_await sl::sleep(0s);  // outer waits on its waiter
    inner.set_result(3);     // schedules the release of outer's waiter...
    outer.cancel();          // ...and cancels that same waiter's await
    int v = co_await outer;
    co_return std::to_string(v) + (outer.cancelled() ? " cancelled" : " done");
  });
  CHECK(r.value == "3 done");
  CHECK(r.steps == 7);
}
