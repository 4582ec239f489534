// TaskGroup under random scenarios (gen::group_case) and rapidcheck schedules,
// and under dfs to exhaustion for small ones [S69] [S70]. The model and the
// checks are in task_group_property.hpp; shield's property is in
// combinators_props.cpp.
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/task_group_property.hpp>

#include <iostream>
#include <set>

namespace sl = simloop;
namespace sp = simloop::properties;

TEST_CASE("TaskGroup: no failure: every child completes, normal exit; first failure cancels the unfinished siblings and the body, ExceptionGroup holds every child error once; outside cancel cancels all, CancelledError [S69] [S70]",
          "[task_group][S69][S70]") {
  sp::prop("task_group.model", sp::task_group_property(sp::real_task_group), {.max_success = 150});
}

TEST_CASE("TaskGroup under dfs to exhaustion (timer ties; then ready order too, <= 1 deviation) over random cases (<= 3 children x 3 steps) [S69] [S70]",
          "[task_group][dfs][S69][S70]") {
  std::uint64_t schedules = 0, cases = 0;
  sp::prop("dfs.task_group", [&] {
    const sp::GroupCase g = *sp::gen::group_case(3, 3, 1);
    // Timer ties only: asyncio's FIFO callbacks, so the error order is checked too.
    sp::GroupProgram ties{g, sp::real_task_group, true};
    auto rep = sl::sim::explore(ties, {.runs = 20'000, .strategy = sl::sim::Strategy::dfs});
    RC_LOG() << rep.to_string() << "\n";
    RC_ASSERT(rep.failure == std::nullopt);
    RC_ASSERT(rep.exhausted);
    // Ready order as well (beyond asyncio's guarantee): errors compared as a set.
    sp::GroupProgram any{g, sp::real_task_group, false};
    auto rep2 = sl::sim::explore(any, {.runs = 20'000, .strategy = sl::sim::Strategy::dfs, .explore_ready_order = true,
                                       .dfs_deviations_max = 1});
    RC_LOG() << rep2.to_string() << "\n";
    RC_ASSERT(rep2.failure == std::nullopt);
    RC_ASSERT(rep2.exhausted);
    schedules += rep.runs + rep2.runs;
    ++cases;
  }, {.max_success = 30});
  std::cout << "dfs task_group: " << cases << " cases, " << schedules << " schedules run to exhaustion\n";
  CHECK(schedules >= 2 * cases);
}

namespace {
sl::Coro<void> recording_group(sp::GroupBody body, std::set<std::string>* orders) {
  try {
    co_await sp::real_group_impl(std::move(body));
  } catch (const sl::ExceptionGroup& eg) {
    std::string order;
    for (const auto& e : eg.exceptions()) order += sl::describe_exception(e) + ";";
    orders->insert(order);
    throw;
  }
}
std::uint64_t factorial(std::uint64_t n) { return n <= 1 ? 1 : n * factorial(n - 1); }
}  // namespace

TEST_CASE("TaskGroup: k children failing at one instant: dfs runs k! schedules, each error order once, each a full ExceptionGroup [S69] [S5]",
          "[task_group][dfs][S69][S5]") {
  for (int k = 1; k <= 4; ++k) {
    sp::GroupCase g;
    for (int i = 0; i < k; ++i) g.sc.tasks.push_back({{sp::Step{false, 2, 0}}, true});  // sleep 2 ms, raise
    g.body_ms = 3;
    std::set<std::string> orders;
    sp::GroupProgram prog{g, [&orders](sp::GroupBody b) { return recording_group(std::move(b), &orders); }, true};
    auto rep = sl::sim::explore(prog, {.runs = 1000, .strategy = sl::sim::Strategy::dfs});
    INFO("k=" << k << ": " << rep.to_string());
    REQUIRE(rep);
    CHECK(rep.exhausted);
    CHECK(rep.runs == factorial(std::uint64_t(k)));    // k timers tie at 2 ms: k! orders
    CHECK(orders.size() == factorial(std::uint64_t(k)));  // the group's error order follows each
  }
}
