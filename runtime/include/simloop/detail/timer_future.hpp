#pragma once
// The future sleep(d) awaits, which is also its own timer.
//
// asyncio.sleep makes a future and a call_later handle whose callback sets
// it: two objects, and every firing walked from one to the other. Here the
// loop keeps the future itself in its timer queue (Loop::sleep_timer), and
// firing it does what that callback did: set the result unless the future
// is already done (futures._set_result_unless_cancelled). Every observable
// step stays asyncio's: the timer moves to the ready queue when due (in
// deadline order, ties a choice point), "its callback" runs in the next
// iteration, and the waiting task wakes in the one after; registration
// numbers, jitter choices and trace events are those of a call_later.
//
// Why: bench W3 (10^6 sleeping tasks) fires timers in deadline order, not
// allocation order, so every object on the way from the timer queue to the
// task is a cache miss. One object less per sleep: 80 bytes, and one miss.
#include <simloop/detail/future_base.hpp>

#include <cstdint>

namespace simloop {
class Loop;
class ReadyItem;
}

namespace simloop::detail {

class TimerFuture final : public FutureBase {
 public:
  explicit TimerFuture(Loop& loop) : FutureBase(loop) {}

  // TimerHandle.cancel() of the hidden handle: the timer will not fire (if
  // it has not yet), and a loop still holding it counts it for purging.
  // Idempotent; the future itself is untouched.
  void cancel_timer() noexcept;
  bool timer_cancelled() const noexcept { return timer_cancelled_; }

 private:
  friend class simloop::Loop;
  friend class simloop::ReadyItem;  // owner_task()
  // The handle's callback: run by the loop once the timer is due.
  void fire() {
    // The waiting task (fetched when the timer became due, Loop::fire_timer)
    // resumes its frame in the next iteration: fetch the frame meanwhile.
    if (DoneListener* waiter = first_listener()) __builtin_prefetch(waiter->first_touch());
    if (!done()) mark_result_set();
  }

  // The hidden handle's fields (HandleState's owner_task, cancelled and
  // scheduled_on), in one word. Its deadline and registration number live
  // only in the loop's timer queue entry, which is all that reads them.
  std::uint64_t owner_task_ : 62 = 0;  // the task that slept (ids stay far below 2^62)
  bool timer_cancelled_ : 1 = false;
  bool queued_ : 1 = false;  // in its loop's timer queue
};

}  // namespace simloop::detail
