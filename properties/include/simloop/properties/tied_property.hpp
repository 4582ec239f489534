#pragma once
// gather and wait when injected cancels and timeouts fall on the instants
// completions happen at (gen::scenario(..., Instants::tied)).
//
// A cancel and a completion due at one instant race (a timer-tie choice,
// S5), so predict() no longer gives one answer. These properties check
// instead that what the run did is what asyncio does *given the order the
// trace shows*:
//   - every scenario task ends as its trace says it must
//     (trace_inconsistency): cancelled iff a cancel request reached it before
//     it finished or the task it was awaiting ended cancelled [S29] [S34];
//     an error is its own or the awaited task's; every cancel request comes
//     from the injector (nothing else cancels), and every injected cancel is
//     delivered or found the task already done [S32];
//   - gather(return_exceptions): slot i is task i's own outcome, returned at
//     the instant the last task finished [S42] [S46];
//   - wait: the done/pending partition is exactly the tasks finished when the
//     waiting task resumed (trace order), and it returns at the first instant
//     its condition or its timeout holds [S50] [S51] [S52];
//   - as_completed(timeout): its timeout callback answers every input still
//     unanswered at once (_on_timeout), in the very first iteration at the
//     deadline, before any completion due then (a completion needs a task
//     step, one iteration later): so exactly the inputs that finished before
//     the deadline instant are yielded, in completion order, then
//     TimeoutError — under every schedule [S62] [S63].
#include <simloop/properties/check.hpp>
#include <simloop/properties/combinator_property.hpp>
#include <simloop/properties/gather_property.hpp>
#include <simloop/properties/trace_view.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace simloop::properties {

// The scenario's tasks after a run: ids (for the trace) and outcomes.
struct LiveIds {
  std::vector<std::uint64_t> ids;
  std::uint64_t injector = 0;
  std::vector<Predicted> finals;  // observed(task, 0)
};
inline LiveIds live_ids(const Live& live) {
  LiveIds out;
  for (const auto& t : live.tasks) {
    out.ids.push_back(t.task_id());
    out.finals.push_back(observed(t, 0));
  }
  out.injector = live.injector.task_id();
  return out;
}

// "" if every task ended as the trace's order makes asyncio end it; else why not.
inline std::string trace_inconsistency(const Scenario& sc, const LiveIds& l, const TraceView& tv) {
  std::vector<std::size_t> fin(l.ids.size());
  for (std::size_t i = 0; i < l.ids.size(); ++i) {
    auto f = tv.finish_of(l.ids[i]);
    if (!f) return "task " + std::to_string(i) + " has no finish event";
    fin[i] = *f;
  }
  for (std::size_t i = 0; i < l.ids.size(); ++i) {
    const std::string who = "task " + std::to_string(i) + " (" + describe(l.finals[i]) + "): ";
    const Predicted& p = l.finals[i];
    const auto kind = tv[fin[i]].kind;
    const auto want_kind = p.ending == Ending::value ? sim::EventKind::task_done
                           : p.ending == Ending::error ? sim::EventKind::task_failed
                                                       : sim::EventKind::task_cancelled;
    if (kind != want_kind) return who + "its finish event says otherwise";
    const auto reqs = tv.cancel_requests(l.ids[i]);
    for (auto e : reqs)
      if (tv.actor(e) != l.injector) return who + "cancelled by something other than the injected cancels";
    const bool req_before = !reqs.empty() && reqs.front() < fin[i];
    // An ending taken over from a task it awaits, finished before it (an
    // await of a task already done does not suspend, so the spec says which
    // tasks it awaits, not the trace).
    auto propagated = [&](Ending e, int origin) {
      for (const auto& st : sc.tasks[i].steps) {
        if (!st.is_await) continue;
        const auto j = std::size_t(st.target);
        if (fin[j] < fin[i] && l.finals[j].ending == e && (e == Ending::cancelled || l.finals[j].origin == origin))
          return true;
      }
      return false;
    };
    if (req_before && p.ending != Ending::cancelled) return who + "a cancel reached it before it finished";
    if (p.ending == Ending::cancelled && !req_before && !propagated(Ending::cancelled, -1))
      return who + "cancelled, but no cancel reached it and it awaited no cancelled task";
    if (p.ending == Ending::value && sc.tasks[i].raises) return who + "returned, but it raises";
    if (p.ending == Ending::error && !(p.origin == int(i) && sc.tasks[i].raises) && !propagated(Ending::error, p.origin))
      return who + "an error that is neither its own nor an awaited task's";
  }
  // Each injected cancel was delivered at its instant, or found the task done.
  for (const auto& c : sc.cancels) {
    bool delivered = false;
    for (auto e : tv.cancel_requests(l.ids[std::size_t(c.task)])) delivered |= tv.ms(e) == c.at;
    std::optional<std::size_t> last_injector_step;
    for (std::size_t e = 0; e < tv.size(); ++e)
      if (tv[e].task == l.injector && TraceView::is_step(tv[e].kind) && tv.ms(e) == c.at) last_injector_step = e;
    if (!last_injector_step) return "the injector did not run at " + std::to_string(c.at) + " ms";
    if (!delivered && !(fin[std::size_t(c.task)] < *last_injector_step))
      return "the cancel of task " + std::to_string(c.task) + " at " + std::to_string(c.at) + " ms was lost";
  }
  return "";
}

