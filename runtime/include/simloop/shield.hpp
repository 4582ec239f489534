#pragma once
// shield(aw): asyncio.shield (CPython 3.11 tasks.py), protecting an awaitable
// from the cancellation of whoever awaits it.
//
//   auto t = sl::create_task(save());
//   int v = co_await sl::shield(t);   // cancelling *this* task does not cancel t
//
// `aw` is a Coro<T> (wrapped in a task, as ensure_future does), a Task<T> or a
// Future<T>. Returns a Future<T> (`outer`):
//   - inner already done: the inner itself is returned (asyncio's shortcut);
//   - otherwise a new future that copies the inner's outcome when it ends.
// Cancelling the awaiter cancels only `outer`: the awaiter gets CancelledError
// and the inner keeps running to completion [S67] (its result is then marked
// retrieved, so no "exception was never retrieved" report). If the inner is
// cancelled itself, `outer` is cancelled and the awaiter gets CancelledError
// [S68].
//
// As in asyncio, keep a handle to a task you shield if you care about its
// result (the loop keeps a running task alive, so it does finish).
#include <simloop/coro.hpp>
#include <simloop/detail/cancel_and_wait.hpp>
#include <simloop/future.hpp>
#include <simloop/task.hpp>

#include <type_traits>
#include <utility>

namespace simloop {

template <class T>
Future<T> shield(Future<T> inner) {
  if (inner.done()) return inner;  // shortcut
  Future<T> outer(inner.get_loop());

  auto inner_done = [outer](Future<T> in) mutable {
    if (outer.cancelled()) {
      if (!in.cancelled()) (void)in.exception();  // mark inner's result as retrieved
      return;
    }
    if (in.cancelled()) {
      outer.cancel();
    } else if (auto exc = in.exception()) {
      outer.set_exception(exc);
    } else if constexpr (std::is_void_v<T>) {
      outer.set_result();
    } else {
      outer.set_result(detail::take_result(in));
    }
  };
  const auto inner_cb = inner.add_done_callback(std::move(inner_done));
  // The outer's callback holds the inner (and the inner's callback holds the
  // outer) only until one of them runs, so the two futures do not keep each
  // other alive after either is done.
  outer.add_done_callback([inner, inner_cb]() mutable {
    if (!inner.done()) inner.remove_done_callback(inner_cb);
  });
  return outer;
}

template <class T>
Future<T> shield(Coro<T> aw) {
  return shield(Future<T>(create_task(std::move(aw))));
}

}  // namespace simloop
