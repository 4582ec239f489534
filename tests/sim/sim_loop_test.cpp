// SimLoop's choice points: which are asked, when, and what index 0 means.
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <vector>

namespace sl = simloop;
namespace sim = simloop::sim;
using namespace std::chrono_literals;

namespace {

// Three tasks, two sleep(0)-separated steps each, logging their numbers.
sl::Coro<std::vector<int>> three_by_two() {
  std::vector<int> log;
  for (int i = 0; i < 3; ++i) {
    sl::create_task([i, &log]() -> sl::Coro<void> {
      log.push_back(i);
      co_await sl::sleep(0s);
      log.push_back(i);
    });
  }
  co_await sl::sleep(1s);
  co_return log;
}

// Two timers registered for the same instant, in order a then b.
sl::Coro<std::vector<char>> tied_timers() {
  std::vector<char> order;
  auto& loop = sl::get_running_loop();
  loop.call_later(1s, [&] { order.push_back('a'); });
  loop.call_later(1s, [&] { order.push_back('b'); });
  co_await sl::sleep(2s);
  co_return order;
}

}  // namespace

TEST_CASE("ready order is asyncio's unless exploration is asked for [S1][S39]", "[sim_loop][S1][S39]") {
  const std::vector<int> fifo{0, 1, 2, 0, 1, 2};
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    auto r = sim::run(three_by_two, {.seed = seed, .strategy = sim::Strategy::random});
    REQUIRE(r.value == fifo);
    REQUIRE(r.schedule.decisions.empty());  // no ready-order choice was even asked
  }
  std::set<std::vector<int>> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed)
    seen.insert(
        sim::run(three_by_two, {.seed = seed, .strategy = sim::Strategy::random, .explore_ready_order = true}).value);
  CHECK(seen.size() > 30);  // out of 90
  CHECK(seen.count(fifo) == 1);
  CHECK(seen.count({0, 0, 1, 1, 2, 2}) == 1);  // beyond the batch: a step scheduled this iteration ran next
}

TEST_CASE("timer ties: registration order under fifo, a choice under exploring strategies [S5]", "[sim_loop][S5]") {
  CHECK(sim::run(tied_timers).value == std::vector<char>{'a', 'b'});
  std::set<std::vector<char>> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    seen.insert(sim::run(tied_timers, {.seed = seed, .strategy = sim::Strategy::random}).value);
  CHECK(seen == std::set<std::vector<char>>{{'a', 'b'}, {'b', 'a'}});
  // ... and off when asked.
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    REQUIRE(sim::run(tied_timers, {.seed = seed, .strategy = sim::Strategy::random, .explore_timer_ties = false})
                .value == std::vector<char>{'a', 'b'});
}

TEST_CASE("jitter: off by default, bounded evenly spaced choices when asked", "[sim_loop]") {
  auto sleeper = []() -> sl::Coro<void> { co_await sl::sleep(10ms); };
  CHECK(sim::run(sleeper, {.strategy = sim::Strategy::random}).elapsed == 10ms);
  CHECK(sim::run(sleeper, {.jitter_max = 4ms}).elapsed == 10ms);  // fifo: index 0, no jitter
  std::set<sl::Duration> seen;
  for (std::uint64_t seed = 0; seed < 30; ++seed)
    seen.insert(
        sim::run(sleeper, {.seed = seed, .strategy = sim::Strategy::random, .jitter_max = 4ms, .jitter_choices = 3})
            .elapsed);
  CHECK(seen == std::set<sl::Duration>{10ms, 12ms, 14ms});
}

TEST_CASE("every answer is recorded, whoever gives it", "[sim_loop][chooser]") {
  sim::RandomChooser c(5);
  sim::SimLoop loop({.chooser = &c, .explore_timer_ties = true, .keep_trace = true});
  std::vector<char> order;
  loop.call_later(1s, [&] { order.push_back('a'); });
  loop.call_later(1s, [&] { order.push_back('b'); });
  loop.call_later(1s, [&] { order.push_back('c'); });
  loop.call_later(2s, [&] { loop.stop(); });
  loop.run_forever();
  REQUIRE(loop.decisions().size() == 2);  // 3 tied timers: a choice among 3, then among 2
  CHECK(order.size() == 3);
  CHECK(loop.trace().size() > 0);
  CHECK_THAT(loop.trace().format(), Catch::Matchers::Contains("choice timer_tie"));
}
