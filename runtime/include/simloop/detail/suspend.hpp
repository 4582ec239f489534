#pragma once
// The protocol between simloop's awaiters and the task running them — the C++
// form of asyncio's "yield a future from Future.__await__" handshake:
//
//   await_suspend: tell the current task what it now waits on (a future, or a
//                  bare yield for sleep(0)) and where to resume; return to
//                  the task's step, which registers the wake-up like
//                  Task.__step does.
//   await_resume:  first rethrow whatever the task was asked to throw in
//                  (a cancellation: asyncio's coro.throw(exc)), then produce
//                  the result.
#include <coroutine>

namespace simloop::detail {
class TaskBase;
class FutureBase;

// (The task executing on the running loop is running_task_for_await, in
// loop.hpp: inline, every await asks. A bare yield, sleep(0), calls
// TaskBase::note_suspend_yield inline.)
void suspend_on(TaskBase& t, FutureBase& f, std::coroutine_handle<> h) noexcept;
void rethrow_pending(TaskBase& t);

}  // namespace simloop::detail
