#pragma once
// SimLoop: a Loop on a virtual clock. Time is integer nanoseconds from 0; when
// nothing is ready the clock jumps straight to the earliest timer, so
// `co_await sleep(1h)` costs no wall time.
//
// Every nondeterministic choice the loop makes goes through its Chooser (the
// one decision source, chooser.hpp); without one it answers 0 everywhere:
// asyncio's own order. Every answer is recorded (decisions()), so any run can
// be replayed. The loop observes itself to record the trace (trace.hpp) and
// enforces the hang budgets. Most users never build one: sim::run and
// sim::explore do.
#include <simloop/loop.hpp>
#include <simloop/sim/chooser.hpp>
#include <simloop/sim/failure.hpp>
#include <simloop/sim/trace.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace simloop::sim {

// What a SimLoop is configured with (sim::run derives it from RunOptions).
struct SimConfig {
  Chooser* chooser = nullptr;  // null: always 0
  bool explore_ready_order = false;
  bool explore_timer_ties = false;
  Duration jitter_max{0};
  std::uint32_t jitter_choices = 2;
  std::uint64_t steps_max = 0;   // 0: no budget
  Duration virtual_time_max{0};  // 0: no budget
  bool keep_trace = false;       // keep events (the hash is always computed)
  bool quiet = false;            // reports go to reports() only, not stderr
};

class SimLoop : public Loop, private LoopObserver {
 public:
  SimLoop() : SimLoop(SimConfig{}) {}
  explicit SimLoop(const SimConfig& config);
  ~SimLoop() override { close(); }

  TimePoint time() const override { return now_; }
  bool is_simulated() const noexcept override { return true; }

  // What every pending task is waiting on, one line each (deadlock reports).
  std::string describe_pending_tasks() const;

  // The answers given so far, in order (the schedule's decisions).
  const std::vector<std::uint32_t>& decisions() const noexcept { return decisions_; }
  // The trace so far. Read inside a step, it ends with that step's start
  // (kept back by the loop until the step records anything else).
  const Trace& trace() const {
    settle_step_start();
    return trace_;
  }
  Trace& trace() {
    settle_step_start();
    return trace_;
  }
  std::uint64_t trace_hash() const { return trace().hash(); }
  // Everything the loop reported (asyncio's exception handler messages).
  const std::vector<std::string>& reports() const noexcept { return reports_; }
  void report(const std::string& message) override;

  // sim::run calls this when main has returned, before cancelling the rest:
  // one line per task still pending then ("Task-3 was still pending when main
  // returned: awaits future #7").
  std::vector<std::string> note_main_finished();

 protected:
  void wait_for_work(std::optional<TimePoint> deadline) override;
  std::size_t choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks) override;
  Duration timer_jitter() override;
  void on_steps_limit(const ReadyItem& item) override;

  TimePoint now_{};

 private:
  // LoopObserver: the trace.
  void on_task_created(const detail::TaskBase&) override;
  void on_task_step(const detail::TaskBase&, bool throwing) override;
  void on_task_suspended(const detail::TaskBase&, const detail::FutureBase* fut) override;
  void on_task_finished(const detail::TaskBase&) override;
  void on_cancel_requested(const detail::TaskBase&, const std::string& msg) override;
  void on_timer_fired(std::uint64_t owner_task, std::uint64_t seq) override;
  void on_callback(std::uint64_t owner_task) override;
  void on_exception_report(const std::string&) override {}

  // Every event goes through here: a kept step start is recorded first.
  void record(EventKind kind, std::uint64_t task, std::uint64_t arg = 0, std::uint32_t aux = 0,
              ChoicePoint why = ChoicePoint::ready_order) {
    if (has_step_start()) [[unlikely]] {
      record_after_step_start(kind, task, arg, aux, why);  // out of line: no registers saved here
      return;
    }
    trace_.record(kind, now_.time_since_epoch().count(), task, arg, aux, why);
  }
  [[gnu::noinline]] void record_after_step_start(EventKind kind, std::uint64_t task, std::uint64_t arg,
                                                 std::uint32_t aux, ChoicePoint why);
  void record_with_string(EventKind kind, std::uint64_t task, std::string text);
  // The start of the step in progress, which the loop kept for us
  // (LoopObserver::defers_step_starts): recorded before any other event.
  void record_step_start();
  // A step's end (suspended, yielded, done) with its kept start, as one
  // Trace::record_step when the start is this task's (sim_loop.cpp, inline there).
  void record_step_end(EventKind end, std::uint64_t task_id, std::uint64_t arg = 0, std::uint32_t aux = 0);
  [[gnu::noinline]] void record_step_end_alone(EventKind end, std::uint64_t task_id, std::uint64_t arg,
                                               std::uint32_t aux);
  [[gnu::noinline]] void on_task_yielded(std::uint64_t task_id);
  [[gnu::noinline]] void on_task_blocked(std::uint64_t task_id, const detail::FutureBase& fut);
  // For const readers of the trace: recording the kept start changes what
  // the trace holds, not what happened (SimLoop objects are never const).
  void settle_step_start() const {
    if (has_step_start()) const_cast<SimLoop*>(this)->record_step_start();
  }
  std::string task_label(std::uint64_t task_id) const;
  [[noreturn]] void hang(const std::string& what);

  SimConfig config_;
  Trace trace_;
  std::vector<std::uint32_t> decisions_;
  std::vector<std::string> reports_;
  // For hang reports: the task whose step ran last, or the owner of the
  // handle (call_soon, timer) that ran since, or of the item that passed
  // the step budget. A done callback leaves it alone: a task's wake-up is
  // its next step, and asking every callback for its owner cost a virtual
  // call per item.
  std::uint64_t last_task_ = 0;
  // Current budgets (the step budget is Loop::steps_limit_): raised once
  // after a hang so that teardown (cancelling the tasks left) can run; a
  // second overrun ends the teardown too.
  Duration time_limit_{0};
  bool hung_ = false;
};

}  // namespace simloop::sim
