#pragma once
// Condition: asyncio.Condition (CPython 3.11 locks.py).
//
//   sl::Condition cond;                       // owns a Lock; or Condition(lock) shares one
//   { auto g = co_await cond.scoped();
//     co_await cond.wait_for([&] { return ready; });  // releases, waits, reacquires
//   }
//   { auto g = co_await cond.scoped(); ready = true; cond.notify_all(); }
//
// wait() requires the lock held (std::runtime_error "cannot wait on
// un-acquired lock"), releases it, waits for notify(), then reacquires it
// before returning — also when cancelled: a cancellation while waiting or
// while reacquiring still reacquires, then raises CancelledError [S77].
// notify(n) wakes the first n waiters not already woken, in FIFO order; it
// also requires the lock ("cannot notify on un-acquired lock").
#include <simloop/coro.hpp>
#include <simloop/detail/sync_base.hpp>
#include <simloop/future.hpp>
#include <simloop/lock.hpp>

#include <cstddef>
#include <deque>
#include <exception>
#include <memory>

namespace simloop {

class Condition : detail::LoopBound {
 public:
  Condition() : own_(std::make_unique<Lock>()), lock_(own_.get()) {}
  explicit Condition(Lock& lock) : lock_(&lock) {}
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // The underlying lock's locked(), acquire() and release(), as asyncio exports them.
  bool locked() const noexcept { return lock_->locked(); }
  Coro<bool> acquire() { return lock_->acquire(); }
  void release() { lock_->release(); }
  Coro<Guard<Condition>> scoped();

  // Returns true after a notify(), with the lock held again.
  Coro<bool> wait();
  // Waits until predicate() is true; returns its last value. The lock must be held.
  template <class P>
  Coro<bool> wait_for(P predicate) {
    bool result = static_cast<bool>(predicate());
    while (!result) {
      co_await wait();
      result = static_cast<bool>(predicate());
    }
    co_return result;
  }
  void notify(std::size_t n = 1);
  void notify_all() { notify(waiters_.size()); }

  Coro<void> aenter();
  Coro<void> aexit(std::exception_ptr);  // never suppresses: asyncio's __aexit__ returns None

  Lock& lock() const noexcept { return *lock_; }
  std::size_t waiter_count() const noexcept { return waiters_.size(); }

 private:
  std::unique_ptr<Lock> own_;
  Lock* lock_;
  std::deque<Future<bool>> waiters_;
};

}  // namespace simloop
