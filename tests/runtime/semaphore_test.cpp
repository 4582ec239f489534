// Semaphore and BoundedSemaphore (semaphore.hpp), SEMANTICS S75 (and S73's
// hand-off rule applied to permits). Expected logs from CPython 3.11.7 (python3).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

TEST_CASE("Semaphore: FIFO waiters, value as asyncio's _value [S75]", "[semaphore][S75]") {
  // python3: Semaphore(2); five tasks `async with s: log(got value); await sleep(0)`
  Log log;
  std::int64_t end_value = -1;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Semaphore s(2);
    auto w = [&](std::string n) -> sl::Coro<void> {
      log.push_back(n + " wants");
      auto permit = co_await s.scoped();
      log.push_back(n + " got value=" + std::to_string(s.value()));
      co_await sl::sleep(0s);
      log.push_back(n + " releases");
    };
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"a", "b", "c", "d", "e"}) ts.push_back(sl::create_task(w(n)));
    for (auto& t : ts) co_await t;
    end_value = s.value();
  });
  CHECK(log == Log{"a wants", "a got value=1", "b wants", "b got value=0", "c wants", "d wants", "e wants",
                   "a releases", "b releases", "c got value=0", "d got value=0", "c releases", "d releases",
                   "e got value=1", "e releases"});
  CHECK(end_value == 2);
}

TEST_CASE("Semaphore: a permit handed to a waiter cancelled in the same iteration goes to the next [S75][S73]",
          "[semaphore][S75][S73]") {
  // python3: s=Semaphore(1); acquire; x1, x2 wait; s.release(); t1.cancel()
  // -> after release value=0 locked=True; x2 acquired; t1 cancelled, value=1
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Semaphore s(1);
    co_await s.acquire();
    auto x = [&](std::string n) -> sl::Coro<void> {
      co_await s.acquire();
      log.push_back(n + " acquired");
      s.release();
    };
    auto t1 = sl::create_task(x("x1"));
    auto t2 = sl::create_task(x("x2"));
    co_await sl::sleep(0s);
    s.release();
    t1.cancel();
    log.push_back("after release value=" + std::to_string(s.value()) + " locked=" + (s.locked() ? "True" : "False"));
    try {
      co_await t1;
    } catch (const sl::CancelledError&) {
    }
    co_await t2;
    CHECK(t1.cancelled());
    CHECK(s.value() == 1);
    CHECK(s.waiter_count() == 0);
  });
  CHECK(log == Log{"after release value=0 locked=True", "x2 acquired"});
}

TEST_CASE("Semaphore: a waiter cancelled before any release takes no permit", "[semaphore][S75]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Semaphore s(0);
    auto t = sl::create_task([&]() -> sl::Coro<void> { co_await s.acquire(); });
    co_await sl::sleep(1s);
    CHECK(s.locked());
    t.cancel();
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
    s.release();
    CHECK(s.value() == 1);
    CHECK_FALSE(s.locked());
  });
}

TEST_CASE("BoundedSemaphore: over-release raises ValueError; Semaphore(-1) is refused [S75]",
          "[semaphore][S75]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::BoundedSemaphore b(1);
    CHECK_THROWS_WITH(b.release(), "BoundedSemaphore released too many times");
    co_await b.acquire();
    b.release();
    CHECK(b.value() == 1);
    // aexit goes through the bounded release too
    std::string what;
    try {
      co_await b.aexit(nullptr);
    } catch (const std::invalid_argument& e) {
      what = e.what();
    }
    CHECK(what == "BoundedSemaphore released too many times");
    co_await b.aenter();
    CHECK(b.locked());
    co_await b.aexit(nullptr);
    CHECK(b.value() == 1);
  });
  CHECK_THROWS_WITH(sl::Semaphore(-1), "Semaphore initial value must be >= 0");
  sl::Semaphore unbounded(1);
  unbounded.release();  // a plain Semaphore may exceed its initial value
  CHECK(unbounded.value() == 2);
}

TEST_CASE("Semaphore: guards give permits back on exception and cancellation", "[semaphore][guard]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    sl::Semaphore s(2);
    std::vector<sl::Task<void>> ts;
    for (int i = 0; i < 4; ++i)
      ts.push_back(sl::create_task([&]() -> sl::Coro<void> {
        auto permit = co_await s.scoped();
        co_await sl::sleep(10s);
      }));
    co_await sl::sleep(1s);
    CHECK(s.value() == 0);
    CHECK(s.waiter_count() == 2);
    for (auto& t : ts) t.cancel();
    for (auto& t : ts) {
      try {
        co_await t;
      } catch (const sl::CancelledError&) {
      }
    }
    CHECK(s.value() == 2);
    CHECK(s.waiter_count() == 0);
  });
  CHECK(r.elapsed == 1s);
}

TEST_CASE("Semaphore: async_with(sem, body) limits concurrency and returns the body's value", "[semaphore][async_with]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    sl::Semaphore sem(2);
    int inside = 0;
    int most = 0;
    std::vector<sl::Task<int>> ts;
    for (int i = 0; i < 5; ++i)
      ts.push_back(sl::create_task([&, i]() -> sl::Coro<int> {
        int v = co_await sl::async_with(sem, [&]() -> sl::Coro<int> {
          most = std::max(most, ++inside);
          co_await sl::sleep(1s);
          --inside;
          co_return i;
        });
        co_return v;
      }));
    int sum = 0;
    for (auto& t : ts) sum += co_await t;
    CHECK(most == 2);
    CHECK(sem.value() == 2);
    co_return sum;
  });
  CHECK(r.value == 10);
  CHECK(r.elapsed == 3s);  // 5 jobs, 2 at a time, 1 s each
}
