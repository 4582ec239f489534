// gen::schedule on a planted bug: the shrunk schedule has only the deviations
// the bug needs; and dfs to exhaustion on small programs, its count asserted
// against the closed form.
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/gather_property.hpp>

#include <iostream>

namespace sl = simloop;
namespace sp = simloop::properties;
using namespace std::chrono_literals;

namespace {

// Five tasks wake at the same instant (a timer tie, S5). The planted bug: B
// assumes A, registered first, always runs first; asyncio's order (all-zero
// schedule) never fails, and exactly one deviation (B before A) is enough.
// C, D, E are noise: their order changes nothing, so a shrunk schedule must
// not deviate for them.
struct Planted {
  bool bug = false;
  sl::Coro<void> operator()() {
    int flag = 0;
    auto a = sl::create_task([&]() -> sl::Coro<void> { co_await sl::sleep(1ms); flag = 1; });
    auto b = sl::create_task([&]() -> sl::Coro<void> {
      co_await sl::sleep(1ms);
      if (flag == 0) bug = true;
    });
    std::vector<sl::Task<void>> noise;
    for (int i = 0; i < 3; ++i)
      noise.push_back(sl::create_task([]() -> sl::Coro<void> {
        co_await sl::sleep(1ms);
        co_await sl::sleep(0ms);
        co_await sl::sleep(1ms);
      }));
    co_await a;
    co_await b;
    for (auto& t : noise) co_await t;
  }
};

}  // namespace

TEST_CASE("gen::schedule shrinks a planted ordering bug to the one deviation it needs [S5]", "[schedule][S5]") {
  std::size_t first_failing = 0, last_failing = 0, failing_runs = 0;
  auto r = sp::check("schedule.planted", [&] {
    const sp::ScheduleSeq s = *sp::gen::schedule();
    Planted p;
    auto run = sp::run_scheduled(p, s);
    sp::require_passed(run);
    if (p.bug) {
      if (failing_runs++ == 0) first_failing = run.deviations;
      last_failing = run.deviations;  // rapidcheck adopts every failing shrink: the last is the result
    }
    RC_ASSERT(!p.bug);
  }, {.max_success = 200});
  INFO(r.message);
  REQUIRE_FALSE(r.passed);
  std::cout << "planted bug: first failing schedule had " << first_failing << " deviations, shrunk to " << last_failing
            << " (" << r.counterexample.front().second << ")\n";
  CHECK(last_failing == 1);
  CHECK(first_failing >= last_failing);
  // The all-zero schedule (asyncio's order) passes.
  Planted fifo;
  auto run = sp::run_scheduled(fifo, sp::ScheduleSeq{});
  CHECK(run.report);
  CHECK_FALSE(fifo.bug);
  CHECK(run.choices > 0);
}

namespace {
std::uint64_t factorial(std::uint64_t n) { return n <= 1 ? 1 : n * factorial(n - 1); }

// k tasks, each sleeping 2 ms s times, then returning value_of(i); gathered.
struct Lockstep {
  int k, s;
  sl::Coro<void> operator()() const {
    std::vector<sl::Task<int>> ts;
    for (int i = 0; i < k; ++i)
      ts.push_back(sl::create_task([i, s = s]() -> sl::Coro<int> {
        for (int j = 0; j < s; ++j) co_await sl::sleep(2ms);
        co_return sp::value_of(i);
      }));
    auto got = co_await sl::gather(ts);
    for (int i = 0; i < k; ++i)
      if (got[std::size_t(i)] != sp::value_of(i)) throw std::logic_error("gather out of argument order");  // [S42]
  }
};
}  // namespace

TEST_CASE("dfs runs every schedule of k tasks x s steps (k, s <= 3): (k!)^s, gather order holds in each [S42] [S5]",
          "[dfs][S42][S5]") {
  std::uint64_t total = 0;
  for (int k = 1; k <= 3; ++k)
    for (int s = 1; s <= 3; ++s) {
      Lockstep prog{k, s};
      auto rep = sl::sim::explore(prog, {.runs = 100'000, .strategy = sl::sim::Strategy::dfs});
      INFO("k=" << k << " s=" << s << ": " << rep.to_string());
      REQUIRE(rep);
      CHECK(rep.exhausted);
      std::uint64_t want = 1;
      for (int j = 0; j < s; ++j) want *= factorial(std::uint64_t(k));  // each instant: k timers tie, k! orders
      CHECK(rep.runs == want);
      total += rep.runs;
    }
  std::cout << "dfs covered " << total << " schedules over k, s <= 3\n";
}

TEST_CASE("dfs to exhaustion (ready order and timer ties, <= 1 deviation) over random scenarios (<= 3 tasks x 3 steps): gather(return_exceptions) matches the model in every schedule [S42] [S46] [S48]",
          "[dfs][S42][S46][S48]") {
  std::uint64_t schedules = 0, scenarios = 0;
  sp::prop("dfs.scenarios.gather", [&] {
    const sp::Scenario sc = *sp::gen::scenario(3, 3, 1);
    const auto want = sp::predict(sc);
    auto test = [&]() -> sl::Coro<void> {
      auto live = sp::spawn(sc);
      auto got = co_await sl::gather(sl::return_exceptions, live->tasks);
      co_await sp::finish(live);
      for (std::size_t i = 0; i < want.size(); ++i)
        if (!sp::matches(want[i], sp::observed(got[i], want[i].finish)))
          throw std::logic_error("slot " + std::to_string(i) + ": want " + sp::describe(want[i]));
    };
    auto rep = sl::sim::explore(test, {.runs = 20'000, .strategy = sl::sim::Strategy::dfs, .explore_ready_order = true, .dfs_deviations_max = 1});
    RC_LOG() << rep.to_string() << "\n";
    RC_ASSERT(rep.failure == std::nullopt);
    RC_ASSERT(rep.exhausted);
    schedules += rep.runs;
    ++scenarios;
  }, {.max_success = 40});
  std::cout << "dfs: " << scenarios << " scenarios, " << schedules << " schedules run to exhaustion\n";
  CHECK(schedules >= scenarios);
}
