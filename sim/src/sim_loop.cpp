#include <simloop/sim/sim_loop.hpp>
#include <simloop/task.hpp>

#include <fmt/format.h>

#include <cassert>
#include <cstdio>

namespace simloop::sim {

SimLoop::SimLoop(const SimConfig& config)
    : config_(config), time_limit_(config.virtual_time_max) {
  explore_ready_order_ = config.explore_ready_order;
  explore_timer_ties_ = config.explore_timer_ties;
  trace_.set_keep_events(config.keep_trace);
  // record_step_start: a step's start is recorded with what it does next.
  defers_step_starts_ = true;
  set_observer(this);
  if (config.steps_max) steps_limit_ = config.steps_max;
}

std::string SimLoop::task_label(std::uint64_t task_id) const {
  if (task_id == 0) return "(no task)";
  for (auto& t : all_tasks())
    if (t->task_id() == task_id) return t->name();
  return trace_.task_name(task_id);  // finished: its name if the trace kept it
}

// The event a step starts with.
static EventKind step_event(bool throwing, bool later) noexcept {
  return throwing ? EventKind::task_thrown : later ? EventKind::task_resumed : EventKind::task_started;
}

void SimLoop::record_step_start() {
  const std::uint64_t w = take_step_start();
  last_task_ = step_start_task_id(w);
  trace_.record(step_event(w & StepState::kThrowing, w & StepState::kLaterStep), now_.time_since_epoch().count(),
                last_task_);
}

void SimLoop::record_after_step_start(EventKind kind, std::uint64_t task, std::uint64_t arg, std::uint32_t aux,
                                      ChoicePoint why) {
  record_step_start();
  trace_.record(kind, now_.time_since_epoch().count(), task, arg, aux, why);
}

void SimLoop::wait_for_work(std::optional<TimePoint> deadline) {
  if (!deadline) {
    throw Deadlock(fmt::format(
        "deadlock at t={:.6f}s: no callback is ready and no timer is pending, but the main task has not "
        "finished. Pending tasks and what they await:\n{}",
        seconds(now_), describe_pending_tasks()));
  }
  assert(*deadline >= now_);  // virtual time never goes backwards
  if (time_limit_ > Duration::zero() && deadline->time_since_epoch() > time_limit_) {
    if (hung_) throw Hang("the tasks left did not finish within a second virtual-time budget after a hang");
    hang(fmt::format("virtual-time budget of {:.6f}s exceeded: the next timer is due at t={:.6f}s",
                     seconds(config_.virtual_time_max), seconds(*deadline)));
  }
  if (*deadline > now_) now_ = *deadline;
}

void SimLoop::hang(const std::string& what) {
  settle_step_start();
  hung_ = true;
  // Let teardown (cancelling the tasks left) run on a fresh budget.
  if (steps_limit_ != kNoStepLimit) steps_limit_ = steps() + config_.steps_max;
  if (time_limit_ > Duration::zero()) time_limit_ = now_.time_since_epoch() + config_.virtual_time_max;
  std::string running = last_task_ ? task_label(last_task_) : std::string("no task (plain callbacks)");
  throw Hang(fmt::format("hang at t={:.6f}s after {} steps: {}. The task that was running: {}. "
                         "Pending tasks:\n{}",
                         seconds(now_), steps(), what, running, describe_pending_tasks()));
}

void SimLoop::on_steps_limit(const ReadyItem& item) {
  settle_step_start();  // names its task in last_task_ first
  if (const std::uint64_t owner = item.owner_task()) last_task_ = owner;
  if (steps() > steps_limit_) {
    if (!hung_) {
      hang(fmt::format("step budget of {} callbacks exceeded (a task that never waits for time to pass, "
                       "e.g. a loop on sleep(0)?)",
                       config_.steps_max));
    }
    throw Hang("the tasks left did not finish within a second step budget after a hang");
  }
}

std::size_t SimLoop::choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks) {
  assert(n >= 2);
  std::size_t i = config_.chooser ? config_.chooser->choose(n, why, tasks) : 0;
  decisions_.push_back(static_cast<std::uint32_t>(i));
  record(EventKind::choice, current_task_id(), i, static_cast<std::uint32_t>(n), why);
  return i;
}

Duration SimLoop::timer_jitter() {
  if (config_.jitter_max <= Duration::zero()) return Duration::zero();
  std::uint32_t k = config_.jitter_choices < 2 ? 2 : config_.jitter_choices;
  std::size_t i = decide(k, ChoicePoint::timer_jitter);
  return config_.jitter_max * static_cast<Duration::rep>(i) / static_cast<Duration::rep>(k - 1);
}

void SimLoop::report(const std::string& message) {
  reports_.push_back(message);
  record_with_string(EventKind::report, current_task_id(), message);
  if (!config_.quiet) std::fprintf(stderr, "simloop: %s\n", message.c_str());
}

