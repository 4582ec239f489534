#pragma once
// Barrier: asyncio.Barrier (new in 3.11; CPython 3.11 locks.py, ported with
// its Condition, its four states and its counters).
//
//   sl::Barrier barrier(3);
//   std::size_t index = co_await barrier.wait();   // 0..parties-1, arrival order
//
// The parties-th arrival moves the barrier to "draining" and wakes everyone
// [S78]; later arrivals wait until the last party of that round has left.
// Cancellation (3.11 semantics, checked with python3): a party cancelled while
// waiting for the others simply leaves — the count drops and the barrier is
// NOT broken, so the round needs one more arrival. reset() breaks the current
// round (waiters get BrokenBarrierError) and refills; abort() breaks the
// barrier for good.
#include <simloop/condition.hpp>
#include <simloop/coro.hpp>

#include <cstddef>
#include <exception>
#include <stdexcept>

namespace simloop {

// asyncio.BrokenBarrierError (a RuntimeError).
class BrokenBarrierError : public std::runtime_error {
 public:
  explicit BrokenBarrierError(const char* what) : std::runtime_error(what) {}
};

class Barrier {
 public:
  // parties must be > 0 (std::invalid_argument).
  explicit Barrier(std::size_t parties);
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Waits for `parties` tasks; returns this task's arrival index.
  Coro<std::size_t> wait();
  Coro<void> reset();
  Coro<void> abort();

  // `async with barrier as index:` waits on enter; exit does nothing.
  Coro<std::size_t> aenter() { return wait(); }
  Coro<void> aexit(std::exception_ptr);  // never suppresses: asyncio's __aexit__ returns None

  std::size_t parties() const noexcept { return parties_; }
  std::size_t n_waiting() const noexcept { return state_ == State::filling ? count_ : 0; }
  bool broken() const noexcept { return state_ == State::broken; }

 private:
  enum class State { filling, draining, resetting, broken };
  Coro<void> block();
  void release_parties();
  Coro<void> wait_released();
  void exit_round();

  Condition cond_;
  std::size_t parties_;
  std::size_t count_ = 0;
  State state_ = State::filling;
};

}  // namespace simloop
