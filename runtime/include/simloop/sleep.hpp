#pragma once
// sleep(d): asyncio.sleep.
//   d <= 0  a bare yield: the task gives up exactly one loop iteration [S39].
//   d > 0   a future set by a call_later(d) timer; the task resumes in the
//           iteration after the timer fires (the future's done callback is
//           call_soon'ed), exactly as asyncio. Cancelling the sleeping task
//           cancels the future, and the timer is cancelled on the way out [S40].
#include <simloop/future.hpp>
#include <simloop/loop.hpp>
#include <simloop/task.hpp>

#include <coroutine>

namespace simloop {

class SleepAwaiter {
 public:
  explicit SleepAwaiter(Duration d) : delay_(d) {}
  SleepAwaiter(SleepAwaiter&& o) noexcept : timer_(std::move(o.timer_)) {
    if (timer_) {
      fut_ = o.fut_;  // o's timer_ is empty now, so o no longer releases it
    } else {
      delay_ = o.delay_;
    }
  }
  SleepAwaiter& operator=(SleepAwaiter&&) = delete;
  ~SleepAwaiter() {
    if (timer_) {
      timer_.cancel();  // the `finally: h.cancel()` of asyncio.sleep
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
    Future<void> f(task.loop());
    detail::Ref<detail::FutureBase> keep(f.base());
    TimerHandle t = task.loop().call_later(delay_, [f = std::move(f)]() mutable {
      if (!f.done()) f.set_result();  // futures._set_result_unless_cancelled
    });
    fut_ = keep.detach();  // the delay is no longer needed
    timer_ = std::move(t);
    detail::suspend_on(task, *fut_, h);
  }
  void await_resume() {
    if (!timer_) {  // a bare yield
      get_running_loop().rethrow_pending_exception();
      return;
    }
    timer_.cancel();
    fut_->loop().rethrow_pending_exception();
    fut_->check_result();
  }

 private:
  // 16 bytes: this awaiter sits in the frame of every sleeping coroutine (a
  // frame of bench W1b or W3 fits 96 bytes with it, 112 with three fields).
  // Until a timer is set, the delay; from then on (timer_ not empty) the
  // Future<void> the timer sets (its base: no value slot), one reference.
  union {
    Duration delay_;
    detail::FutureBase* fut_;
  };
  TimerHandle timer_;
};

// co_await sleep(1s);   co_await sleep(Duration::zero());  // yield once
inline SleepAwaiter sleep(Duration d) { return SleepAwaiter(d); }

}  // namespace simloop
