// AsyncGenerator (async_generator.hpp): `async def` generators, `async for`,
// aclose(), and cleanup when an unfinished generator is destroyed. Python
// behaviour checked with python3 (3.11.7) where noted.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

namespace {
sl::Duration now() { return sl::get_running_loop().time().time_since_epoch(); }

sl::AsyncGenerator<int> ticker(int n, sl::Duration every) {
  for (int i = 0; i < n; ++i) {
    co_await sl::sleep(every);
    co_yield i;
  }
}

// Logs its lifecycle; RAII cleanup runs on every way out.
struct Cleanup {
  Log& log;
  ~Cleanup() { log.push_back("cleanup"); }
};

sl::AsyncGenerator<std::string> noisy(Log& log) {
  Cleanup c{log};
  log.push_back("start");
  for (int i = 0;; ++i) {
    co_yield "v" + std::to_string(i);
    co_await sl::sleep(1s);
  }
}

sl::AsyncGenerator<int> closable(Log& log) {
  bool closing = false;
  try {
    co_yield 1;
    co_yield 2;
  } catch (const sl::GeneratorExit&) {
    closing = true;
  }
  if (closing) {
    co_await sl::sleep(1s);  // async cleanup, outside the catch block
    log.push_back("closed at " + std::to_string(now().count() / 1'000'000'000) + "s");
  }
}

sl::AsyncGenerator<int> stubborn() {
  for (;;) {
    try {
      co_yield 1;
    } catch (const sl::GeneratorExit&) {
    }
  }
}

sl::AsyncGenerator<int> failing() {
  co_yield 1;
  throw std::runtime_error("gen failed");
}
}  // namespace

TEST_CASE("AsyncGenerator: while (auto v = co_await gen.next()) with awaits between yields", "[async_generator]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::vector<int>> {
    std::vector<int> got;
    auto gen = ticker(3, 1s);
    while (auto v = co_await gen.next()) got.push_back(*v);
    CHECK(gen.finished());
    auto again = co_await gen.next();  // StopAsyncIteration again
    CHECK_FALSE(again.has_value());
    co_return got;
  });
  CHECK(r.value == std::vector<int>{0, 1, 2});
  CHECK(r.elapsed == 3s);
}

TEST_CASE("AsyncGenerator: for_each with a plain and an async body", "[async_generator]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    int sum = 0;
    co_await sl::for_each(ticker(4, 1s), [&](int v) { sum += v; });
    auto gen = ticker(2, 1s);
    co_await sl::for_each(gen, [&](int v) -> sl::Coro<void> {
      co_await sl::sleep(500ms);
      sum += 10 * v;
    });
    co_return sum;
  });
  CHECK(r.value == 6 + 10);
  CHECK(r.elapsed == 4s + 3s);  // 4 ticks, then 2 x (tick + half a second)
}

TEST_CASE("AsyncGenerator: destroying an unfinished generator runs its RAII cleanup at once",
          "[async_generator]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    {
      auto gen = noisy(log);
      auto a = co_await gen.next();
      auto b = co_await gen.next();
      log.push_back(*a + " " + *b);
    }  // `break` out of `async for`: the frame is destroyed here
    log.push_back("after");
  });
  CHECK(log == Log{"start", "v0 v1", "cleanup", "after"});

  log.clear();
  { auto never = noisy(log); }  // never started: the body never ran
  CHECK(log.empty());
}

TEST_CASE("AsyncGenerator: aclose() throws GeneratorExit at the yield and awaits the async cleanup",
          "[async_generator]") {
  // python3: `await agen.aclose()` on an agen paused at a yield raises
  // GeneratorExit there; `finally: await asyncio.sleep(1)` is awaited by aclose.
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto gen = closable(log);
    auto v = co_await gen.next();
    CHECK(v == 1);
    co_await gen.aclose();
    CHECK(gen.finished());
    auto after = co_await gen.next();
    CHECK_FALSE(after.has_value());
    co_await gen.aclose();  // closing twice is fine

    auto unstarted = closable(log);
    co_await unstarted.aclose();  // body never runs: no "closed" line
    CHECK(unstarted.finished());
  });
  CHECK(log == Log{"closed at 1s"});
  CHECK(r.elapsed == 1s);
}

TEST_CASE("AsyncGenerator: a generator that ignores GeneratorExit makes aclose() raise", "[async_generator]") {
  // python3: RuntimeError: async generator ignored GeneratorExit
  sl::sim::run([]() -> sl::Coro<void> {
    auto gen = stubborn();
    (void)co_await gen.next();
    std::string what;
    try {
      co_await gen.aclose();
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "async generator ignored GeneratorExit");
  });
}

TEST_CASE("AsyncGenerator: exceptions and cancellation propagate out of next()", "[async_generator]") {
  sl::sim::run([]() -> sl::Coro<void> {
    auto gen = failing();
    auto v = co_await gen.next();
    CHECK(v == 1);
    std::string what;
    try {
      (void)co_await gen.next();
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "gen failed");
    CHECK(gen.finished());

    Log log;
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      auto g = noisy(log);
      while (auto s = co_await g.next()) log.push_back(*s);
    });
    co_await sl::sleep(1500ms);  // the generator is in its sleep(1s) after v1
    t.cancel();
    bool cancelled = false;
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
      cancelled = true;
    }
    CHECK(cancelled);
    CHECK(log == Log{"start", "v0", "v1", "cleanup"});
  });
}

TEST_CASE("AsyncGenerator: move-only values and moving the generator", "[async_generator]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    auto make = []() -> sl::AsyncGenerator<std::unique_ptr<int>> {
      for (int i = 1; i <= 3; ++i) co_yield std::make_unique<int>(i);
    };
    auto g1 = make();
    auto first = co_await g1.next();
    sl::AsyncGenerator<std::unique_ptr<int>> g2 = std::move(g1);
    int sum = **first;
    while (auto p = co_await g2.next()) sum += **p;
    co_return sum;
  });
  CHECK(r.value == 6);
}
