// timeout / timeout_at: SEMANTICS.md S71. Each case was also run on CPython
// 3.11.7 (`async with asyncio.timeout(...)`) with the conformance suite's
// virtual-time loop (tests/conformance/vloop.py, 1 tick = 1 s): results, end
// times and the number of callbacks run (`steps`) are CPython's. The cases
// beyond S71's text (outside cancellation, same-iteration cancel, nesting,
// error messages) were likewise checked by running python3.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

TEST_CASE("timeout: the block exceeding its deadline raises TimeoutError; expired() [S71]", "[timeout][S71]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    sl::Timeout t = sl::timeout(2s);
    try {
      co_await sl::async_with(t, [&]() -> sl::Coro<void> { co_await sl::sleep(10s); });
    } catch (const sl::TimeoutError&) {
      log.push_back(std::string("timeout expired=") + (t.expired() ? "true" : "false"));
    }
    co_return sl::current_task().cancelling();  // the timeout's cancel request was uncancel()ed
  });
  CHECK(r.value == 0);
  CHECK(log == std::vector<std::string>{"timeout expired=true"});
  CHECK(r.elapsed == 2s);
  CHECK(r.steps == 4);
}

TEST_CASE("timeout: a block finishing in time is not expired; the timer is cancelled [S71]", "[timeout][S71]") {
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    bool expired = true;
    int v = co_await sl::async_with(sl::timeout(2s), [&](sl::Timeout& t) -> sl::Coro<int> {
      co_await sl::sleep(1s);
      expired = t.expired();
      co_return 3;
    });
    CHECK(v == 3);
    co_return expired;
  });
  CHECK(r.value == false);
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 4);
}

TEST_CASE("timeout(nullopt) never fires [S71]", "[timeout][S71]") {
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    sl::Timeout t = sl::timeout(std::nullopt);
    CHECK_FALSE(t.when().has_value());
    co_await sl::async_with(t, [&]() -> sl::Coro<void> { co_await sl::sleep(100s); });
    co_return t.expired();
  });
  CHECK(r.value == false);
  CHECK(r.elapsed == 100s);
  CHECK(r.steps == 4);
}

TEST_CASE("timeout: reschedule() moves the deadline [S71]", "[timeout][S71]") {
  auto r = sl::sim::run([&]() -> sl::Coro<double> {
    auto& loop = sl::get_running_loop();
    try {
      co_await sl::async_with(sl::timeout(1s), [&](sl::Timeout& t) -> sl::Coro<void> {
        t.reschedule(loop.time() + 3s);
        CHECK(t.when() == loop.time() + 3s);
        co_await sl::sleep(10s);
      });
    } catch (const sl::TimeoutError&) {
      co_return sl::seconds(loop.time());
    }
    co_return -1.0;
  });
  CHECK(r.value == 3.0);
  CHECK(r.elapsed == 3s);
  CHECK(r.steps == 4);
}

TEST_CASE("timeout: rescheduling into the past fires on the next iteration (call_soon) [S71]",
          "[timeout][S71]") {
  auto r = sl::sim::run([&]() -> sl::Coro<double> {
    auto& loop = sl::get_running_loop();
    try {
      co_await sl::async_with(sl::timeout(5s), [&](sl::Timeout& t) -> sl::Coro<void> {
        co_await sl::sleep(1s);
        t.reschedule(loop.time() - 1s);
        co_await sl::sleep(10s);
      });
    } catch (const sl::TimeoutError&) {
      co_return sl::seconds(loop.time());
    }
    co_return -1.0;
  });
  CHECK(r.value == 1.0);
  CHECK(r.steps == 6);
}

TEST_CASE("timeout_at: an absolute deadline on the loop's clock [S71]", "[timeout][S71]") {
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    auto& loop = sl::get_running_loop();
    try {
      co_await sl::async_with(sl::timeout_at(loop.time() + 3s), [&]() -> sl::Coro<void> { co_await sl::sleep(10s); });
    } catch (const sl::TimeoutError&) {
      co_return true;
    }
    co_return false;
  });
  CHECK(r.value == true);
  CHECK(r.elapsed == 3s);
  CHECK(r.steps == 4);
}

