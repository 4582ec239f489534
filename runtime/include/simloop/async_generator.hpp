#pragma once
// AsyncGenerator<T>: an `async def` with `yield` — a coroutine that co_yields
// values and may co_await between them.
//
//   sl::AsyncGenerator<int> ticker(int n, sl::Duration every) {
//     for (int i = 0; i < n; ++i) {
//       co_await sl::sleep(every);
//       co_yield i;
//     }
//   }
//   auto gen = ticker(3, 1s);
//   while (auto v = co_await gen.next()) use(*v);          // `async for v in gen:`
//   co_await sl::for_each(ticker(3, 1s), [](int v) { ... });   // same, with a callback
//
// Like Coro, the generator runs inline in the task that awaits next(): no
// task of its own, no scheduling point except what it awaits. next() returns
// std::nullopt once the body returns (again on every later call: Python's
// StopAsyncIteration) and rethrows what the body throws — including a
// CancelledError delivered while the body was awaiting.
//
// Cleanup:
//  - aclose() (asyncio's aclose): resumes a generator paused at a co_yield
//    with GeneratorExit thrown from that co_yield, so its catch blocks and
//    RAII locals run and it may co_await on the way out (outside the catch
//    block, as C++ requires). If it co_yields again instead, aclose throws
//    std::runtime_error("async generator ignored GeneratorExit"). Closing an
//    unstarted or finished generator does nothing (its body never runs).
//  - Destroying an unfinished generator destroys its frame at once: RAII
//    locals are destroyed, deterministically, but no code after a co_await
//    runs (Python would defer to the loop's shutdown_asyncgens). Leaving an
//    `async for` early (break) is therefore safe.
// One consumer at a time: next()/aclose() while another is in progress
// throws std::runtime_error ("... is already running").
#include <simloop/coro.hpp>

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace simloop {

// Thrown into a generator at its co_yield by aclose() (Python's GeneratorExit,
// a BaseException: not derived from std::exception, so a
// `catch (const std::exception&)` in the generator does not swallow it).
class GeneratorExit {};

template <class T>
class [[nodiscard("an AsyncGenerator does nothing until iterated with next() or for_each")]] AsyncGenerator {
 public:
  using value_type = T;

  struct promise_type {
    std::optional<T> current;
    std::coroutine_handle<> consumer;
    std::exception_ptr exception;
    bool closing = false;  // aclose(): the paused co_yield throws GeneratorExit
    bool running = false;  // a next()/aclose() is in progress

    AsyncGenerator get_return_object() noexcept {
      return AsyncGenerator(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }

    struct YieldAwaiter {
      promise_type* p;
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<>) noexcept {
        p->running = false;
        return p->consumer;  // hand the value to the consumer (symmetric transfer)
      }
      void await_resume() const {
        if (p->closing) throw GeneratorExit{};
      }
    };
    template <class U = T>
    YieldAwaiter yield_value(U&& v) {
      current.emplace(std::forward<U>(v));
      return YieldAwaiter{this};
    }

    struct FinalAwaiter {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        h.promise().running = false;
        return h.promise().consumer;
      }
      void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { exception = std::current_exception(); }
  };
  using handle_type = std::coroutine_handle<promise_type>;

  AsyncGenerator() noexcept = default;
  explicit AsyncGenerator(handle_type h) noexcept : h_(h) {}
  AsyncGenerator(AsyncGenerator&& o) noexcept : h_(std::exchange(o.h_, {})), started_(o.started_) {}
  AsyncGenerator& operator=(AsyncGenerator&& o) noexcept {
    if (this != &o) {
      destroy();
      h_ = std::exchange(o.h_, {});
      started_ = o.started_;
    }
    return *this;
  }
  AsyncGenerator(const AsyncGenerator&) = delete;
  AsyncGenerator& operator=(const AsyncGenerator&) = delete;
  ~AsyncGenerator() { destroy(); }

  // True once the body has returned, thrown, or been closed.
  bool finished() const noexcept { return !h_ || h_.done(); }

  // anext(): the next value, or std::nullopt when the generator is finished.
  auto next() { return NextAwaiter{this}; }

  // Runs the generator's cleanup (GeneratorExit at its co_yield); see above.
  auto aclose() { return CloseAwaiter{this}; }

 private:
  void destroy() noexcept {
    if (h_) std::exchange(h_, {}).destroy();
  }
  void check_idle(const char* what) const {
    if (h_ && h_.promise().running)
      throw std::runtime_error(std::string(what) + ": asynchronous generator is already running");
  }

  struct NextAwaiter {
    AsyncGenerator* g;
    bool await_ready() const {
      g->check_idle("anext()");
      return g->finished();
    }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> consumer) noexcept {
      auto& p = g->h_.promise();
      p.consumer = consumer;
      p.current.reset();
      p.running = true;
      g->started_ = true;
      return g->h_;
    }
    std::optional<T> await_resume() {
      if (!g->h_) return std::nullopt;
      auto& p = g->h_.promise();
      if (p.exception) std::rethrow_exception(std::exchange(p.exception, nullptr));
      if (g->h_.done()) return std::nullopt;
      std::optional<T> v = std::move(p.current);
      p.current.reset();
      return v;
    }
  };

  struct CloseAwaiter {
    AsyncGenerator* g;
    bool await_ready() const {
      g->check_idle("aclose()");
      if (g->finished()) return true;
      if (!g->started_) {
        g->destroy();  // never started: the body never runs
        return true;
      }
      return false;
    }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> consumer) noexcept {
      auto& p = g->h_.promise();
      p.consumer = consumer;
      p.closing = true;
      p.current.reset();
      p.running = true;
      return g->h_;
    }
    void await_resume() {
      if (!g->h_) return;
      auto& p = g->h_.promise();
      if (!g->h_.done()) {
        // It co_yielded again: leave it paused (the destructor frees it).
        throw std::runtime_error("async generator ignored GeneratorExit");
      }
      auto e = std::exchange(p.exception, nullptr);
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const GeneratorExit&) {
        return;  // the expected way out
      }
    }
  };

  handle_type h_;
  bool started_ = false;
};

namespace detail {
template <class T, class F>
Coro<void> for_each_owned(AsyncGenerator<T> gen, F fn) {
  while (auto v = co_await gen.next()) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&, T&>>) {
      fn(*v);
    } else {
      co_await fn(*v);  // an async body: fn returns a Coro
    }
  }
}
}  // namespace detail

// `async for v in gen: body(v)` — body is fn(T&) returning void or a Coro.
template <class T, class F>
Coro<void> for_each(AsyncGenerator<T>& gen, F fn) {
  while (auto v = co_await gen.next()) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&, T&>>) {
      fn(*v);
    } else {
      co_await fn(*v);
    }
  }
}
// Takes ownership of a temporary generator (moved into the returned Coro).
template <class T, class F>
Coro<void> for_each(AsyncGenerator<T>&& gen, F fn) {
  return detail::for_each_owned(std::move(gen), std::move(fn));
}

}  // namespace simloop