inline void require_consistent(const Scenario& sc, const ScheduledRun& run, const LiveIds& l) {
  require_passed(run);
  RC_ASSERT(run.report.trace != nullptr);
  const TraceView tv(*run.report.trace);
  const std::string why = trace_inconsistency(sc, l, tv);
  if (!why.empty()) RC_FAIL(why);
}

// Each property is a program (one simulated run that records what it saw;
// re-runnable, so for_each_schedule can run it under every schedule) and a
// check of one run against its trace; the rapidcheck properties below
// generate the case and the schedule.

// gather(return_exceptions) under tied instants [S42] [S46].
struct GatherTiedProgram {
  GatherRe impl;
  Scenario sc;
  std::vector<Outcome<int>> got;
  long at = -1;
  std::size_t returned_at = 0;
  LiveIds l;

  Coro<void> operator()() {
    got.clear();
    auto live = spawn(sc);
    got = co_await impl(*live);
    at = now_ms();
    returned_at = running_trace().size();
    co_await finish(live);
    l = live_ids(*live);
  }

  void check(const ScheduledRun& run) const {
    require_consistent(sc, run, l);
    const TraceView tv(*run.report.trace);
    RC_ASSERT(got.size() == sc.tasks.size());
    long last = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const auto f = *tv.finish_of(l.ids[i]);
      RC_ASSERT(f < returned_at);  // every child done when gather returns [S46]
      last = std::max(last, tv.ms(f));
      Predicted g = observed(got[i], 0);
      RC_LOG() << "slot " << i << ": task " << describe(l.finals[i]) << " slot " << describe(g) << "\n";
      RC_ASSERT(matches(l.finals[i], g));  // its own outcome, in argument order [S42]
    }
    RC_ASSERT(at == last);
  }
};

// wait under tied instants (the timeout, when there is one, ties too) [S50] [S51] [S52].
struct WaitTiedProgram {
  WaitImpl impl;
  Scenario sc;
  ReturnWhen rw = ReturnWhen::all_completed;
  std::optional<int> timeout;
  std::vector<int> done_ids, pending_ids;
  bool done_all_done = true, pending_none_done = true;
  long at = -1;
  std::size_t returned_at = 0;
  std::uint64_t waiter = 0;
  LiveIds l;

  Coro<void> operator()() {
    done_ids.clear();
    pending_ids.clear();
    done_all_done = pending_none_done = true;
    waiter = current_task().id();
    auto live = spawn(sc);
    WaitOptions o;
    if (timeout) o.timeout = std::chrono::milliseconds(*timeout);
    o.return_when = rw;
    auto r = co_await impl(live->tasks, o);
    at = now_ms();
    returned_at = running_trace().size();
    for (auto& t : r.done) done_all_done &= t.done();
    for (auto& t : r.pending) pending_none_done &= !t.done();
    auto index = [&](const Task<int>& t) {
      for (std::size_t i = 0; i < live->tasks.size(); ++i)
        if (live->tasks[i] == t) return int(i);
      return -1;
    };
    for (auto& t : r.done) done_ids.push_back(index(t));
    for (auto& t : r.pending) pending_ids.push_back(index(t));
    co_await finish(live);
    l = live_ids(*live);
  }

  void check(const ScheduledRun& run) const {
    require_consistent(sc, run, l);
    const TraceView tv(*run.report.trace);
    const std::size_t n = sc.tasks.size();
    // done ∪ pending = input, disjoint [S50]; states at the instant wait returns [S52].
    std::set<int> all(done_ids.begin(), done_ids.end());
    all.insert(pending_ids.begin(), pending_ids.end());
    RC_ASSERT(all.size() == n);
    RC_ASSERT(done_ids.size() + pending_ids.size() == n);
    RC_ASSERT(!all.count(-1));
    RC_ASSERT(done_all_done);
    RC_ASSERT(pending_none_done);
    // The partition is the tasks the trace shows finished before the step
    // in which the waiting task resumed and wait returned.
    const auto resumed = tv.step_before(waiter, returned_at);
    RC_ASSERT(resumed.has_value());
    std::vector<std::size_t> fin(n);
    for (std::size_t i = 0; i < n; ++i) fin[i] = *tv.finish_of(l.ids[i]);
    std::set<int> done_set(done_ids.begin(), done_ids.end());
    for (std::size_t i = 0; i < n; ++i) {
      RC_LOG() << "task " << i << " finished at event " << fin[i] << " (t=" << tv.ms(fin[i]) << ") "
               << (done_set.count(int(i)) ? "done" : "pending") << "\n";
      RC_ASSERT(done_set.count(int(i)) == (fin[i] < *resumed ? 1u : 0u));
    }
    // It returns at the first instant its condition holds, or at the timeout [S51].
    long first = 1L << 30, last = 0, first_exc = 1L << 30;
    for (std::size_t i = 0; i < n; ++i) {
      const long t = tv.ms(fin[i]);
      first = std::min(first, t);
      last = std::max(last, t);
      if (l.finals[i].ending == Ending::error) first_exc = std::min(first_exc, t);  // cancelled is no exception
    }
    long when = rw == ReturnWhen::all_completed ? last : rw == ReturnWhen::first_completed ? first : std::min(first_exc, last);
    if (timeout) when = std::min<long>(when, *timeout);
    RC_LOG() << "wait returned at " << at << " ms, resumed at event " << *resumed << "; expected at " << when << "\n";
    RC_ASSERT(at == when);
  }
};

