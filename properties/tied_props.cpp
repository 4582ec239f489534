// Injected cancels and timeouts on the instants completions happen at
// (Instants::tied): gather and wait checked against the order each run's
// trace shows (tied_property.hpp), under rapidcheck schedules and, for small
// scenarios, under every schedule.
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/tied_property.hpp>

#include <iostream>
#include <set>

namespace sl = simloop;
namespace sp = simloop::properties;

TEST_CASE("tied instants: every task ends as the trace's order says; gather(return_exceptions) slots are the tasks' own outcomes [S42] [S46] [S34]",
          "[S42][S46][S34][ties]") {
  sp::prop("tied.gather", sp::gather_tied_property(sp::real_gather_re), {.max_success = 200});
}

TEST_CASE("tied instants: wait's partition is what the trace shows finished when it returned; return instant; cancels nothing [S50] [S51] [S52]",
          "[S50][S51][S52][ties]") {
  sp::prop("tied.wait", sp::wait_tied_property(sp::real_wait), {.max_success = 200});
}

TEST_CASE("tied instants: as_completed yields what finished before its deadline, in completion order; a completion at the deadline loses to it [S62] [S63]",
          "[S62][S63][ties]") {
  sp::prop("tied.as_completed", sp::as_completed_tied_property(sp::real_as_completed), {.max_success = 200});
}

namespace {
std::string outcome_key(const sp::LiveIds& l) {
  std::string k;
  for (const auto& p : l.finals) k += sp::describe(p) + " ";
  return k;
}

// Every schedule of `program`, each run checked against its trace; returns
// the number of schedules (0: over the budget).
template <class Program>
std::uint64_t check_every_schedule(Program& program, std::set<std::string>* outcomes = nullptr) {
  return sp::for_each_schedule(program, [&](sl::sim::RunReport& rep, std::size_t) {
    sp::ScheduledRun run;
    run.report = std::move(rep);
    program.check(run);
    if (outcomes) outcomes->insert(outcome_key(program.l));
  }, 20'000);
}
}  // namespace

TEST_CASE("tied instants, every schedule (<= 3 tasks x 3 steps, <= 2 cancels): gather, wait and as_completed consistent with the trace in each, as many schedules as sim::explore's dfs; the schedule decides some outcomes",
          "[dfs][ties][S34][S42][S50][S52][S63]") {
  std::uint64_t schedules = 0, scenarios = 0, schedule_decides = 0;
  sp::prop("tied.dfs", [&] {
    const sp::Scenario sc = *sp::gen::scenario(3, 3, 2, sp::Instants::tied);
    std::set<std::string> outcomes;
    sp::GatherTiedProgram g;
    g.impl = sp::real_gather_re;
    g.sc = sc;
    const std::uint64_t runs = check_every_schedule(g, &outcomes);
    RC_ASSERT(runs > 0u);  // 0: over the budget
    // sim::explore's dfs over the same program: as many schedules, exhausted.
    auto rep = sl::sim::explore(g, {.runs = 20'000, .strategy = sl::sim::Strategy::dfs});
    RC_ASSERT(rep.exhausted);
    RC_ASSERT(rep.runs == runs);
    sp::WaitTiedProgram w;
    w.impl = sp::real_wait;
    w.sc = sc;
    w.rw = static_cast<sl::ReturnWhen>(*rc::gen::inRange(0, 3));
    w.timeout = sp::tied_timeout();
    const std::uint64_t wruns = check_every_schedule(w);
    RC_ASSERT(wruns > 0u);
    sp::AsCompletedTiedProgram a;
    a.impl = sp::real_as_completed;
    a.sc = sc;
    a.timeout = sp::tied_timeout();
    const std::uint64_t aruns = check_every_schedule(a);
    RC_ASSERT(aruns > 0u);
    schedules += runs + wruns + aruns;
    ++scenarios;
    schedule_decides += outcomes.size() > 1;
  }, {.max_success = 150});
  std::cout << "tied dfs: " << scenarios << " scenarios, " << schedules << " schedules (gather, wait, as_completed); in "
            << schedule_decides << " the schedule changed some task's outcome\n";
  // Cancels now race completions: some outcomes depend on the schedule.
  CHECK(schedule_decides > 0);
}
