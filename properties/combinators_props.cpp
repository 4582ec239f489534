// wait, as_completed, wait_for and shield under random scenarios and
// rapidcheck schedules (properties in combinator_property.hpp).
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/combinator_property.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>

namespace sp = simloop::properties;

TEST_CASE("wait: done ∪ pending = input, disjoint, states at return, return instant, cancels nothing [S50] [S51] [S52]",
          "[S50][S51][S52]") {
  sp::prop("wait.partition", sp::wait_property(sp::real_wait), {.max_success = 150});
}

TEST_CASE("as_completed: each input once, in completion order; TimeoutError after the deadline, nothing lost [S62] [S63]",
          "[S62][S63]") {
  sp::prop("as_completed.order", sp::as_completed_property(sp::real_as_completed), {.max_success = 150});
}

TEST_CASE("wait_for: inner cancelled and finished before TimeoutError; else the inner's outcome [S57] [S58]",
          "[S57][S58]") {
  sp::prop("wait_for.timeout", sp::wait_for_property(sp::real_wait_for), {.max_success = 150});
}

TEST_CASE("shield: cancelling the awaiter never cancels the inner [S67]", "[S67]") {
  sp::prop("shield.inner", sp::shield_property(sp::real_shield), {.max_success = 100});
}

TEST_CASE("shield under dfs to exhaustion (timer ties and ready order, <= 1 deviation) over random small scenarios: the inner is never cancelled, the awaiter is [S67]",
          "[dfs][S67]") {
  namespace sl = simloop;
  std::uint64_t schedules = 0, scenarios = 0;
  sp::prop("dfs.shield", [&] {
    const sp::Scenario sc = *sp::gen::scenario(3, 3, 0);
    const int target = *rc::gen::inRange<int>(0, int(sc.tasks.size()));
    const int T = *sp::timeout_gen();  // never ties with a completion: the model stays exact
    const auto want = sp::predict(sc);
    auto test = [&]() -> sl::Coro<void> {
      auto live = sp::spawn(sc);
      auto outer = sl::create_task([&, live]() -> sl::Coro<int> { co_return co_await sp::real_shield(live->tasks[target]); });
      co_await sl::sleep(std::chrono::milliseconds(T));
      outer.cancel();
      bool outer_cancelled = false;
      try {
        (void)co_await outer;
      } catch (const sl::CancelledError&) {
        outer_cancelled = true;
      } catch (...) {
      }
      co_await sp::finish(live);
      if (want[static_cast<std::size_t>(target)].finish > T && !outer_cancelled)
        throw std::logic_error("the awaiter of a shield still running at the cancel was not cancelled");
      for (std::size_t i = 0; i < want.size(); ++i) {
        sp::Predicted w = want[i];
        w.finish = 0;
        if (!sp::matches(w, sp::observed(live->tasks[i], 0)))
          throw std::logic_error("task " + std::to_string(i) + ": want " + sp::describe(want[i]) +
                                 " (a shielded inner must end as if nobody cancelled)");
      }
    };
    auto rep = sl::sim::explore(test, {.runs = 20'000, .strategy = sl::sim::Strategy::dfs, .explore_ready_order = true,
                                       .dfs_deviations_max = 1});
    RC_LOG() << rep.to_string() << "\n";
    RC_ASSERT(rep.failure == std::nullopt);
    RC_ASSERT(rep.exhausted);
    schedules += rep.runs;
    ++scenarios;
  }, {.max_success = 30});
  std::cout << "dfs shield: " << scenarios << " scenarios, " << schedules << " schedules run to exhaustion\n";
  CHECK(schedules >= scenarios);
}
