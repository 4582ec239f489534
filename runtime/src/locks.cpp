// asyncio.locks ported from CPython 3.11.7 (Lib/asyncio/locks.py). Each
// function mirrors its Python original statement by statement, so that wake-up
// order and the number of loop iterations match; Python's
//     try: await fut  finally: waiters.remove(fut)
// becomes "catch into an exception_ptr, remove, then act", because C++ cannot
// co_await inside a catch block.
#include <simloop/barrier.hpp>
#include <simloop/condition.hpp>
#include <simloop/event.hpp>
#include <simloop/lock.hpp>
#include <simloop/semaphore.hpp>
#include <simloop/task.hpp>

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace simloop {

// ---------------------------------------------------------------- Lock ----

Coro<bool> Lock::acquire() {
  if (!locked_ && std::all_of(waiters_.begin(), waiters_.end(), [](const auto& w) { return w.cancelled(); })) {
    locked_ = true;
    co_return true;
  }
  // The `finally` (removing fut) runs before the CancelledError handling, so
  // that we never try to wake ourselves up.
  Future<bool> fut(bound_loop("Lock"));  // named: GCC 12 mishandles temporaries in co_await expressions
  std::exception_ptr exc = co_await detail::await_as_waiter(waiters_, fut);
  if (exc) {
    if (detail::is_cancelled_error(exc) && !locked_) wake_up_first();  // pass the lock on [S73]
    std::rethrow_exception(exc);
  }
  locked_ = true;
  co_return true;
}

void Lock::release() {
  if (!locked_) throw std::runtime_error("Lock is not acquired.");
  locked_ = false;
  wake_up_first();
}

void Lock::wake_up_first() {
  if (waiters_.empty()) return;
  // A done future means its waiter will run later and either take the lock
  // or, cancelled and finding it free, call us again.
  auto& fut = waiters_.front();
  if (!fut.done()) fut.set_result(true);
}

Coro<Guard<Lock>> Lock::scoped() {
  co_await acquire();
  co_return Guard<Lock>(*this);
}

Coro<void> Lock::aenter() { co_await acquire(); }

Coro<void> Lock::aexit(std::exception_ptr) {
  release();
  co_return;
}

// --------------------------------------------------------------- Event ----

void Event::set() {
  if (value_) return;
  value_ = true;
  for (auto& fut : waiters_)
    if (!fut.done()) fut.set_result(true);
}

Coro<bool> Event::wait() {
  if (value_) co_return true;
  Future<bool> fut(bound_loop("Event"));  // named: GCC 12 mishandles temporaries in co_await expressions
  std::exception_ptr exc = co_await detail::await_as_waiter(waiters_, fut);
  if (exc) std::rethrow_exception(exc);
  co_return true;
}

// ----------------------------------------------------------- Condition ----

Coro<bool> Condition::wait() {
  if (!locked()) throw std::runtime_error("cannot wait on un-acquired lock");
  release();
  std::exception_ptr exc;
  try {
    Future<bool> fut(bound_loop("Condition"));
    exc = co_await detail::await_as_waiter(waiters_, fut);
  } catch (...) {
    exc = std::current_exception();  // bound_loop() refused: still reacquire, as Python's finally
  }
  // Must reacquire the lock even if the wait was cancelled [S77].
  bool cancelled = false;
  while (true) {
    try {
      co_await acquire();
      break;
    } catch (const CancelledError&) {
      cancelled = true;
    }
  }
  // Python raises a fresh CancelledError from the finally block, replacing
  // whatever the wait raised.
  if (cancelled) throw CancelledError();
  if (exc) std::rethrow_exception(exc);
  co_return true;
}

void Condition::notify(std::size_t n) {
  if (!locked()) throw std::runtime_error("cannot notify on un-acquired lock");
  std::size_t idx = 0;
  for (auto& fut : waiters_) {
    if (idx >= n) break;
    if (!fut.done()) {
      ++idx;
      fut.set_result(false);
    }
  }
}

Coro<Guard<Condition>> Condition::scoped() {
  co_await acquire();
  co_return Guard<Condition>(*this);
}

Coro<void> Condition::aenter() { co_await acquire(); }

Coro<void> Condition::aexit(std::exception_ptr) {
  release();
  co_return;
}

// ----------------------------------------------------------- Semaphore ----

Semaphore::Semaphore(std::int64_t value) : value_(value) {
  if (value < 0) throw std::invalid_argument("Semaphore initial value must be >= 0");
}

bool Semaphore::locked() const noexcept {
  return value_ == 0 ||
         std::any_of(waiters_.begin(), waiters_.end(), [](const auto& w) { return !w.cancelled(); });
}

Coro<bool> Semaphore::acquire() {
  if (!locked()) {
    --value_;
    co_return true;
  }
  Future<bool> fut(bound_loop("Semaphore"));
  std::exception_ptr exc = co_await detail::await_as_waiter(waiters_, fut);
  if (exc) {
    if (detail::is_cancelled_error(exc) && !fut.cancelled()) {
      // We were handed a permit (fut resolved) but were cancelled before
      // running: give it back to the next waiter.
      ++value_;
      wake_up_next();
    }
    std::rethrow_exception(exc);
  }
  if (value_ > 0) wake_up_next();
  co_return true;
}

void Semaphore::release() {
  ++value_;
  wake_up_next();
}

void Semaphore::wake_up_next() {
  for (auto& fut : waiters_) {
    if (!fut.done()) {
      --value_;
      fut.set_result(true);
      return;
    }
  }
}

Coro<Guard<Semaphore>> Semaphore::scoped() {
  co_await acquire();
  co_return Guard<Semaphore>(*this);
}

Coro<void> Semaphore::aenter() { co_await acquire(); }

Coro<void> Semaphore::aexit(std::exception_ptr) {
  release();  // virtual: a BoundedSemaphore checks its bound
  co_return;
}

void BoundedSemaphore::release() {
  if (value_ >= bound_value_) throw std::invalid_argument("BoundedSemaphore released too many times");
  Semaphore::release();
}

// ------------------------------------------------------------- Barrier ----

Barrier::Barrier(std::size_t parties) : parties_(parties) {
  if (parties < 1) throw std::invalid_argument("parties must be > 0");
}

Coro<std::size_t> Barrier::wait() {
  co_await cond_.acquire();  // async with self._cond:
  std::exception_ptr exc;
  std::size_t index = 0;
  try {
    co_await block();  // block while the barrier drains or resets
    std::exception_ptr inner;
    try {
      index = count_;
      ++count_;
      if (index + 1 == parties_) {
        release_parties();
      } else {
        co_await wait_released();
      }
    } catch (...) {
      inner = std::current_exception();
    }
    --count_;  // finally: leave, waking tasks waiting for the barrier to drain
    exit_round();
    if (inner) std::rethrow_exception(inner);
  } catch (...) {
    exc = std::current_exception();
  }
  cond_.release();
  if (exc) std::rethrow_exception(exc);
  co_return index;
}

Coro<void> Barrier::block() {
  co_await cond_.wait_for([this] { return state_ != State::draining && state_ != State::resetting; });
  if (state_ == State::broken) throw BrokenBarrierError("Barrier aborted");
}

void Barrier::release_parties() {
  // Enter draining: later arrivals wait until this round has left.
  state_ = State::draining;
  cond_.notify_all();
}

Coro<void> Barrier::wait_released() {
  co_await cond_.wait_for([this] { return state_ != State::filling; });
  if (state_ == State::broken || state_ == State::resetting)
    throw BrokenBarrierError("Abort or reset of barrier");
}

void Barrier::exit_round() {
  if (count_ == 0) {
    if (state_ == State::resetting || state_ == State::draining) state_ = State::filling;
    cond_.notify_all();
  }
}

Coro<void> Barrier::reset() {
  auto guard = co_await cond_.scoped();
  if (count_ > 0) {
    if (state_ != State::resetting) state_ = State::resetting;  // wake the waiters with an error
  } else {
    state_ = State::filling;
  }
  cond_.notify_all();
}

Coro<void> Barrier::abort() {
  auto guard = co_await cond_.scoped();
  state_ = State::broken;
  cond_.notify_all();
}

Coro<void> Barrier::aexit(std::exception_ptr) { co_return; }

}  // namespace simloop
