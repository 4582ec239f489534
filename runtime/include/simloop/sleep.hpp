#pragma once
// sleep(d): asyncio.sleep.
//   d <= 0  a bare yield: the task gives up exactly one loop iteration [S39].
//   d > 0   a future set by a call_later(d) timer; the task resumes in the
//           iteration after the timer fires (the future's done callback is
//           call_soon'ed), exactly as asyncio. Cancelling the sleeping task
//           cancels the future, and the timer is cancelled on the way out [S40].
//           The future and its timer are one object (detail/timer_future.hpp).
#include <simloop/detail/timer_future.hpp>
#include <simloop/future.hpp>
#include <simloop/loop.hpp>
#include <simloop/task.hpp>

#include <coroutine>
#include <utility>

namespace simloop {

class SleepAwaiter {
 public:
  explicit SleepAwaiter(Duration d) : delay_(d) {}
  SleepAwaiter(SleepAwaiter&& o) noexcept : delay_(o.delay_), fut_(std::exchange(o.fut_, nullptr)) {}
  SleepAwaiter& operator=(SleepAwaiter&&) = delete;
  ~SleepAwaiter() {
    if (fut_) {
      fut_->cancel_timer();  // the `finally: h.cancel()` of asyncio.sleep
      fut_->release();
    }
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    detail::TaskBase& task = detail::task_for_await("sleep()");
    if (delay_ <= Duration::zero()) {
      detail::suspend_yield(task, h);
      return;
    }
    fut_ = task.loop().sleep_timer(delay_).detach();
    detail::suspend_on(task, *fut_, h);
  }
  void await_resume() {
    if (!fut_) {  // a bare yield
      get_running_loop().rethrow_pending_exception();
      return;
    }
    fut_->cancel_timer();
    fut_->loop().rethrow_pending_exception();
    fut_->check_result();
  }

 private:
  // 16 bytes: this awaiter sits in the frame of every sleeping coroutine (a
  // frame of bench W1b is 96 bytes with it, one of W3 112).
  Duration delay_;
  // From await_suspend on: the future the task waits on, which is also the
  // timer that sets it (Loop::sleep_timer); one reference.
  detail::TimerFuture* fut_ = nullptr;
};

// co_await sleep(1s);   co_await sleep(Duration::zero());  // yield once
inline SleepAwaiter sleep(Duration d) { return SleepAwaiter(d); }

}  // namespace simloop