// as_completed under tied instants, its timeout tied too [S62] [S63].
struct AsCompletedTiedProgram {
  AsCompletedImpl impl;
  Scenario sc;
  std::optional<int> timeout;
  std::vector<Outcome<int>> got;
  std::vector<int> order;
  bool timed_out = false;
  long at = -1;
  LiveIds l;

  Coro<void> operator()() {
    got.clear();
    timed_out = false;
    auto live = spawn(sc);
    std::optional<Duration> t;
    if (timeout) t = std::chrono::milliseconds(*timeout);
    got = co_await impl(live->tasks, t, timed_out);
    at = now_ms();
    co_await finish(live);
    order = live->order;
    l = live_ids(*live);
  }

  void check(const ScheduledRun& run) const {
    require_consistent(sc, run, l);
    const TraceView tv(*run.report.trace);
    const std::size_t n = sc.tasks.size();
    std::size_t before = 0;
    long last = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const long t = tv.ms(*tv.finish_of(l.ids[i]));
      last = std::max(last, t);
      before += !timeout || t < *timeout;  // a completion at the deadline loses to the timeout
    }
    RC_LOG() << "yielded " << got.size() << ", finished before the deadline " << before << "\n";
    RC_ASSERT(got.size() == before);
    RC_ASSERT(timed_out == (before < n));
    RC_ASSERT(at == (timed_out ? long(*timeout) : last));
    RC_ASSERT(order.size() >= got.size());  // (the last done callbacks may not have run yet)
    for (std::size_t k = 0; k < got.size(); ++k) {
      const Predicted& w = l.finals[std::size_t(order[k])];
      const Predicted g = observed(got[k], 0);
      RC_LOG() << "#" << k << ": task " << order[k] << " " << describe(w) << ", yielded " << describe(g) << "\n";
      RC_ASSERT(matches(w, g));  // in completion order [S62]
    }
  }
};

// An optional tied timeout (3 times in 4).
inline std::optional<int> tied_timeout() {
  std::optional<int> timeout;
  if (*rc::gen::inRange(0, 4) != 0) timeout = *timeout_gen(Instants::tied);
  return timeout;
}

// Runs `program` under the generated schedule and checks it (recording the
// run's deviations in `probe`).
template <class Program>
void run_and_check(Program& program, const ScheduleSeq& sched, TieProbe* probe) {
  auto run = run_traced(program, sched);
  if (probe) probe->deviations = run.deviations;
  probed(probe, [&] { program.check(run); });
}

inline auto gather_tied_property(GatherRe impl, std::shared_ptr<TieProbe> probe = nullptr,
                                 rc::Gen<ScheduleSeq> schedules = gen::schedule()) {
  return [=] {
    GatherTiedProgram p;
    p.impl = impl;
    p.sc = *gen::scenario(6, 3, 2, Instants::tied);
    run_and_check(p, *schedules, probe.get());
  };
}

inline auto wait_tied_property(WaitImpl impl, std::shared_ptr<TieProbe> probe = nullptr,
                               rc::Gen<ScheduleSeq> schedules = gen::schedule()) {
  return [=] {
    WaitTiedProgram p;
    p.impl = impl;
    p.sc = *gen::scenario(6, 3, 2, Instants::tied);
    const ScheduleSeq sched = *schedules;
    p.rw = static_cast<ReturnWhen>(*rc::gen::inRange(0, 3));
    p.timeout = tied_timeout();
    run_and_check(p, sched, probe.get());
  };
}

inline auto as_completed_tied_property(AsCompletedImpl impl, std::shared_ptr<TieProbe> probe = nullptr,
                                       rc::Gen<ScheduleSeq> schedules = gen::schedule()) {
  return [=] {
    AsCompletedTiedProgram p;
    p.impl = impl;
    p.sc = *gen::scenario(6, 3, 2, Instants::tied);
    const ScheduleSeq sched = *schedules;
    p.timeout = tied_timeout();
    run_and_check(p, sched, probe.get());
  };
}

}  // namespace simloop::properties