std::vector<std::string> SimLoop::note_main_finished() {
  std::vector<std::string> out;
  for (auto& t : all_tasks()) {
    if (t->done()) continue;
    std::string line = fmt::format("{} was still pending when main returned", t->name());
    if (auto* f = t->waiting_on()) {
      line += f->is_task() ? " (awaits task " + static_cast<detail::TaskBase*>(f)->name() + ")"
                           : fmt::format(" (awaits future #{})", f->id());
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string SimLoop::describe_pending_tasks() const {
  std::string out;
  for (auto& t : all_tasks()) {
    out += "  " + t->name() + ": ";
    if (auto* f = t->waiting_on()) {
      if (f->is_task()) {
        out += "awaits task " + static_cast<detail::TaskBase*>(f)->name();
      } else {
        out += "awaits future #" + std::to_string(f->id());
      }
    } else {
      out += t->started() ? "not waiting on anything" : "never started";
    }
    out += "\n";
  }
  return out;
}

// --- the trace ---------------------------------------------------------------

void SimLoop::on_task_created(const detail::TaskBase& t) {
  // Default names are not stored: Trace::task_name rebuilds "Task-<id>".
  if (t.has_given_name()) trace_.set_task_name(t.task_id(), t.name());
  record(EventKind::task_created, t.task_id(), current_task_id());
}

void SimLoop::on_task_step(const detail::TaskBase& t, bool throwing) {
  // Called only when the loop still kept an earlier start (record takes it
  // first), or by an observer that wraps this one.
  last_task_ = t.task_id();
  record(step_event(throwing, t.started()), t.task_id());
}

// An event whose argument is a string: the kept step start comes before
// the string (an argument evaluated first would fold the string first).
void SimLoop::record_with_string(EventKind kind, std::uint64_t task, std::string text) {
  settle_step_start();
  record(kind, task, trace_.add_string(std::move(text)));
}

// Where a step ends (suspended, finished): its kept start, if this task's
// (every step that records nothing else, e.g. each switch of bench W2), is
// recorded with the end in one Trace::record_step. Inline: in each hook.
[[gnu::always_inline]] inline void SimLoop::record_step_end(EventKind end, std::uint64_t task_id, std::uint64_t arg,
                                                            std::uint32_t aux) {
  if (step_start_task_id(step_state().started) == task_id) {  // task ids start at 1: never a word of 0
    const std::uint64_t w = take_step_start();
    last_task_ = task_id;
    trace_.record_step(step_event(w & StepState::kThrowing, w & StepState::kLaterStep), end,
                       now_.time_since_epoch().count(), task_id, arg, aux);
  } else {
    record_step_end_alone(end, task_id, arg, aux);
  }
}

// Out of line: the common path above then saves no registers.
void SimLoop::record_step_end_alone(EventKind end, std::uint64_t task_id, std::uint64_t arg, std::uint32_t aux) {
  record(end, task_id, arg, aux);  // records another task's kept start first
}

// Split by how, each part out of line: a bare yield (every W2 switch)
// then saves no registers for the blocking case's work.
void SimLoop::on_task_suspended(const detail::TaskBase& t, const detail::FutureBase* fut) {
  if (!fut) {
    on_task_yielded(t.task_id());
  } else {
    on_task_blocked(t.task_id(), *fut);
  }
}

void SimLoop::on_task_yielded(std::uint64_t task_id) { record_step_end(EventKind::task_yielded, task_id); }

void SimLoop::on_task_blocked(std::uint64_t task_id, const detail::FutureBase& fut) {
  if (fut.is_task()) {
    record_step_end(EventKind::task_suspended, task_id, static_cast<const detail::TaskBase&>(fut).task_id(), 1);
  } else {
    record_step_end(EventKind::task_suspended, task_id, fut.id(), 0);
  }
}

void SimLoop::on_task_finished(const detail::TaskBase& t) {
  if (t.cancelled()) {
    record_with_string(EventKind::task_cancelled, t.task_id(), t.cancel_message());
  } else if (auto& e = t.peek_exception()) {
    record_with_string(EventKind::task_failed, t.task_id(), describe_exception(e));
  } else {
    record_step_end(EventKind::task_done, t.task_id());
  }
}

void SimLoop::on_cancel_requested(const detail::TaskBase& t, const std::string& msg) {
  record_with_string(EventKind::cancel_requested, t.task_id(), msg);
}

void SimLoop::on_timer_fired(std::uint64_t owner_task, std::uint64_t seq) { record(EventKind::timer_fired, owner_task, seq); }

void SimLoop::on_callback(std::uint64_t owner_task) {
  if (owner_task) last_task_ = owner_task;
  record(EventKind::callback, owner_task);
}

}  // namespace simloop::sim