TEST_CASE("with_timeout: shorthand returning the body's value or throwing TimeoutError [S71]", "[timeout][S71]") {
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    int v = co_await sl::with_timeout(2s, [&]() -> sl::Coro<int> {
      co_await sl::sleep(1s);
      co_return 7;
    });
    CHECK_THROWS_AS(co_await sl::with_timeout(1s, [&]() -> sl::Coro<void> { co_await sl::sleep(5s); }),
                    sl::TimeoutError);
    co_return v;
  });
  CHECK(r.value == 7);
  CHECK(r.elapsed == 2s);
}

TEST_CASE("timeout: a cancellation from outside stays a CancelledError [S71]", "[timeout][S71]") {
  std::vector<std::string> log;
  auto body = [&]() -> sl::Coro<void> {
    try {
      co_await sl::with_timeout(2s, [&]() -> sl::Coro<void> { co_await sl::sleep(10s); });
    } catch (const sl::TimeoutError&) {
      log.push_back("timeout");
      co_return;
    } catch (const sl::CancelledError&) {
      log.push_back("cancelled");
      throw;
    }
  };
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    auto t = sl::create_task(body);
    co_await sl::sleep(1s);
    t.cancel();
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
    }
    co_return t.cancelled();
  });
  CHECK(r.value == true);
  CHECK(log == std::vector<std::string>{"cancelled"});
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 7);

  SECTION("also when the outside cancel lands in the same iteration as the deadline") {
    // uncancel() leaves the outside request counted, so the timeout does not convert.
    log.clear();
    auto r2 = sl::sim::run([&]() -> sl::Coro<bool> {
      auto t = sl::create_task(body);
      auto& loop = sl::get_running_loop();
      loop.call_at(sl::TimePoint(2s), [t]() mutable { t.cancel(); });
      co_await sl::sleep(0s);
      try {
        co_await t;
      } catch (const sl::CancelledError&) {
      }
      co_return t.cancelled();
    });
    CHECK(r2.value == true);
    CHECK(log == std::vector<std::string>{"cancelled"});
    CHECK(r2.elapsed == 2s);
    CHECK(r2.steps == 8);
  }
}

TEST_CASE("timeout: nested timeouts each convert only their own expiry [S71]", "[timeout][S71]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    try {
      co_await sl::with_timeout(5s, [&]() -> sl::Coro<void> {
        try {
          co_await sl::with_timeout(2s, [&]() -> sl::Coro<void> { co_await sl::sleep(10s); });
        } catch (const sl::TimeoutError&) {
          log.push_back("inner timeout");
        }
        co_await sl::sleep(10s);
      });
    } catch (const sl::TimeoutError&) {
      log.push_back("outer timeout");
    }
  });
  CHECK(log == std::vector<std::string>{"inner timeout", "outer timeout"});
  CHECK(r.elapsed == 5s);
  CHECK(r.steps == 6);
}

TEST_CASE("timeout: reschedule and re-entry errors carry asyncio's messages [S71]", "[timeout][S71]") {
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Timeout t = sl::timeout(1s);
    CHECK_THROWS_WITH(t.reschedule(std::nullopt), "Timeout has not been entered");
    co_await sl::async_with(t, []() -> sl::Coro<void> { co_return; });
    CHECK_THROWS_WITH(t.reschedule(std::nullopt), "Cannot change state of finished Timeout");
    CHECK_THROWS_WITH(co_await sl::async_with(t, []() -> sl::Coro<void> { co_return; }),
                      "Timeout has already been entered");
  });
}

TEST_CASE("timeout: reschedule(nullopt) disables the deadline [S71]", "[timeout][S71]") {
  // Python: `async with asyncio.timeout(1) as t: t.reschedule(None); await asyncio.sleep(5)` ends normally at 5.
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    sl::Timeout t = sl::timeout(1s);
    co_await sl::async_with(t, [&]() -> sl::Coro<void> {
      t.reschedule(std::nullopt);
      co_await sl::sleep(5s);
    });
    CHECK_FALSE(t.when().has_value());
    co_return t.expired();
  });
  CHECK(r.value == false);
  CHECK(r.elapsed == 5s);
}
