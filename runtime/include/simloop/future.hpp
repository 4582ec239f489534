#pragma once
// Future<T>: asyncio.Future — a cheap, reference-counted handle to a result
// that will be set later. See detail/future_base.hpp for the state machine.
//
//   sl::Future<int> f;                 // on the running loop
//   loop.call_soon([f]() mutable { f.set_result(42); });
//   int v = co_await f;                // suspends until done [S23]
//
// Awaiting a done future returns at once without suspending; awaiting it again
// is fine and returns the same result.
#include <simloop/detail/future_base.hpp>
#include <simloop/detail/suspend.hpp>
#include <simloop/loop.hpp>

#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

namespace simloop {

namespace detail {
template <class T>
class FutureImpl final : public FutureBase, public ValueSlot<T> {
 public:
  explicit FutureImpl(Loop& loop) : FutureBase(loop) { bind_value_slot<T>(this); }
};

// The value slot of a typed future (null for void, which has none).
template <class T>
ValueSlot<T>* slot_of(FutureBase& b) noexcept {
  if constexpr (std::is_void_v<T>) {
    return nullptr;
  } else {
    return b.value_slot<T>();
  }
}

template <class T>
decltype(auto) slot_result(FutureBase& b) {
  b.check_result();
  if constexpr (!std::is_void_v<T>) return static_cast<const T&>(*b.value_slot<T>()->value);
}

// A done future's value, copied out (moved when T is move-only, leaving the
// future's own value moved-from).
template <class T>
T take_value(ValueSlot<T>* slot) {
  if constexpr (std::is_copy_constructible_v<T>) {
    return *slot->value;
  } else {
    return std::move(*slot->value);
  }
}

// Awaiter shared by Future<T> and Task<T>. `Consume`: the handle awaited is
// an rvalue (`co_await gather(...)`, `co_await std::move(f)`), so when it
// holds the only reference nobody can read the value again, and it is moved
// out instead of copied (a gather of 10^6 children returns its vector
// without a second 8 MB copy: bench W1b, M).
template <class T, bool Consume = false>
struct FutureAwaiter {
  FutureBase* base;
  TaskBase* task = nullptr;

  bool await_ready() const noexcept { return base->done(); }
  void await_suspend(std::coroutine_handle<> h) {
    task = &running_task_for_await("a Future");
    suspend_on(*task, *base, h);
  }
  T await_resume() {
    if (task) rethrow_pending(*task);
    base->check_result();
    if constexpr (!std::is_void_v<T>) {
      if constexpr (Consume && std::is_move_constructible_v<T>) {
        if (base->ref_count() == 1) return std::move(*base->value_slot<T>()->value);
      }
      return take_value(base->value_slot<T>());
    }
  }
};
}  // namespace detail

template <class T>
class Future {
 public:
  using value_type = T;

  // A new pending future on the running loop (or on `loop`).
  Future() : Future(get_running_loop()) {}
  explicit Future(Loop& loop) : b_(new detail::FutureImpl<T>(loop)) {}
  // A handle to a typed future made elsewhere (a task, a gather, an
  // executor's result): its value slot is found from the base.
  explicit Future(detail::Ref<detail::FutureBase> b) : b_(std::move(b)) {}

  FutureState state() const noexcept { return b_->state(); }
  bool done() const noexcept { return b_->done(); }
  bool cancelled() const noexcept { return b_->cancelled(); }
  std::uint64_t id() const noexcept { return b_->id(); }
  Loop& get_loop() const noexcept { return b_->loop(); }

  // [S12, S14] pending|running -> done; InvalidStateError if already done or cancelled.
  template <class... A>
  void set_result(A&&... a) {
    static_assert(std::is_void_v<T> ? sizeof...(A) == 0 : sizeof...(A) >= 1,
                  "Future<void>::set_result() takes no value; Future<T>::set_result(v) takes one");
    if (b_->is_task()) b_->throw_task_setter("set_result");
    if (b_->done()) throw_set_result_done();
    if constexpr (!std::is_void_v<T>) slot()->value.emplace(std::forward<A>(a)...);
    set_result_stored();
  }
  // [S13] Also accepts an exception object: set_exception(std::runtime_error("x")).
  // A Task refuses both setters (RuntimeError, as asyncio's Task does).
  void set_exception(std::exception_ptr e) {
    if (b_->is_task()) b_->throw_task_setter("set_exception");
    b_->set_exception(std::move(e));
  }
  template <class E, class = std::enable_if_t<!std::is_same_v<std::decay_t<E>, std::exception_ptr>>>
  void set_exception(E&& e) {
    set_exception(std::make_exception_ptr(std::forward<E>(e)));
  }
  // [S12, S15, S17] Returns the value (void: nothing) or throws the exception,
  // CancelledError, or InvalidStateError("Result is not set.").
  decltype(auto) result() const { return detail::slot_result<T>(*b_); }
  std::exception_ptr exception() const { return b_->exception(); }
  bool cancel(std::string msg = {}) { return b_->cancel(std::move(msg)); }
  bool set_running_or_notify_cancel() { return b_->set_running_or_notify_cancel(); }

  // [S18-S20] cb(Future<T>) (or cb()) runs via call_soon once the future is
  // done. Returns an id for remove_done_callback.
  template <class F>
  std::uint64_t add_done_callback(F cb) {
    if constexpr (std::is_invocable_v<F&, Future<T>>) {
      return b_->add_done_callback([cb = std::move(cb)](detail::FutureBase* b) mutable {
        cb(Future<T>(detail::Ref<detail::FutureBase>(b)));
      });
    } else {
      return b_->add_done_callback([cb = std::move(cb)](detail::FutureBase*) mutable { cb(); });
    }
  }
  // [S21] Returns how many registrations were removed.
  std::size_t remove_done_callback(std::uint64_t callback_id) { return b_->remove_done_callback(callback_id); }

  detail::FutureAwaiter<T> operator co_await() const& noexcept { return {b_.get()}; }
  // An rvalue handle is consumed: if it is the future's only handle, the
  // value is moved out rather than copied. Like any moved-from object, do
  // not read a handle's result after `co_await std::move(handle)`.
  detail::FutureAwaiter<T, true> operator co_await() && noexcept { return {b_.get()}; }

  detail::FutureBase* base() const noexcept { return b_.get(); }
  detail::ValueSlot<T>* slot() const noexcept { return detail::slot_of<T>(*b_); }
  friend bool operator==(const Future& a, const Future& b) noexcept { return a.b_ == b.b_; }

 protected:
  void set_result_stored();
  [[noreturn]] void throw_set_result_done() const;
  // The only field: a Future<T> or Task<T> handle is 8 bytes (the value is
  // found through the base, FutureBase::value_slot).
  detail::Ref<detail::FutureBase> b_;
};

template <class T>
void Future<T>::set_result_stored() {
  b_->mark_result_set();
}
template <class T>
void Future<T>::throw_set_result_done() const {
  b_->throw_invalid_transition("set_result");
}

}  // namespace simloop
