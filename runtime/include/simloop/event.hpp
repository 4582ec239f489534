#pragma once
// Event: asyncio.Event (CPython 3.11 locks.py).
//
//   sl::Event ev;
//   co_await ev.wait();     // returns at once if set; otherwise until set()
//   ev.set();               // wakes every waiter, in the order they started waiting [S74]
//   ev.clear();
//
// set() resolves each waiter's future; each waiter's task resumes one
// iteration later, in deque order. A waiter cancelled while waiting just
// leaves (an event has nothing to pass on).
#include <simloop/coro.hpp>
#include <simloop/detail/sync_base.hpp>
#include <simloop/future.hpp>

#include <cstddef>
#include <deque>

namespace simloop {

class Event : detail::LoopBound {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  bool is_set() const noexcept { return value_; }
  void set();
  void clear() noexcept { value_ = false; }
  // Returns true once the flag is set.
  Coro<bool> wait();

  std::size_t waiter_count() const noexcept { return waiters_.size(); }

 private:
  std::deque<Future<bool>> waiters_;
  bool value_ = false;
};

}  // namespace simloop
