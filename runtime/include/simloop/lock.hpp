#pragma once
// Lock: asyncio.Lock (CPython 3.11 locks.py, ported line by line).
//
//   sl::Lock lock;
//   co_await lock.acquire();  ...  lock.release();
//   { auto guard = co_await lock.scoped(); ... }          // RAII: released at scope exit
//   co_await sl::async_with(lock, [&]() -> sl::Coro<void> { ... });   // `async with lock:`
//
// Waiters are a FIFO deque of futures [S72]. release() resolves the first
// waiter's future, but the lock is only taken when that waiter's task runs
// (an iteration later); meanwhile a newcomer's acquire() sees `locked()` false
// but live waiters, so it queues behind them (no barging). A waiter cancelled
// while waiting removes its future and, if the lock is free, wakes the next
// one — also when its future had already been resolved by release() in the
// same iteration (the lock is passed on, never lost) [S73].
//
// The lock is not owned by a task (asyncio's is not either): any task may
// release it; release() of an unlocked Lock raises std::runtime_error
// ("Lock is not acquired.") [S72].
#include <simloop/coro.hpp>
#include <simloop/detail/sync_base.hpp>
#include <simloop/future.hpp>

#include <cstddef>
#include <deque>
#include <exception>

namespace simloop {

class Lock : detail::LoopBound {
 public:
  Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  bool locked() const noexcept { return locked_; }
  // Waits (FIFO) until the lock is free, then takes it. Returns true, as asyncio.
  Coro<bool> acquire();
  // Frees the lock and wakes the first waiter; std::runtime_error if unlocked.
  void release();
  // acquire(), then a Guard that releases at scope exit.
  Coro<Guard<Lock>> scoped();

  // Async context manager protocol (async_with.hpp): `async with lock:`.
  Coro<void> aenter();
  Coro<void> aexit(std::exception_ptr);  // never suppresses: asyncio's __aexit__ returns None

  // Futures currently queued in acquire() (cancelled ones included until their
  // task removes them), for tests and diagnostics.
  std::size_t waiter_count() const noexcept { return waiters_.size(); }

 private:
  void wake_up_first();

  std::deque<Future<bool>> waiters_;
  bool locked_ = false;
};

}  // namespace simloop
