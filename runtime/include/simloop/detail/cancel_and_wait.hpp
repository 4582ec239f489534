#pragma once
// Small pieces of CPython 3.11's tasks.py shared by wait_for and friends:
// _release_waiter, _cancel_and_wait, and reading a finished future's result.
#include <simloop/coro.hpp>
#include <simloop/future.hpp>
#include <simloop/task.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace simloop::detail {

// tasks._release_waiter as a done callback / timer callback: completes
// `waiter` unless it is already done (it may have been cancelled).
inline auto release_waiter(Future<void> waiter) {
  return [waiter](auto&&...) mutable {
    if (!waiter.done()) waiter.set_result();
  };
}

// tasks._cancel_and_wait: cancel `fut` and wait until it is done — through a
// separate waiter, so that this await itself stays cancellable (cancelling
// the awaiting task then does not wait for `fut`).
inline Coro<void> cancel_and_wait(Ref<FutureBase> fut) {
  Future<void> waiter(get_running_loop());
  const auto cb = fut->add_done_callback(release_waiter(waiter));
  std::exception_ptr exc;
  try {
    fut->cancel();
    co_await waiter;
  } catch (...) {
    exc = std::current_exception();
  }
  fut->remove_done_callback(cb);  // the `finally:` clause
  if (exc) std::rethrow_exception(exc);
}

// fut.result() of a done future, moved out when T cannot be copied.
template <class T>
T take_result(Future<T>& fut) {
  if constexpr (std::is_void_v<T>) {
    fut.result();
  } else if constexpr (std::is_copy_constructible_v<T>) {
    return fut.result();
  } else {
    fut.base()->check_result();
    return std::move(*fut.slot()->value);
  }
}

// asyncio's `ensure_future`: a coroutine becomes a task on `loop`; a future
// (or task) is used as is.
template <class T>
Future<T> ensure_future(Loop& loop, Coro<T>&& c) {
  return Future<T>(create_task(loop, std::move(c)));
}
template <class T>
Future<T> ensure_future(Loop&, Future<T>&& f) {
  return std::move(f);
}

// Cancels a timer handle when the frame holding it ends (a `finally:`).
struct CancelOnExit {
  Handle h;
  ~CancelOnExit() { h.cancel(); }
};

}  // namespace simloop::detail
