#include <simloop/future.hpp>
#include <simloop/task.hpp>

#include <cassert>
#include <cstdio>
#include <stdexcept>

namespace simloop {

const char* to_string(FutureState s) noexcept {
  switch (s) {
    case FutureState::pending: return "pending";
    case FutureState::running: return "running";
    case FutureState::done: return "done";
    case FutureState::cancelled: return "cancelled";
  }
  return "?";
}

namespace detail {

const std::string& FutureBase::empty_string() noexcept {
  static const std::string empty;
  return empty;
}

const std::exception_ptr FutureBase::kNoException;

FutureBase::FutureBase(Loop& loop) : loop_(&loop), id_(loop.next_future_id()) {}

FutureBase::~FutureBase() { report_unretrieved("Future", {}); }

void FutureBase::report_unretrieved(const char* kind, const std::string& name) noexcept {
  if (!log_traceback_) return;
  log_traceback_ = false;
  // [S36] Nobody awaited it, nor asked for result()/exception().
  try {
    std::string msg = std::string(kind) + " exception was never retrieved";
    if (!name.empty()) msg += " (" + name + ")";
    msg += ": " + describe_exception(peek_exception());
    if (Loop* l = Loop::find_live(cold_->loop_serial)) {
      l->report(msg);
    } else {
      std::fprintf(stderr, "simloop: %s\n", msg.c_str());
    }
  } catch (...) {
    // Called from destructors: a report that fails is dropped, never thrown.
  }
}

void FutureBase::throw_invalid_transition(const char* what) const {
  throw InvalidStateError(std::string("invalid state: ") + what + "() on a " + to_string(state_) +
                          " future (a result can be set once; check done() first)");
}

void FutureBase::throw_task_setter(const char* what) const {
  throw std::runtime_error(std::string("Task does not support ") + what +
                           "(): a task's outcome is what its coroutine returns or throws");
}

bool FutureBase::cancel_future(std::string msg) {
  log_traceback_ = false;
  if (state_ != FutureState::pending) return false;  // done, cancelled, or running [S16, S24]
  state_ = FutureState::cancelled;
  set_cancel_message(std::move(msg));
  schedule_callbacks();
  return true;
}

bool FutureBase::cancel(std::string msg) { return cancel_future(std::move(msg)); }

bool FutureBase::set_running_or_notify_cancel() {
  if (state_ == FutureState::cancelled) return false;
  if (state_ != FutureState::pending)
    throw InvalidStateError(std::string("invalid state: set_running_or_notify_cancel() on a ") + to_string(state_) +
                            " future (it may be called once, on a pending future)");
  state_ = FutureState::running;
  return true;
}

void FutureBase::mark_result_set() {
  if (done()) throw_invalid_transition("set_result");
  state_ = FutureState::done;
  schedule_callbacks();
}

void FutureBase::set_exception(std::exception_ptr e) {
  if (done()) throw_invalid_transition("set_exception");
  if (!e) throw std::invalid_argument("set_exception() needs an exception: got an empty exception_ptr [S22]");
  Cold& c = cold();
  c.exc = std::move(e);
  c.loop_serial = loop_->serial();  // the loop to report to, should nobody retrieve it
  state_ = FutureState::done;
  log_traceback_ = true;
  schedule_callbacks();
}

std::exception_ptr FutureBase::make_cancelled_error() {
  if (cold_ && cold_->cancelled_exc) return std::exchange(cold_->cancelled_exc, nullptr);
  return std::make_exception_ptr(CancelledError(cancel_message()));
}

std::exception_ptr FutureBase::exception() {
  if (state_ == FutureState::cancelled) std::rethrow_exception(make_cancelled_error());
  if (state_ != FutureState::done) throw InvalidStateError("Exception is not set.");
  log_traceback_ = false;
  return peek_exception();
}

void FutureBase::check_result_slow() {
  if (state_ == FutureState::cancelled) std::rethrow_exception(make_cancelled_error());
  if (state_ != FutureState::done) throw InvalidStateError("Result is not set.");
  log_traceback_ = false;
  if (cold_ && cold_->exc) std::rethrow_exception(cold_->exc);
}

namespace {
// A plain callable registered as a done callback.
struct CallbackFn final : DoneListener {
  CallbackFn(DoneFn&& f, std::uint64_t i, std::uint64_t owner) noexcept : fn(std::move(f)), id(i), owner(owner) {}
  void on_future_done(FutureBase* f) override { fn(f); }
  std::uint64_t callback_id() const noexcept override { return id; }
  std::uint64_t owner_task() const noexcept override { return owner; }
  DoneFn fn;
  std::uint64_t id;
  std::uint64_t owner;
};
}  // namespace

void DoneListener::run_done(Ref<FutureBase>&& f) { on_future_done(f.get()); }

void DoneListener::on_future_done(FutureBase*) {
  throw std::logic_error("simloop internal error: a future without a done-callback role was registered as one");
}

std::uint64_t FutureBase::add_done_callback(DoneFn fn, std::uint64_t owner_task) {
  if (!fn) throw std::invalid_argument("add_done_callback() needs a callable: got an empty function");
  const std::uint64_t id = loop_->next_callback_id();
  add_done_listener(Ref<DoneListener>(new CallbackFn(std::move(fn), id, owner_task)));
  return id;
}

void FutureBase::add_done_listener(Ref<DoneListener> listener) {
  assert(listener);
  if (done()) {
    // [S20] Already done: scheduled at once, never called inline.
    loop_->schedule_callback(std::move(listener), this);
  } else {
    if (!first_cb_ && (!cold_ || cold_->callbacks.empty())) {
      first_cb_ = std::move(listener);
    } else {
      cold().callbacks.push_back(std::move(listener));
    }
  }
}

template <class Match>
std::size_t FutureBase::remove_callbacks_if(Match match) {
  std::size_t n = 0;
  if (first_cb_ && match(first_cb_)) {
    first_cb_ = nullptr;
    ++n;
  }
  if (!cold_) return n;
  auto& cbs = cold_->callbacks;
  for (auto it = cbs.begin(); it != cbs.end();) {
    if (match(*it)) {
      it = cbs.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::size_t FutureBase::remove_done_callback(std::uint64_t callback_id) {
  if (callback_id == 0) return 0;  // never an id add_done_callback gave
  return remove_callbacks_if([callback_id](const Callback& c) { return c->callback_id() == callback_id; });
}

std::size_t FutureBase::remove_done_listener(const DoneListener* listener) {
  return remove_callbacks_if([listener](const Callback& c) { return c.get() == listener; });
}

void FutureBase::schedule_callbacks() {
  assert(done());
  if (first_cb_) loop_->schedule_callback(std::move(first_cb_), this);  // leaves it empty
  if (!cold_ || cold_->callbacks.empty()) return;
  // Move the list out first: a callback may add callbacks to this future.
  auto cbs = std::move(cold_->callbacks);
  cold_->callbacks.clear();
  for (auto& c : cbs) loop_->schedule_callback(std::move(c), this);
}

}  // namespace detail
}  // namespace simloop
