#pragma once
// Semaphore and BoundedSemaphore: asyncio's (CPython 3.11 locks.py).
//
//   sl::Semaphore sem(2);                     // value must be >= 0 (std::invalid_argument)
//   { auto permit = co_await sem.scoped(); ... }   // acquire ... release at scope exit
//
// acquire() takes a permit at once when locked() is false — the value is
// positive and no live waiter is queued (no barging past waiters); otherwise
// it queues a future (FIFO [S75]). release() adds a permit and hands it to
// the first waiter not yet woken (the value is decremented on its behalf).
// A waiter cancelled after being handed a permit gives it back and wakes the
// next one, so no permit is lost [S73 for semaphores]. A woken waiter that
// finds the value still positive wakes the next one too (3.11.7's fix for
// lost wake-ups).
//
// BoundedSemaphore: release() beyond the initial value raises
// std::invalid_argument ("BoundedSemaphore released too many times") [S75].
#include <simloop/coro.hpp>
#include <simloop/detail/sync_base.hpp>
#include <simloop/future.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>

namespace simloop {

class Semaphore : detail::LoopBound {
 public:
  explicit Semaphore(std::int64_t value = 1);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  virtual ~Semaphore() = default;

  // True if acquire() would wait.
  bool locked() const noexcept;
  Coro<bool> acquire();
  virtual void release();
  Coro<Guard<Semaphore>> scoped();

  Coro<void> aenter();
  Coro<void> aexit(std::exception_ptr);  // never suppresses: asyncio's __aexit__ returns None

  // The counter (asyncio's _value): permits not handed to anyone.
  std::int64_t value() const noexcept { return value_; }
  std::size_t waiter_count() const noexcept { return waiters_.size(); }

 protected:
  std::int64_t value_;

 private:
  void wake_up_next();
  std::deque<Future<bool>> waiters_;
};

class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(std::int64_t value = 1) : Semaphore(value), bound_value_(value) {}
  void release() override;

 private:
  std::int64_t bound_value_;
};

}  // namespace simloop
