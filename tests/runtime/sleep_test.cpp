// sleep(d): asyncio.sleep [S39, S40] on the virtual clock.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

TEST_CASE("sleep(0) gives up exactly one loop iteration [S39]", "[sleep][S39]") {
  std::vector<std::uint64_t> iterations;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    for (int i = 0; i < 3; ++i) {
      iterations.push_back(loop.iterations());
      co_await sl::sleep(0s);
    }
    iterations.push_back(loop.iterations());
    co_await sl::sleep(-1s);  // negative: also a bare yield
    iterations.push_back(loop.iterations());
  });
  REQUIRE(iterations.size() == 5);
  for (std::size_t i = 1; i < iterations.size(); ++i) CHECK(iterations[i] - iterations[i - 1] == 1);
}

TEST_CASE("sleep(d) resumes after the deadline, in the iteration after its timer fires [S40]",
          "[sleep][S40]") {
  // asyncio: the timer sets the future; the future's done callback (the
  // task's wakeup) runs one iteration later.
  sl::TimePoint woke{};
  std::uint64_t timer_iteration = 0, wake_iteration = 0;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    loop.call_later(1500ms, [&] { timer_iteration = loop.iterations(); });  // registered first: fires first
    co_await sl::sleep(1500ms);
    woke = loop.time();
    wake_iteration = loop.iterations();
  });
  CHECK(woke == sl::TimePoint(1500ms));
  CHECK(r.elapsed == 1500ms);
  CHECK(wake_iteration == timer_iteration + 1);
}

TEST_CASE("sleepers wake in deadline order, then registration order [S40][S5]", "[sleep][S40][S5]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto sleeper = [&log](sl::Duration d, std::string name) -> sl::Coro<void> {
      co_await sl::sleep(d);
      log.push_back(name);
    };
    auto a = sl::create_task(sleeper(3s, "a3"));
    auto b = sl::create_task(sleeper(1s, "b1"));
    auto c = sl::create_task(sleeper(2s, "c2"));
    auto d = sl::create_task(sleeper(1s, "d1"));
    co_await a;
    co_await b;
    co_await c;
    co_await d;
  });
  CHECK(log == std::vector<std::string>{"b1", "d1", "c2", "a3"});
  CHECK(r.elapsed == 3s);
}

TEST_CASE("cancelling a sleeping task cancels its timer [S40]", "[sleep][S40]") {
  bool timer_left = true;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    auto t = sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(1h); });
    co_await sl::sleep(1s);
    t.cancel();
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
    }
    timer_left = loop.next_timer_deadline().has_value();
  });
  CHECK_FALSE(timer_left);   // the 1h timer is gone ...
  CHECK(r.elapsed == 1s);    // ... so the clock never jumped to it
}

TEST_CASE("sleep's timer is cancelled when the sleep ends early for any reason [S40]", "[sleep][S40]") {
  // The `finally: h.cancel()` of asyncio.sleep: a sleep whose task is torn
  // down by asyncio.run's final cancellation leaves no timer behind either.
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(5h); });
    co_await sl::sleep(0s);
    co_return 1;
  });
  CHECK(r.value == 1);
  CHECK(r.elapsed == 0s);
}

TEST_CASE("sleep(1h) costs no wall time on the virtual clock [S6][S40]", "[sleep][S40][S6]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    for (int i = 0; i < 24; ++i) co_await sl::sleep(1h);
  });
  CHECK(r.elapsed == 24h);
}

TEST_CASE("a sleep awaiter moved before it is awaited keeps its delay; one awaited later too", "[sleep][S40]") {
  // The awaiter keeps the delay and, once suspended, the timer's future in
  // one slot (sleep.hpp): a move before the await must carry the delay.
  std::vector<sl::TimePoint> woke;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    auto first = sl::sleep(2s);
    auto moved = std::move(first);
    co_await moved;
    woke.push_back(loop.time());
    auto yield = sl::sleep(0s);
    auto moved_yield = std::move(yield);
    const auto before = loop.iterations();
    co_await moved_yield;  // still a bare yield: one iteration
    CHECK(loop.iterations() == before + 1);
    auto later = sl::sleep(500ms);
    co_await sl::sleep(1s);  // `later` waits unawaited meanwhile: its delay counts from its await
    co_await later;
    woke.push_back(loop.time());
  });
  REQUIRE(woke.size() == 2);
  CHECK(woke[0] == sl::TimePoint(2s));
  CHECK(woke[1] == sl::TimePoint(3500ms));
  CHECK(r.elapsed == 3500ms);
}

