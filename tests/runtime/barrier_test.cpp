// Barrier (barrier.hpp), SEMANTICS S78. Expected logs from CPython 3.11.7 (python3).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

TEST_CASE("Barrier(n) releases n parties together, twice in a row [S78]", "[barrier][S78]") {
  // python3: three parties wait twice ->
  // c passes 2, a passes 0, b passes 1, then a passes2 2, b passes2 0, c passes2 1
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Barrier b(3);
    auto p = [&](std::string n) -> sl::Coro<void> {
      log.push_back(n + " arrives");
      auto i = co_await b.wait();
      log.push_back(n + " passes " + std::to_string(i));
      log.push_back(n + " again");
      i = co_await b.wait();
      log.push_back(n + " passes2 " + std::to_string(i));
    };
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"a", "b", "c"}) ts.push_back(sl::create_task(p(n)));
    for (auto& t : ts) co_await t;
    CHECK(b.n_waiting() == 0);
    CHECK_FALSE(b.broken());
    CHECK(b.parties() == 3);
  });
  CHECK(log == Log{"a arrives", "b arrives", "c arrives", "c passes 2", "c again", "a passes 0", "a again",
                   "b passes 1", "b again", "a passes2 2", "b passes2 0", "c passes2 1"});
}

TEST_CASE("Barrier: a party cancelled while waiting leaves without breaking it (3.11) [S78]",
          "[barrier][S78]") {
  // python3 (3.11.7): a, b wait; a cancelled -> n_waiting 1, not broken; c, d
  // arrive -> d idx 2, b idx 1, c idx 1 (the count dropped, so c reuses index 1)
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Barrier b(3);
    auto p = [&](std::string n) -> sl::Coro<void> {
      try {
        auto i = co_await b.wait();
        log.push_back(n + " idx " + std::to_string(i));
      } catch (const sl::CancelledError&) {
        log.push_back(n + " cancelled n_waiting=" + std::to_string(b.n_waiting()) +
                      " broken=" + (b.broken() ? "True" : "False"));
        throw;
      }
    };
    auto t1 = sl::create_task(p("a"));
    auto t2 = sl::create_task(p("b"));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    log.push_back("n_waiting=" + std::to_string(b.n_waiting()));
    t1.cancel();
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    log.push_back("after cancel n_waiting=" + std::to_string(b.n_waiting()));
    auto t3 = sl::create_task(p("c"));
    auto t4 = sl::create_task(p("d"));
    co_await t2;
    co_await t3;
    co_await t4;
    CHECK(t1.cancelled());
    CHECK(b.n_waiting() == 0);
    CHECK_FALSE(b.broken());
  });
  CHECK(log == Log{"n_waiting=2", "a cancelled n_waiting=1 broken=False", "after cancel n_waiting=1", "d idx 2",
                   "b idx 1", "c idx 1"});
}

TEST_CASE("Barrier: abort() breaks waiters and later arrivals; reset() refills [S78]", "[barrier][S78]") {
  // python3: x, y wait; abort -> both "Abort or reset of barrier"; a late wait
  // -> "Barrier aborted"; reset -> not broken; u, v wait; reset -> both broken
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Barrier b(3);
    auto q = [&](std::string n) -> sl::Coro<void> {
      try {
        co_await b.wait();
      } catch (const sl::BrokenBarrierError& e) {
        log.push_back(n + " broken: " + e.what());
      }
    };
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"x", "y"}) ts.push_back(sl::create_task(q(n)));
    co_await sl::sleep(0s);
    co_await b.abort();
    for (auto& t : ts) co_await t;
    CHECK(b.broken());
    try {
      co_await b.wait();
    } catch (const sl::BrokenBarrierError& e) {
      log.push_back(std::string("late: ") + e.what());
    }
    co_await b.reset();
    CHECK_FALSE(b.broken());
    ts.clear();
    for (std::string n : {"u", "v"}) ts.push_back(sl::create_task(q(n)));
    co_await sl::sleep(0s);
    CHECK(b.n_waiting() == 2);
    co_await b.reset();
    for (auto& t : ts) co_await t;
    CHECK(b.n_waiting() == 0);
    CHECK_FALSE(b.broken());
  });
  CHECK(log == Log{"x broken: Abort or reset of barrier", "y broken: Abort or reset of barrier",
                   "late: Barrier aborted", "u broken: Abort or reset of barrier",
                   "v broken: Abort or reset of barrier"});
  CHECK_THROWS_AS(sl::Barrier(0), std::invalid_argument);
}

TEST_CASE("Barrier: aenter waits and gives the index (async with barrier as i)", "[barrier][async_with]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::size_t> {
    sl::Barrier b(2);
    auto other = sl::create_task([&]() -> sl::Coro<std::size_t> {
      co_await sl::sleep(1s);
      co_return co_await b.aenter();
    });
    std::size_t mine = co_await b.aenter();
    co_await b.aexit(nullptr);
    std::size_t theirs = co_await other;
    co_return mine * 10 + theirs;
  });
  CHECK(r.value == 1);  // main arrived first (0), the other second and released the round (1)
  CHECK(r.elapsed == 1s);
}

TEST_CASE("Barrier: async_with(barrier, body) gives the body its index", "[barrier][async_with]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::size_t> {
    sl::Barrier b(2);
    auto other = sl::create_task([&]() -> sl::Coro<void> { co_await b.wait(); });
    std::size_t got = co_await sl::async_with(b, [&](std::size_t& index) -> sl::Coro<std::size_t> { co_return index; });
    co_await other;
    co_return got;
  });
  CHECK(r.value == 0);  // main arrived first
}
