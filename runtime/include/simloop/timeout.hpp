#pragma once
// timeout(d) / timeout_at(t): asyncio.timeout (CPython 3.11 timeouts.py), an
// async context manager that cancels the block when its deadline passes and
// turns that cancellation into TimeoutError [S71].
//
//   co_await sl::async_with(sl::timeout(1s), [&](sl::Timeout& t) -> sl::Coro<void> {
//     co_await long_running();
//     t.reschedule(sl::get_running_loop().time() + 5s);   // move the deadline
//   });                                                  // throws sl::TimeoutError
//   int v = co_await sl::with_timeout(1s, [&]() -> sl::Coro<int> { ... });   // shorthand
//
// How it works (a port of Timeout): aenter() remembers the current task and
// its cancelling() count and schedules the deadline (call_at, or call_soon if
// already due). At the deadline the task is cancel()ed and the state becomes
// `expiring`. aexit() cancels the timer; if the timeout fired, it calls
// task.uncancel() and — when that leaves no cancel request beyond the ones
// seen at entry and the block ended in CancelledError — throws TimeoutError
// in its place. So a cancellation from outside (another cancel() request)
// still propagates as CancelledError, and nested timeouts each convert only
// their own. timeout(nullopt) never fires; expired() tells whether it fired.
//
// States: created -> active (aenter) -> expiring (deadline hit) -> expired (aexit)
//                                    -> finished (aexit before the deadline)
// reschedule() is only legal while active (std::runtime_error otherwise, with
// asyncio's messages). A Timeout may be moved only before it is entered.
// aexit never suppresses (returns Coro<void>), so async_with gives the body's
// result directly.
#include <simloop/async_with.hpp>
#include <simloop/coro.hpp>
#include <simloop/loop.hpp>
#include <simloop/task.hpp>
#include <simloop/time.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace simloop {

class Timeout {
 public:
  enum class State : std::uint8_t { created, active, expiring, expired, finished };

  // Use timeout()/timeout_at() rather than constructing one directly.
  explicit Timeout(std::optional<TimePoint> when) : when_(when) {}
  Timeout(Timeout&& o);
  Timeout& operator=(Timeout&&) = delete;
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;
  ~Timeout() { handle_.cancel(); }

  // The current deadline (nullopt: none).
  std::optional<TimePoint> when() const noexcept { return when_; }
  // Move the deadline (nullopt: disable); due or past deadlines fire on the next iteration.
  void reschedule(std::optional<TimePoint> when);
  // Did the deadline pass while the block ran?
  bool expired() const noexcept { return state_ == State::expiring || state_ == State::expired; }
  State state() const noexcept { return state_; }

  Coro<void> aenter();
  Coro<void> aexit(std::exception_ptr exc);

 private:
  void on_timeout();

  std::optional<TimePoint> when_;
  Handle handle_;
  AnyTask task_;
  int cancelling_ = 0;
  State state_ = State::created;
};

// A Timeout firing `delay` from now on the running loop (nullopt: never).
Timeout timeout(std::optional<Duration> delay);
// A Timeout firing at the loop time `when` (nullopt: never).
inline Timeout timeout_at(std::optional<TimePoint> when) { return Timeout(when); }

// `async with timeout(delay): body` in one call; returns the body's result.
template <class F>
auto with_timeout(std::optional<Duration> delay, F body) -> Coro<detail::async_with_result_t<Timeout, F>> {
  co_return co_await async_with(timeout(delay), std::move(body));
}

}  // namespace simloop
