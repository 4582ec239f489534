#pragma once
// Coro<T>: the lazy coroutine type of an `async def` function.
//
//   sl::Coro<int> answer() { co_await sl::sleep(1s); co_return 42; }
//
// A Coro does nothing until it is awaited or handed to create_task. Awaiting
// it runs it inline in the awaiting task — no new task, no scheduling point
// (asyncio's `await coro()`, [S38]); control passes by symmetric transfer, so
// deep await chains do not grow the stack. A Coro is awaited at most once.
//
// Ownership: the Coro object owns its frame until it is awaited to the end or
// given to a task (which then owns it). Destroying an unstarted Coro destroys
// its frame (and the arguments it captured) without running the body.
#include <simloop/detail/pool.hpp>

#include <coroutine>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace simloop {

template <class T>
class Coro;

namespace detail {

// Frames come from the small-object pool (detail/pool.hpp).
struct CoroPromiseBase : FramePoolAllocated {
  // Where the frame goes when it ends: the awaiting frame, or the noop
  // coroutine for a task's root (back to Task::step). Null until the Coro is
  // first awaited or given to a task, so it doubles as the "started" flag: a
  // second await is refused, not resumed (no flag: 8 bytes less per frame).
  std::coroutine_handle<> continuation;
  std::exception_ptr exception;

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto c = h.promise().continuation;
      // A task's root has the noop coroutine: back to Task::step. Null only
      // for a frame resumed by hand after release().
      return c ? c : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }
};

struct NoFlag {
  NoFlag& operator=(bool) noexcept { return *this; }
};

template <class T>
struct CoroPromise : CoroPromiseBase {
  // The co_returned value: raw storage, not std::optional. Only a value with
  // something to destroy needs a flag saying it was set; a long or a pointer
  // has none, so its promise is 24 bytes (every frame of such a coroutine,
  // bench/README.md M).
  static constexpr bool kFlagged = !std::is_trivially_destructible_v<T>;
  union {
    T value;
  };
  [[no_unique_address]] std::conditional_t<kFlagged, bool, NoFlag> has_value{};

  CoroPromise() noexcept {}
  CoroPromise(const CoroPromise&) = delete;
  CoroPromise& operator=(const CoroPromise&) = delete;
  ~CoroPromise() {
    if constexpr (kFlagged)
      if (has_value) value.~T();
  }
  Coro<T> get_return_object() noexcept;
  template <class U = T>
  void return_value(U&& v) {
    ::new (static_cast<void*>(std::addressof(value))) T(std::forward<U>(v));
    has_value = true;
  }
};

template <>
struct CoroPromise<void> : CoroPromiseBase {
  Coro<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard("a Coro does nothing until it is co_awaited or passed to create_task")]] Coro {
 public:
  using value_type = T;
  using promise_type = detail::CoroPromise<T>;
  using handle_type = std::coroutine_handle<promise_type>;

  Coro() noexcept = default;
  explicit Coro(handle_type h) noexcept : h_(h) {}
  Coro(Coro&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Coro& operator=(Coro&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Coro(const Coro&) = delete;
  Coro& operator=(const Coro&) = delete;
  ~Coro() {
    if (h_) h_.destroy();
  }

  explicit operator bool() const noexcept { return static_cast<bool>(h_); }
  // Gives up ownership of the frame.
  handle_type release() noexcept { return std::exchange(h_, {}); }
  // Awaited or given to a task already (a Coro runs once).
  bool started() const noexcept { return h_ && h_.promise().continuation; }
  // For create_task: gives up the frame, marked as a task's root (it ends
  // back in Task::step).
  handle_type release_as_root() noexcept {
    h_.promise().continuation = std::noop_coroutine();
    return std::exchange(h_, {});
  }

  struct Awaiter {
    handle_type h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
      h.promise().continuation = parent;
      return h;  // run the child inline [S38]
    }
    T await_resume() {
      auto& p = h.promise();
      if (p.exception) std::rethrow_exception(std::exchange(p.exception, nullptr));
      if constexpr (!std::is_void_v<T>) return std::move(p.value);
    }
  };

  Awaiter operator co_await() & { return Awaiter{checked()}; }
  Awaiter operator co_await() && { return Awaiter{checked()}; }

 private:
  // A Coro runs once. Awaiting it again — after it finished, or while another
  // await of it is still suspended inside it — would resume a frame that is
  // not at its start, so it is refused with an error instead.
  handle_type checked() const {
    if (!h_ || h_.promise().continuation)
      throw std::logic_error("this Coro was already awaited or given to a task: a Coro runs once; "
                             "create a new one by calling the coroutine function again");
    h_.promise().continuation = std::noop_coroutine();  // started; await_suspend sets the real one
    return h_;
  }
  handle_type h_;
};

namespace detail {
template <class T>
Coro<T> CoroPromise<T>::get_return_object() noexcept {
  return Coro<T>(std::coroutine_handle<CoroPromise<T>>::from_promise(*this));
}
inline Coro<void> CoroPromise<void>::get_return_object() noexcept {
  return Coro<void>(std::coroutine_handle<CoroPromise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace simloop
