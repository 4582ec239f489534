// Condition (condition.hpp), SEMANTICS S77. Expected logs from CPython 3.11.7 (python3).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

TEST_CASE("Condition: notify(n) wakes the first n waiters; each returns holding the lock [S77]",
          "[condition][S77]") {
  // python3: three waiters; notify(2) -> a, b woke (locked); notify_all -> c woke
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Condition c;
    auto w = [&](std::string n) -> sl::Coro<void> {
      auto g = co_await c.scoped();
      log.push_back(n + " waits");
      co_await c.wait();
      log.push_back(n + " woke locked=" + (c.locked() ? "True" : "False"));
    };
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"a", "b", "c"}) ts.push_back(sl::create_task(w(n)));
    co_await sl::sleep(0s);
    {
      auto g = co_await c.scoped();
      c.notify(2);
      log.push_back("notified 2");
    }
    for (int i = 0; i < 3; ++i) co_await sl::sleep(0s);
    {
      auto g = co_await c.scoped();
      c.notify_all();
      log.push_back("notified all");
    }
    for (auto& t : ts) co_await t;
  });
  CHECK(log == Log{"a waits", "b waits", "c waits", "notified 2", "a woke locked=True", "b woke locked=True",
                   "notified all", "c woke locked=True"});
}

TEST_CASE("Condition: a wait cancelled while the lock is held elsewhere reacquires before raising [S77]",
          "[condition][S77]") {
  // python3: x waits; main takes the lock, cancels x, releases 1 iteration later
  // -> main releases, x cancelled locked=True, x done cancelled=True locked=False
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Condition c;
    auto x = sl::create_task([&]() -> sl::Coro<void> {
      auto g = co_await c.scoped();
      try {
        co_await c.wait();
      } catch (const sl::CancelledError&) {
        log.push_back(std::string("x cancelled locked=") + (c.locked() ? "True" : "False"));
        throw;
      }
    });
    co_await c.acquire();
    co_await sl::sleep(0s);
    c.release();
    co_await sl::sleep(0s);  // x now waits for a notify
    CHECK(c.waiter_count() == 1);
    co_await c.acquire();
    x.cancel();
    co_await sl::sleep(0s);
    log.push_back("main releases");
    c.release();
    try {
      co_await x;
    } catch (const sl::CancelledError&) {
      log.push_back(std::string("x done cancelled=") + (x.cancelled() ? "True" : "False") +
                    " locked=" + (c.locked() ? "True" : "False"));
    }
    CHECK(c.waiter_count() == 0);
  });
  CHECK(log == Log{"main releases", "x cancelled locked=True", "x done cancelled=True locked=False"});
}

TEST_CASE("Condition: wait and notify need the lock", "[condition][S77]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Condition c;
    std::string what;
    try {
      co_await c.wait();
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "cannot wait on un-acquired lock");
    CHECK_THROWS_WITH(c.notify(), "cannot notify on un-acquired lock");
    CHECK_THROWS_WITH(c.notify_all(), "cannot notify on un-acquired lock");
  });
}

TEST_CASE("Condition: wait_for re-checks the predicate after each wake-up; shares a given Lock",
          "[condition][S77]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    sl::Lock lock;
    sl::Condition c(lock);
    int value = 0;
    int wakeups = 0;
    auto producer = sl::create_task([&]() -> sl::Coro<void> {
      for (int i = 1; i <= 3; ++i) {
        co_await sl::sleep(1s);
        auto g = co_await c.scoped();
        value = i;
        c.notify_all();
      }
    });
    {
      auto g = co_await c.scoped();
      CHECK(lock.locked());  // the condition's lock is the shared one
      bool ok = co_await c.wait_for([&] {
        ++wakeups;
        return value == 3;
      });
      CHECK(ok);
    }
    co_await producer;
    co_return wakeups;
  });
  CHECK(r.value == 4);  // checked once up front, then after each of three notifies
  CHECK(r.elapsed == 3s);
}

TEST_CASE("Condition: aenter/aexit and a guard that survives cancellation", "[condition][async_with]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Condition c;
    co_await c.aenter();
    CHECK(c.locked());
    co_await c.aexit(nullptr);
    CHECK_FALSE(c.locked());
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      auto g = co_await c.scoped();
      co_await c.wait();  // nobody notifies: cancelled here
    });
    co_await sl::sleep(1s);
    t.cancel();
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
    CHECK_FALSE(c.locked());  // reacquired by wait(), then released by the guard
  });
}

TEST_CASE("Condition: async_with(cond, body) holds the lock around wait_for", "[condition][async_with]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    sl::Condition cond;
    bool ready = false;
    auto consumer = sl::create_task([&]() -> sl::Coro<void> {
      co_await sl::async_with(cond, [&]() -> sl::Coro<void> {
        co_await cond.wait_for([&] { return ready; });
        CHECK(cond.locked());
      });
    });
    co_await sl::sleep(2s);
    co_await sl::async_with(cond, [&]() -> sl::Coro<void> {
      ready = true;
      cond.notify_all();
      co_return;
    });
    co_await consumer;
    CHECK_FALSE(cond.locked());
  });
  CHECK(r.elapsed == 2s);
}
