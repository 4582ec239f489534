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

#include <cassert>
#include <coroutine>
#include <cstdint>
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
  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto c = h.promise().continuation();
      // A task's root has the noop coroutine: back to Task::step. Null only
      // for a frame resumed by hand after release().
      return c ? c : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  // Where the frame goes when it ends: the awaiting frame, or the noop
  // coroutine for a task's root (back to Task::step). Null until the Coro is
  // first awaited or given to a task, so it doubles as the "started" flag: a
  // second await is refused, not resumed.
  std::coroutine_handle<> continuation() const noexcept {
    return std::coroutine_handle<>::from_address(reinterpret_cast<void*>(continuation_ & ~kThrew));
  }
  void set_continuation(std::coroutine_handle<> h) noexcept {
    const auto a = reinterpret_cast<std::uintptr_t>(h.address());
    assert((a & kThrew) == 0);  // a frame's address: aligned for its pointers
    continuation_ = a | (continuation_ & kThrew);
  }
  bool started() const noexcept { return (continuation_ & ~kThrew) != 0; }
  // The body ended by throwing: the promise holds an exception, not a value.
  bool threw() const noexcept { return (continuation_ & kThrew) != 0; }

 protected:
  void mark_threw() noexcept { continuation_ |= kThrew; }

 private:
  // The continuation's address, and in its low bit (always 0 in an address)
  // whether the body threw. That bit lets the value and the exception share
  // storage (CoroPromise): 8 bytes less in every frame, which in bench W1b
  // and W3 is what keeps a frame in the size class below (96 -> 80 bytes
  // with SleepAwaiter's one word).
  static constexpr std::uintptr_t kThrew = 1;
  std::uintptr_t continuation_ = 0;
};

struct NoFlag {
  NoFlag& operator=(bool) noexcept { return *this; }
};

template <class T>
struct CoroPromise : CoroPromiseBase {
  // The co_returned value or the exception thrown out of the body, in one
  // union (threw() says which): raw storage, not std::optional. Only a value
  // with something to destroy needs a flag saying it was set; a long or a
  // pointer has none, so its promise is 16 bytes (every frame of such a
  // coroutine, bench/README.md M).
  static constexpr bool kFlagged = !std::is_trivially_destructible_v<T>;
  union {
    T value;
    std::exception_ptr exception;
  };
  [[no_unique_address]] std::conditional_t<kFlagged, bool, NoFlag> has_value{};

  CoroPromise() noexcept {}
  CoroPromise(const CoroPromise&) = delete;
  CoroPromise& operator=(const CoroPromise&) = delete;
  ~CoroPromise() {
    if (threw()) {
      exception.~exception_ptr();
    } else if constexpr (kFlagged) {
      if (has_value) value.~T();
    }
  }
  Coro<T> get_return_object() noexcept;
  template <class U = T>
  void return_value(U&& v) {
    ::new (static_cast<void*>(std::addressof(value))) T(std::forward<U>(v));
    has_value = true;
  }
  void unhandled_exception() noexcept {
    // After return_value only if a local's destructor threw (noexcept(false)):
    // the exception wins, as it would in a plain function.
    if constexpr (kFlagged) {
      if (has_value) value.~T();
      has_value = false;
    }
    ::new (static_cast<void*>(std::addressof(exception))) std::exception_ptr(std::current_exception());
    mark_threw();
  }
  // The exception the body threw (null if it returned).
  std::exception_ptr take_exception() noexcept { return threw() ? std::exchange(exception, nullptr) : nullptr; }
  std::exception_ptr peek_exception() const noexcept { return threw() ? exception : nullptr; }
};

static_assert(sizeof(void*) != 8 || sizeof(CoroPromise<long>) == 16,
              "a Coro<long>'s promise is the continuation and one union word (see CoroPromiseBase)");

template <>
struct CoroPromise<void> : CoroPromiseBase {
  std::exception_ptr exception;
  Coro<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void unhandled_exception() noexcept {
    exception = std::current_exception();
    mark_threw();
  }
  std::exception_ptr take_exception() noexcept { return std::exchange(exception, nullptr); }
  std::exception_ptr peek_exception() const noexcept { return exception; }
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
  bool started() const noexcept { return h_ && h_.promise().started(); }
  // For create_task: gives up the frame, marked as a task's root (it ends
  // back in Task::step).
  handle_type release_as_root() noexcept {
    h_.promise().set_continuation(std::noop_coroutine());
    return std::exchange(h_, {});
  }

  struct Awaiter {
    handle_type h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
      h.promise().set_continuation(parent);
      return h;  // run the child inline [S38]
    }
    T await_resume() {
      auto& p = h.promise();
      if (p.threw()) std::rethrow_exception(p.take_exception());
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
    if (!h_ || h_.promise().started())
      throw std::logic_error("this Coro was already awaited or given to a task: a Coro runs once; "
                             "create a new one by calling the coroutine function again");
    h_.promise().set_continuation(std::noop_coroutine());  // started; await_suspend sets the real one
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
