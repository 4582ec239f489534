#include <simloop/task.hpp>

#include <cassert>
#include <stdexcept>

namespace simloop {
namespace detail {

bool is_cancelled_error(const std::exception_ptr& e) noexcept {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

void throw_await_outside_task(const char* what) {
  throw std::runtime_error(std::string("cannot await ") + what +
                           " outside a task: await it from a coroutine run by simloop::run(), sim::run() or "
                           "create_task()");
}
void suspend_on(TaskBase& t, FutureBase& f, std::coroutine_handle<> h) noexcept { t.note_suspend_on(f, h); }
void rethrow_pending(TaskBase& t) { t.rethrow_pending(); }

TaskBase::TaskBase(Loop& loop, std::coroutine_handle<> root, std::string&& name)
    : FutureBase(loop), root_(root), resume_point_(root), task_id_(loop.next_task_number()) {
  is_task_ = true;
  // Else "Task-<id>", formatted by name(); the number is used up either way [S26].
  if (!name.empty()) set_name(std::move(name));
  loop.register_task(*this);
  if (auto* o = loop.observer()) o->on_task_created(*this);
  loop.schedule_step(this);  // [S25] never inline: the first step is queued
}

TaskBase::~TaskBase() {
  if (log_traceback_) report_unretrieved("Task", name());  // name() formats: only when reporting
  destroy_frame();
}

void TaskBase::destroy_frame() noexcept {
  if (root_) std::exchange(root_, {}).destroy();
  resume_point_ = {};
}

void TaskBase::abandon() noexcept {
  destroy_frame();
  if (fut_waiter_) {
    fut_waiter_->remove_done_listener(this);  // our wake-up
    fut_waiter_ = nullptr;
  }
  drop_done_callbacks();
}

namespace {
// A step that throws an exception in, queued as a callback: the listener
// keeps the exception, the item's argument is the task.
struct ThrowIn final : DoneListener {
  ThrowIn(std::exception_ptr&& e, std::uint64_t task_id) noexcept : exc(std::move(e)), task_id(task_id) {}
  void on_future_done(FutureBase* task) override { static_cast<TaskBase*>(task)->step(&exc); }
  std::uint64_t owner_task() const noexcept override { return task_id; }
  std::exception_ptr exc;
  std::uint64_t task_id;
};
}  // namespace

void TaskBase::schedule_throw_in(std::exception_ptr exc) {
  assert(exc);
  loop().schedule_callback(Ref<RefCounted>(new ThrowIn(std::move(exc), task_id_)), this);
}

bool TaskBase::cancel(std::string msg) {
  log_traceback_ = false;
  if (done()) return false;  // [S32]
  ++num_cancels_requested_;  // [S31]
  if (auto* o = loop().observer()) o->on_cancel_requested(*this, msg);
  // [S29] Cancel what we wait on; its CancelledError reaches the coroutine.
  // fut_waiter_ stays: it may be a task that ignores the cancellation.
  if (fut_waiter_ && fut_waiter_->cancel(msg)) return true;
  // [S34] Otherwise the next step throws CancelledError in.
  task_must_cancel_ = true;
  set_cancel_message(std::move(msg));
  return true;
}

namespace {
// What the awaited future throws into the coroutine (null: a result).
std::exception_ptr outcome_exception(FutureBase* f) {
  try {
    f->check_result();
  } catch (...) {
    return std::current_exception();  // may be a cancellation
  }
  return nullptr;
}
}  // namespace

void TaskBase::wakeup(FutureBase* f) {
  std::exception_ptr exc = outcome_exception(f);
  step(exc ? &exc : nullptr);
}

void TaskBase::run_done(Ref<FutureBase>&& f) {
  Ref<FutureBase> fut(std::move(f));
  std::exception_ptr exc = outcome_exception(fut.get());
  // The coroutine's handle to the future keeps it (FutureAwaiter holds a
  // pointer into it; fut_waiter_ does too until step). Dropping the ready
  // item's reference now lets an rvalue await see it is the only one.
  fut = nullptr;
  step(exc ? &exc : nullptr);
}

void TaskBase::step(std::exception_ptr* exc) {
  if (done()) [[unlikely]]
    step_on_done_task();
  // Finishing unregisters us from the loop, dropping its reference: the
  // caller's keeps us alive (every step runs from a ready item, which holds
  // the task as its object or its argument until the step returns).
  assert(ref_count() >= 2);  // the loop's and the caller's
  assert(!exc || *exc);      // null, or an exception to throw in
  if (task_must_cancel_) [[unlikely]] {
    task_must_cancel_ = false;
    if (!exc || !is_cancelled_error(*exc)) {
      std::exception_ptr cancelled = make_cancelled_error();
      step(&cancelled);
      return;
    }
  }
  fut_waiter_ = nullptr;
  Loop& l = loop();
  if (auto* o = l.observer()) {
    if (o->defers_step_starts() && !l.has_step_start()) {
      l.keep_step_start(Loop::step_start_word(task_id_, (task_started_ ? Loop::StepState::kLaterStep : 0) |
                                                            (exc ? Loop::StepState::kThrowing : 0)));
    } else {
      o->on_task_step(*this, exc != nullptr);
    }
  }

  if (!task_started_ && exc) {
    // [S28] Thrown into a coroutine that never started: it ends with that
    // exception and its body never runs.
    finish(std::move(*exc));
    return;
  }
  task_started_ = true;
  auto& handshake = l.step_state();
  handshake.yield = Loop::StepState::Yield::none;
  // Assigned only when set: each exception_ptr assignment destroys a
  // temporary out of line, and most steps throw nothing in.
  assert(!handshake.pending_exc);  // cleared after every resume
  if (exc) handshake.pending_exc = std::move(*exc);
  l.enter_task(*this, task_id_);
  resume_point_.resume();
  l.leave_task();
  if (handshake.pending_exc) handshake.pending_exc = nullptr;  // not taken by an await: dropped
  const auto yielded_how = handshake.yield;
  FutureBase* const f = std::exchange(handshake.yielded, nullptr);  // the awaited future, if blocking

  if (root_.done()) {
    finish(root_exception());
    return;
  }
  switch (yielded_how) {
    case Loop::StepState::Yield::blocking: {
      if (&f->loop() != &l || f == this) [[unlikely]] {
        refuse_await(*f);
        break;
      }
      f->add_done_listener(Ref<DoneListener>(this));  // on_future_done: wakeup
      fut_waiter_ = Ref<FutureBase>(f);
      if (auto* o = l.observer()) o->on_task_suspended(*this, f);
      if (task_must_cancel_ && fut_waiter_->cancel(cancel_message())) task_must_cancel_ = false;
      break;
    }
    case Loop::StepState::Yield::bare:
      // [S39] A bare yield gives up exactly one loop iteration.
      if (auto* o = l.observer()) o->on_task_suspended(*this, nullptr);
      l.schedule_step(this);
      break;
    case Loop::StepState::Yield::none:
      fail_foreign_await();
      break;
  }
}

// The rare ends of a step, out of line: building their messages in step
// itself cost every step a larger frame and more saved registers.
void TaskBase::refuse_await(FutureBase& f) {
  // As Task.__step: both errors are thrown into the coroutine at its await
  // on the next iteration, so it can catch them.
  if (&f.loop() != &loop()) {
    schedule_throw_in(std::make_exception_ptr(std::runtime_error(
        "task " + name() + " got future #" + std::to_string(f.id()) +
        " attached to a different loop: a future can only be awaited by tasks of the loop it was created on")));
  } else {
    schedule_throw_in(std::make_exception_ptr(
        std::runtime_error("task " + name() + " cannot await itself: await another task or future")));
  }
}

void TaskBase::fail_foreign_await() {
  // The coroutine suspended on an awaitable simloop does not know: nothing
  // will ever resume it through the loop. Fail the task loudly.
  destroy_frame();
  finish(std::make_exception_ptr(std::logic_error(
      "task " + name() +
      " suspended on an awaitable that is not simloop's (only Future, Task, Coro, sleep and simloop's "
      "combinators and primitives can be awaited inside a task)")));
}

void TaskBase::step_on_done_task() {
  throw InvalidStateError("step(): task " + name() + " is already done");
}

void TaskBase::finish(std::exception_ptr exc) {
  if (!exc) {
    if (task_must_cancel_) {
      // Cancelled right before the coroutine returned.
      task_must_cancel_ = false;
      cancel_future(cancel_message());
    } else {
      finish_with_root_value();
    }
  } else if (is_cancelled_error(exc)) {
    save_cancelled_error(exc);  // the first retrieval raises this very error
    cancel_future({});
  } else {
    set_exception(std::move(exc));
  }
  destroy_frame();
  if (auto* o = loop().observer()) o->on_task_finished(*this);
  loop().unregister_task(*this);
}

}  // namespace detail

AnyTask current_task() {
  Loop* l = running_loop();
  detail::TaskBase* t = l ? l->current_task() : nullptr;
  return t ? AnyTask(detail::Ref<detail::TaskBase>(t)) : AnyTask();
}

}  // namespace simloop
