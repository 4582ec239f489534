// TaskGroup: a port of CPython 3.11.7's asyncio/taskgroups.py.
#include <simloop/task_group.hpp>

#include <algorithm>
#include <stdexcept>

namespace simloop {

TaskGroup::~TaskGroup() {
  // Only reached with children left when the parent's frame is destroyed at
  // loop teardown: make sure no child calls back into a dead group.
  for (auto& c : tasks_) c.task.base()->remove_done_callback(c.callback_id);
}

Coro<void> TaskGroup::aenter() {
  if (entered_) throw std::runtime_error("TaskGroup has already been entered");
  if (!loop_) loop_ = &get_running_loop();
  parent_task_ = current_task();
  if (!parent_task_) throw std::runtime_error("TaskGroup cannot determine the parent task: use it inside a task");
  entered_ = true;
  co_return;
}

Coro<void> TaskGroup::aexit(std::exception_ptr exc) {
  exiting_ = true;

  std::exception_ptr propagate_cancellation_error = detail::is_cancelled_error(exc) ? exc : nullptr;
  if (parent_cancel_requested_) {
    // If this flag is set we *must* call uncancel().
    if (parent_task_.uncancel() == 0) {
      // No cancel request left: do not propagate CancelledError.
      propagate_cancellation_error = nullptr;
    }
  }

  // The parent is being cancelled, or the body raised: stop the children.
  if (exc && !aborting_) abort();

  // A loop: on_completed_fut_ may be cancelled several times if the parent
  // is cancelled repeatedly.
  while (!tasks_.empty()) {
    if (!on_completed_fut_) on_completed_fut_.emplace(*loop_);
    std::exception_ptr cancelled;
    try {
      co_await *on_completed_fut_;
    } catch (const CancelledError&) {
      cancelled = std::current_exception();
    }
    if (cancelled && !aborting_) {
      // The parent was cancelled while the children still run.
      propagate_cancellation_error = cancelled;
      abort();
    }
    on_completed_fut_.reset();
  }

  // CancelledError yields to other errors.
  if (propagate_cancellation_error && errors_.empty()) std::rethrow_exception(propagate_cancellation_error);

  if (exc && !detail::is_cancelled_error(exc)) errors_.push_back(exc);

  if (!errors_.empty()) throw ExceptionGroup("unhandled errors in a TaskGroup", std::exchange(errors_, {}));
}

void TaskGroup::check_can_create() const {
  if (!entered_) throw std::runtime_error("TaskGroup has not been entered: create tasks inside its async_with body");
  if (exiting_ && tasks_.empty()) throw std::runtime_error("TaskGroup is finished");
  if (aborting_) throw std::runtime_error("TaskGroup is shutting down");
}

void TaskGroup::adopt(AnyTask t) {
  auto id = t.base()->add_done_callback([this](detail::FutureBase* f) { on_task_done(f); });
  tasks_.push_back(Child{std::move(t), id});
}

void TaskGroup::abort() {
  aborting_ = true;
  // Iterate a copy: cancel() never runs callbacks inline, but stay safe.
  std::vector<AnyTask> snapshot;
  snapshot.reserve(tasks_.size());
  for (auto& c : tasks_) snapshot.push_back(c.task);
  for (auto& t : snapshot)
    if (!t.done()) t.cancel();
}

void TaskGroup::on_task_done(detail::FutureBase* f) {
  auto it = std::find_if(tasks_.begin(), tasks_.end(), [f](const Child& c) { return c.task.base() == f; });
  AnyTask task = it != tasks_.end() ? it->task : AnyTask();
  if (it != tasks_.end()) tasks_.erase(it);

  if (on_completed_fut_ && tasks_.empty() && !on_completed_fut_->done()) on_completed_fut_->set_result(true);

  if (f->cancelled()) return;
  std::exception_ptr exc = f->exception();
  if (!exc) return;

  errors_.push_back(exc);

  if (parent_task_.done()) {
    loop_->report("Task " + (task ? task.name() : std::string("?")) + " has errored out but its parent task " +
                  parent_task_.name() + " is already completed: " + describe_exception(exc));
    return;
  }

  if (!aborting_ && !parent_cancel_requested_) {
    // The parent is not being cancelled: cancel it ourselves to abort what
    // the body awaits now, and mark it "not cancelled" again in aexit.
    abort();
    parent_cancel_requested_ = true;
    parent_task_.cancel();
  }
}

}  // namespace simloop
