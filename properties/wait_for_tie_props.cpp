// wait_for with the inner's result due at the deadline instant [S60] and with
// an inner that suppresses the cancellation [S59], checked against the trace
// of each run (wait_for_tie_property.hpp): under rapidcheck schedules, and
// under every schedule of small cases.
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/wait_for_tie_property.hpp>

#include <iostream>

namespace sl = simloop;
namespace sp = simloop::properties;

TEST_CASE("wait_for at a tie: the value or TimeoutError, as the trace's order says; both happen for both kinds of inner [S57] [S60]",
          "[S57][S60][ties]") {
  auto probe = std::make_shared<sp::TieProbe>();
  sp::prop("wait_for.tie", sp::wait_for_tie_property(sp::real_wait_for_aw, sp::InnerKinds::any, false, probe),
           {.max_success = 200});
  std::cout << "wait_for ties: coroutine inner first " << probe->tie_inner_first[1] << ", timeout first "
            << probe->tie_timeout_first[1] << "; task inner first " << probe->tie_inner_first[0] << ", timeout first "
            << probe->tie_timeout_first[0] << "\n";
  // Random schedules reach both outcomes of a tie, for both kinds of inner.
  for (int coro : {0, 1}) {
    CHECK(probe->tie_inner_first[coro] > 0);
    CHECK(probe->tie_timeout_first[coro] > 0);
  }
}

TEST_CASE("wait_for: an inner that catches the CancelledError and returns a value gives that value, not TimeoutError (3.11) [S59]",
          "[S59][ties]") {
  // CPython 3.11.7 (python3): wait_for(inner(), 0.1) where inner catches
  // CancelledError, sleeps 0.2 s and returns 42 -> 42 after 0.3 s.
  sp::prop("wait_for.suppressed", sp::wait_for_tie_property(sp::real_wait_for_aw, sp::InnerKinds::any, true),
           {.max_success = 150});
}

namespace {
// Every schedule of `c`; the outcome of each checked against its trace.
struct Exhaustive {
  std::uint64_t runs = 0;
  std::uint64_t inner_first = 0, timeout_first = 0;
  std::optional<sp::WaitForGot> fifo;  // the outcome at the all-zero schedule
};
Exhaustive exhaust(const sp::WaitForCase& c) {
  Exhaustive e;
  sp::WaitForRun o;
  auto main = sp::wait_for_case_main(sp::real_wait_for_aw, c, o);
  e.runs = sp::for_each_schedule(main, [&](sl::sim::RunReport& rep, std::size_t deviations) {
    o.run.report = std::move(rep);
    bool first = sp::check_wait_for_run(c, o);
    ++(first ? e.inner_first : e.timeout_first);
    if (deviations == 0) e.fifo = o.got;
  });
  return e;
}
}  // namespace

TEST_CASE("wait_for at a tie, every schedule: the FIFO schedule gives S60's answer, a deviation the other [S60] [S5]",
          "[S60][S5][dfs][ties]") {
  // The inner sleeps 2 ms; the deadline is 2 ms.
  sp::prop("wait_for.tie.both_outcomes", [] {
    for (bool coro : {true, false}) {
      sp::WaitForCase c;
      c.coro = coro;
      c.steps = {2};
      c.timeout = 2;
      Exhaustive e = exhaust(c);
      RC_LOG() << (coro ? "coroutine" : "task") << ": " << e.runs << " schedules\n";
      RC_ASSERT(e.runs == 2u);  // one tie of two timers
      RC_ASSERT(e.inner_first == 1u);
      RC_ASSERT(e.timeout_first == 1u);
      RC_ASSERT(e.fifo.has_value());
      // FIFO: the timer registered first wins: wait_for's for a coroutine, the task's own for a task [S60].
      RC_ASSERT(*e.fifo == (coro ? sp::WaitForGot::timeout : sp::WaitForGot::value));
    }
  }, {.max_success = 1});
}

TEST_CASE("wait_for, every schedule of random small cases (<= 2 steps): trace-consistent in each; as many schedules as sim::explore's dfs [S57] [S59] [S60]",
          "[S57][S59][S60][dfs][ties]") {
  std::uint64_t schedules = 0, cases = 0, both = 0;
  sp::prop("wait_for.tie.dfs", [&] {
    const sp::WaitForCase c = *sp::gen::wait_for_case(sp::InnerKinds::any, *rc::gen::arbitrary<bool>(), 2);
    Exhaustive e = exhaust(c);
    RC_ASSERT(e.runs > 0u);  // 0: over the budget
    // The same program under sim::explore's dfs: the same number of schedules, exhausted.
    sp::WaitForRun o;
    auto main = sp::wait_for_case_main(sp::real_wait_for_aw, c, o);
    auto rep = sl::sim::explore(main, {.runs = 10'000, .strategy = sl::sim::Strategy::dfs});
    RC_LOG() << rep.to_string() << "\n";
    RC_ASSERT(rep.exhausted);
    RC_ASSERT(rep.runs == e.runs);
    schedules += e.runs;
    ++cases;
    both += e.inner_first > 0 && e.timeout_first > 0;
  }, {.max_success = 60});
  std::cout << "wait_for dfs: " << cases << " cases, " << schedules << " schedules, " << both
            << " with both outcomes\n";
  CHECK(both > 0);
}
