#pragma once
// Reading a run's trace in a property, for outcomes the schedule decides.
//
// When two things happen at the same virtual instant (a timeout and a
// completion, an injected cancel and a completion), which one the program
// sees first is a timer-tie choice (S5), so there is no single predicted
// answer: the property reads what happened from the trace and checks the
// outcome is the one asyncio gives for *that* order.
//
//   run_traced(main, seq)       run_scheduled with the events kept
//   running_trace()             the trace of the run in progress (inside main)
//   TraceView                   finish / step / cancel-request events by task
//   for_each_schedule(main, f)  every schedule of a small program (dfs by hand,
//                               so that each run's trace can be checked)
#include <simloop/properties/schedule.hpp>

#include <simloop/sim.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace simloop::properties {

// The trace of the run in progress (call from inside a run_traced main).
inline const sim::Trace& running_trace() { return dynamic_cast<sim::SimLoop&>(get_running_loop()).trace(); }

// run_scheduled, with the trace's events kept (report.trace).
template <class F>
ScheduledRun run_traced(F&& main, const ScheduleSeq& s, ScheduleOptions o = {}) {
  o.keep_trace = true;
  return run_scheduled(std::forward<F>(main), s, o);
}

// The events of one run, indexed by what the properties ask.
class TraceView {
 public:
  explicit TraceView(const sim::Trace& t) : ev_(t.events()) {}

  std::size_t size() const noexcept { return ev_.size(); }
  const sim::TraceEvent& operator[](std::size_t i) const { return ev_[i]; }
  long ms(std::size_t i) const { return static_cast<long>(ev_[i].time_ns / 1'000'000); }

  static bool is_step(sim::EventKind k) { return sim::is_step_start(k); }
  static bool is_finish(sim::EventKind k) {
    return k == sim::EventKind::task_done || k == sim::EventKind::task_failed || k == sim::EventKind::task_cancelled;
  }

  // The event where the task reached its terminal state.
  std::optional<std::size_t> finish_of(std::uint64_t task) const {
    for (std::size_t i = 0; i < ev_.size(); ++i)
      if (ev_[i].task == task && is_finish(ev_[i].kind)) return i;
    return std::nullopt;
  }
  // The first step of the task at index > from.
  std::optional<std::size_t> step_after(std::uint64_t task, std::size_t from) const {
    for (std::size_t i = from + 1; i < ev_.size(); ++i)
      if (ev_[i].task == task && is_step(ev_[i].kind)) return i;
    return std::nullopt;
  }
  // The last step of the task at index < before (the step running then).
  std::optional<std::size_t> step_before(std::uint64_t task, std::size_t before) const {
    for (std::size_t i = std::min(before, ev_.size()); i-- > 0;)
      if (ev_[i].task == task && is_step(ev_[i].kind)) return i;
    return std::nullopt;
  }
  std::vector<std::size_t> cancel_requests(std::uint64_t task) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < ev_.size(); ++i)
      if (ev_[i].task == task && ev_[i].kind == sim::EventKind::cancel_requested) out.push_back(i);
    return out;
  }
  // The task it last suspended on (a task's id) before index `before`, if
  // that suspension was on a task.
  std::optional<std::uint64_t> awaited_task_before(std::uint64_t task, std::size_t before) const {
    for (std::size_t i = std::min(before, ev_.size()); i-- > 0;)
      if (ev_[i].task == task && ev_[i].kind == sim::EventKind::task_suspended)
        return ev_[i].aux == 1 ? std::optional<std::uint64_t>(ev_[i].arg) : std::nullopt;
    return std::nullopt;
  }
  // Whose code was running at event i: the task of the latest step or plain
  // callback before it (0: a callback of no task, or nothing yet).
  std::uint64_t actor(std::size_t i) const {
    while (i-- > 0)
      if (is_step(ev_[i].kind) || ev_[i].kind == sim::EventKind::callback) return ev_[i].task;
    return 0;
  }

 private:
  std::vector<sim::TraceEvent> ev_;
};

// A chooser for exhaustive enumeration: answers `script` then 0, and records
// how many options every choice had.
class ScriptChooser final : public sim::Chooser {
 public:
  std::vector<std::uint32_t> script;
  std::vector<std::uint32_t> answered;
  std::vector<std::uint32_t> sizes;
  void begin_run() override {
    answered.clear();
    sizes.clear();
  }

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) override {
    std::size_t k = answered.size();
    std::uint32_t i = k < script.size() ? script[k] : 0;
    answered.push_back(i);
    sizes.push_back(static_cast<std::uint32_t>(n));
    return i;
  }
};

// Runs `main` under every schedule (every answer to every choice point, as
// sim::explore's dfs, but with the trace kept) and calls
// visit(const sim::RunReport&, deviations) for each. Returns the number of
// schedules, or 0 if there were more than max_runs.
template <class F, class Visit>
std::uint64_t for_each_schedule(F&& main, Visit&& visit, std::uint64_t max_runs = 10'000,
                                ScheduleOptions o = {}) {
  ScriptChooser c;
  std::uint64_t runs = 0;
  for (;;) {
    if (++runs > max_runs) return 0;
    auto rep = sim::try_run(main, {.strategy = sim::Strategy::external,
                                   .explore_ready_order = o.explore_ready_order,
                                   .explore_timer_ties = o.explore_timer_ties,
                                   .steps_max = 200'000,
                                   .trace = true,
                                   .chooser = &c,
                                   .quiet = true});
    std::size_t deviations = 0;
    for (auto a : c.answered) deviations += a != 0;
    visit(rep, deviations);
    // Next schedule: advance the deepest choice with an untried option.
    std::vector<std::uint32_t> next = c.answered;
    while (!next.empty() && next.back() + 1 >= c.sizes[next.size() - 1]) next.pop_back();
    if (next.empty()) return runs;
    ++next.back();
    c.script = std::move(next);
  }
}

// Tie statistics and the deviations of failing runs (for the tests that ask
// whether both outcomes happen, and how small a shrunk schedule is).
struct TieProbe {
  long tie_inner_first[2] = {0, 0};  // [coro]: ties where the inner had finished when the caller resumed
  long tie_timeout_first[2] = {0, 0};
  std::size_t deviations = 0;        // of the current case's run
  std::size_t failing_runs = 0;
  std::size_t first_failing = 0;     // deviations of the first failing run
  std::size_t last_failing = 0;      // ... and of the last (rapidcheck keeps every failing shrink: the result)
};

// Runs `body` (a property) and records the deviations of a failing case.
template <class Body>
void probed(TieProbe* probe, Body&& body) {
  try {
    body();
  } catch (...) {
    if (probe) {
      if (probe->failing_runs++ == 0) probe->first_failing = probe->deviations;
      probe->last_failing = probe->deviations;
    }
    throw;
  }
}

}  // namespace simloop::properties
