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
  SleepAwaiter(SleepAwaiter&&) = default;
  ~SleepAwaiter() { timer_.cancel(); }  // the `finally: h.cancel()` of asyncio.sleep

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    detail::TaskBase& task = detail::task_for_await("sleep()");
    if (delay_ <= Duration::zero()) {
      detail::suspend_yield(task, h);
      return;
    }
    Future<void> f(task.loop());
    fut_ = detail::Ref<detail::FutureBase>(f.base());
    timer_ = task.loop().call_later(delay_, [f = std::move(f)]() mutable {
      if (!f.done()) f.set_result();  // futures._set_result_unless_cancelled
    });
    detail::suspend_on(task, *fut_, h);
  }
  void await_resume() {
    timer_.cancel();
    (fut_ ? fut_->loop() : get_running_loop()).rethrow_pending_exception();
    if (fut_) fut_->check_result();
  }

 private:
  // 24 bytes: this awaiter sits in the frame of every sleeping coroutine.
  Duration delay_;
  detail::Ref<detail::FutureBase> fut_;  // the Future<void> the timer sets (its base: no value slot)
  TimerHandle timer_;
};

// co_await sleep(1s);   co_await sleep(Duration::zero());  // yield once
inline SleepAwaiter sleep(Duration d) { return SleepAwaiter(d); }

}  // namespace simloop