TEST_CASE("sleep keeps an odd delay exact, cuts one beyond 2^62 ns, and does nothing unawaited", "[sleep][S40]") {
  // The awaiter holds the delay shifted by one bit before its await
  // (sleep.hpp): an odd count of nanoseconds must survive that.
  std::vector<sl::TimePoint> woke;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    { auto never = sl::sleep(1s); }  // created and dropped: no timer, no time
    co_await sl::sleep(3ns);
    woke.push_back(loop.time());
    co_await sl::sleep(std::chrono::nanoseconds(999'999'999));
    woke.push_back(loop.time());
    // Duration::max() would overflow the clock; it is cut to 2^62 ns
    // (146 years), so this sleep is cancelled normally after 1 s.
    auto forever = sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(sl::Duration::max()); }());
    co_await sl::sleep(1s);
    forever.cancel();
    try {
      co_await forever;
    } catch (const sl::CancelledError&) {
    }
    CHECK(forever.cancelled());
  });
  REQUIRE(woke.size() == 2);
  CHECK(woke[0] == sl::TimePoint(3ns));
  CHECK(woke[1] == sl::TimePoint(1s + 2ns));
  CHECK(r.elapsed == 2s + 2ns);
}

// A sleep's future is its own timer (detail/timer_future.hpp): what asyncio
// does with a future plus a call_later handle must hold for that one object.

TEST_CASE("a sleep's timer due in the iteration that cancels its task: the task sees CancelledError [S40]",
          "[sleep][S40]") {
  // CPython 3.11: a call_later(1) that cancels a task sleeping 1s, registered
  // first, runs first; the timer then finds its future cancelled and leaves
  // it (_set_result_unless_cancelled), and the task raises CancelledError.
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    sl::Task<void> t;
    loop.call_later(1s, [&] {
      log.push_back("cancel");
      t.cancel();
    });
    t = sl::create_task([&]() -> sl::Coro<void> {
      try {
        co_await sl::sleep(1s);
        log.push_back("woke");
      } catch (const sl::CancelledError&) {
        log.push_back("cancelled");
        throw;
      }
    });
    co_await sl::sleep(0s);  // t's timer is registered now, after the call_later
    co_await sl::sleep(2s);
    CHECK(t.cancelled());
    CHECK(loop.timer_count() == 0);
  });
  CHECK(log == std::vector<std::string>{"cancel", "cancelled"});
  CHECK(r.reports.empty());  // the timer left the cancelled future alone: no InvalidStateError
  CHECK(r.elapsed == 2s);
}

TEST_CASE("cancelled sleeps are purged from the timer queue like cancelled handles [S3][S40]", "[sleep][S3][S40]") {
  // asyncio purges when > 100 timers and over half are cancelled; a sleep
  // whose task is cancelled cancels its timer, and the loop must count it.
  std::vector<std::size_t> counts;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    std::vector<sl::Task<void>> ts;
    for (int i = 0; i < 200; ++i)
      ts.push_back(sl::create_task([i]() -> sl::Coro<void> { co_await sl::sleep(1h + sl::Duration(i)); }));
    co_await sl::sleep(0s);  // every task is asleep
    counts.push_back(loop.timer_count());
    for (std::size_t i = 0; i < 150; ++i) ts[i].cancel();
    co_await sl::sleep(0s);  // they wake with CancelledError, cancelling their timers
    co_await sl::sleep(0s);  // the next iteration purges
    counts.push_back(loop.timer_count());
    for (std::size_t i = 150; i < 200; ++i) ts[i].cancel();
    for (auto& t : ts) CHECK_THROWS_AS(co_await t, sl::CancelledError);
  });
  CHECK(counts == std::vector<std::size_t>{200, 50});
}

TEST_CASE("sleeps and call_later timers due at one instant tie, in registration order under fifo [S5][S40]",
          "[sleep][S5][S40]") {
  // Ties are a choice among every timer due then, whichever kind (a handle
  // or a sleep); index 0 is registration order, asyncio's.
  auto tied = []() -> sl::Coro<std::string> {
    auto& loop = sl::get_running_loop();
    std::string order;
    auto sleeper = [&order](char name) -> sl::Coro<void> {
      co_await sl::sleep(1s);
      order += name;
    };
    loop.call_later(1s, [&] { order += 'h'; });
    auto a = sl::create_task(sleeper('a'));
    auto b = sl::create_task(sleeper('b'));
    co_await a;
    co_await b;
    co_return order;
  };
  CHECK(sl::sim::run(tied).value == "hab");
  // Explored: the sleepers wake in either order; a task wakes an iteration
  // after its timer fires, so the handle (run as it fires) stays first.
  // The trace shows the handle itself took part in the tie: the order the
  // three timers fired in (by registration number; the handle's is the
  // lowest) varies too.
  std::set<std::string> seen;
  std::set<std::size_t> handle_fired_at;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    auto r = sl::sim::run(tied, {.seed = seed, .strategy = sl::sim::Strategy::random});
    seen.insert(r.value);
    REQUIRE(r.trace);
    std::vector<unsigned long> fired;
    std::istringstream lines(r.trace->format());
    for (std::string line; std::getline(lines, line);) {
      if (auto at = line.find("timer #"); at != std::string::npos && line.find("fired") != std::string::npos)
        fired.push_back(std::stoul(line.substr(at + 7)));
    }
    REQUIRE(fired.size() == 3);
    handle_fired_at.insert(static_cast<std::size_t>(std::min_element(fired.begin(), fired.end()) - fired.begin()));
  }
  CHECK(seen == std::set<std::string>{"hab", "hba"});
  CHECK(handle_fired_at == std::set<std::size_t>{0, 1, 2});
}
