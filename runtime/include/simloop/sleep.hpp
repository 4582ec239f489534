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

#include <cassert>
#include <coroutine>
#include <cstdint>
#include <utility>

namespace simloop {

class SleepAwaiter {
 public:
  explicit SleepAwaiter(Duration d) : word_(d > Duration::zero() ? encode_delay(d) : kBareYield) {}
  SleepAwaiter(SleepAwaiter&& o) noexcept : word_(std::exchange(o.word_, kBareYield)) {}
  SleepAwaiter& operator=(SleepAwaiter&&) = delete;
  ~SleepAwaiter() {
    if (auto* f = future()) {
      f->cancel_timer();  // the `finally: h.cancel()` of asyncio.sleep
      f->release();
    }
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    detail::TaskBase& task = detail::running_task_for_await("sleep()");
    if (word_ == kBareYield) {
      task.note_suspend_yield(h);  // inline: every sleep(0)
      return;
    }
    detail::TimerFuture* f = task.loop().sleep_timer(Duration(word_ >> 1)).detach();
    word_ = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(f));
    detail::suspend_on(task, *f, h);
  }
  void await_resume() {
    detail::TimerFuture* f = future();
    if (!f) {  // a bare yield: resumed by its task's step, so a loop is running
      assert(detail::tl_running_loop);
      detail::tl_running_loop->rethrow_pending_exception();
      return;
    }
    f->cancel_timer();
    f->loop().rethrow_pending_exception();
    f->check_result();
  }

 private:
  // One word, because this awaiter sits in the frame of every sleeping
  // coroutine and a second one cost bench W1b and W3 a frame size class
  // (16 bytes a task; see CoroPromiseBase):
  //   kBareYield (0)   sleep(d <= 0): a bare yield;
  //   odd              not awaited yet: the delay in nanoseconds, shifted
  //                    left by one (delays beyond 2^62 ns, 146 years, are
  //                    cut to that: virtual time stays far from overflow);
  //   even, not 0      from await_suspend on: the future the task waits on,
  //                    which is also the timer that sets it
  //                    (Loop::sleep_timer); one reference.
  static constexpr std::int64_t kBareYield = 0;
  static constexpr std::int64_t kMaxDelay = std::int64_t{1} << 62;
  static std::int64_t encode_delay(Duration d) noexcept {
    const std::int64_t ns = d.count() < kMaxDelay ? d.count() : kMaxDelay - 1;
    return (ns << 1) | 1;
  }
  detail::TimerFuture* future() const noexcept {
    if (word_ == kBareYield || (word_ & 1) != 0) return nullptr;
    return reinterpret_cast<detail::TimerFuture*>(static_cast<std::uintptr_t>(word_));
  }
  std::int64_t word_;
};
static_assert(sizeof(SleepAwaiter) == 8, "a sleep's awaiter is one word (in every sleeping frame)");

// co_await sleep(1s);   co_await sleep(Duration::zero());  // yield once
inline SleepAwaiter sleep(Duration d) { return SleepAwaiter(d); }

}  // namespace simloop
