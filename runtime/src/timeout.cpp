// Timeout: a port of CPython 3.11.7's asyncio/timeouts.py.
#include <simloop/timeout.hpp>

#include <stdexcept>

namespace simloop {

namespace {
const char* state_name(Timeout::State s) {
  switch (s) {
    case Timeout::State::created: return "created";
    case Timeout::State::active: return "active";
    case Timeout::State::expiring: return "expiring";
    case Timeout::State::expired: return "expired";
    case Timeout::State::finished: return "finished";
  }
  return "?";
}
}  // namespace

Timeout::Timeout(Timeout&& o) : when_(o.when_) {
  // The scheduled callback points at `this`: only an unentered Timeout moves.
  if (o.state_ != State::created)
    throw std::logic_error("a Timeout cannot be moved once entered: keep it where async_with put it");
}

void Timeout::reschedule(std::optional<TimePoint> when) {
  if (state_ != State::active) {
    if (state_ == State::created) throw std::runtime_error("Timeout has not been entered");
    throw std::runtime_error(std::string("Cannot change state of ") + state_name(state_) + " Timeout");
  }
  when_ = when;
  handle_.cancel();
  if (!when) {
    handle_ = Handle();
    return;
  }
  Loop& loop = get_running_loop();
  if (*when <= loop.time()) {
    handle_ = loop.call_soon([this] { on_timeout(); });
  } else {
    handle_ = loop.call_at(*when, [this] { on_timeout(); });
  }
}

Coro<void> Timeout::aenter() {
  if (state_ != State::created) throw std::runtime_error("Timeout has already been entered");
  AnyTask task = current_task();
  if (!task) throw std::runtime_error("Timeout should be used inside a task");
  state_ = State::active;
  task_ = task;
  cancelling_ = task_.cancelling();
  reschedule(when_);
  co_return;
}

Coro<void> Timeout::aexit(std::exception_ptr exc) {
  if (state_ != State::active && state_ != State::expiring)
    throw std::logic_error("Timeout::aexit() without a matching aenter()");
  handle_.cancel();
  handle_ = Handle();
  if (state_ == State::expiring) {
    state_ = State::expired;
    // No cancel request beyond ours and those seen at entry: the
    // CancelledError is ours to turn into TimeoutError.
    if (task_.uncancel() <= cancelling_ && detail::is_cancelled_error(exc))
      throw TimeoutError("timeout: the block exceeded its deadline and was cancelled");
  } else if (state_ == State::active) {
    state_ = State::finished;
  }
  co_return;
}

void Timeout::on_timeout() {
  if (state_ != State::active) throw std::logic_error("Timeout fired while not active");
  task_.cancel();
  state_ = State::expiring;
  handle_ = Handle();  // drop the reference early (not cancel(): this callback is running)
}

Timeout timeout(std::optional<Duration> delay) {
  Loop& loop = get_running_loop();
  return Timeout(delay ? std::optional<TimePoint>(loop.time() + *delay) : std::nullopt);
}

}  // namespace simloop
