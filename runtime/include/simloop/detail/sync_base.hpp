#pragma once
// What every synchronization primitive shares (asyncio.locks / queues):
//   - LoopBound: asyncio's _LoopBoundMixin — a primitive binds to the running
//     loop the first time it has to wait, and refuses another loop afterwards;
//   - remove_waiter: deque.remove(fut), by identity, first match only;
//   - await_as_waiter: `waiters.append(fut); try: await fut; finally:
//     waiters.remove(fut)`, the wait every lock, event and semaphore makes;
//   - Guard<M>: the RAII form of `async with m:` returned by `co_await m.scoped()`.
#include <simloop/coro.hpp>
#include <simloop/loop.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <utility>

namespace simloop {

namespace detail {

class LoopBound {
 protected:
  // The running loop, binding to it on first use [mixins._LoopBoundMixin._get_loop].
  Loop& bound_loop(const char* what) {
    Loop& l = get_running_loop();
    if (loop_serial_ == 0) {
      loop_serial_ = l.serial();
    } else if (loop_serial_ != l.serial()) {
      throw std::runtime_error(std::string(what) +
                               " is bound to a different event loop: create one per loop (sim::run makes a new "
                               "loop on every run)");
    }
    return l;
  }

 private:
  std::uint64_t loop_serial_ = 0;  // serials, not addresses: a new loop may reuse an old one's address
};

// collections.deque.remove(x) without the ValueError: removes the first
// occurrence if there is one and says whether it did.
template <class F>
bool remove_waiter(std::deque<F>& waiters, const F& f) {
  auto it = std::find(waiters.begin(), waiters.end(), f);
  if (it == waiters.end()) return false;
  waiters.erase(it);
  return true;
}

// Await `fut` as one of `waiters`, and take it off the list whatever
// happened (the `finally`). Returns what the await raised (null if fut
// completed), so that the caller decides, after the removal, whether to pass
// a wake-up on before rethrowing (asyncio runs `finally` before its `except
// CancelledError` handling). Inline (a Coro): no extra loop iteration.
template <class F>
Coro<std::exception_ptr> await_as_waiter(std::deque<F>& waiters, F fut) {
  waiters.push_back(fut);
  std::exception_ptr exc;
  try {
    co_await fut;
  } catch (...) {
    exc = std::current_exception();
  }
  remove_waiter(waiters, fut);
  co_return exc;
}

}  // namespace detail

// Holds an acquired Lock/Semaphore/Condition and releases it at scope exit —
// also when the scope is left by an exception or a cancellation:
//
//   {
//     auto guard = co_await lock.scoped();   // acquire (may wait; may be cancelled)
//     co_await sleep(1s);                    // still held
//   }                                        // released here
//
// release() gives it back early; a moved-from guard holds nothing. Releasing
// in the destructor cannot fail for a guard that owns the primitive; if user
// code released it behind the guard's back, the destructor's release() throws
// and the program terminates (that is a bug to find, not to hide).
template <class M>
class [[nodiscard("a Guard releases at the end of its scope: name it (auto guard = co_await m.scoped())")]] Guard {
 public:
  Guard() = default;
  explicit Guard(M& m) noexcept : m_(&m) {}
  Guard(Guard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  Guard& operator=(Guard&& o) noexcept {
    if (this != &o) {
      reset();
      m_ = std::exchange(o.m_, nullptr);
    }
    return *this;
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
  ~Guard() { reset(); }

  bool owns() const noexcept { return m_ != nullptr; }
  explicit operator bool() const noexcept { return owns(); }
  // Release now instead of at scope exit.
  void release() {
    if (!m_) throw std::logic_error("Guard::release(): this guard holds nothing (released already, or moved from)");
    std::exchange(m_, nullptr)->release();
  }

 private:
  void reset() noexcept {
    if (m_) std::exchange(m_, nullptr)->release();
  }
  M* m_ = nullptr;
};

}  // namespace simloop
