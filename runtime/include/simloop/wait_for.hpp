#pragma once
// wait_for(aw, timeout): asyncio.wait_for as of CPython 3.11 (tasks.py) — the
// pre-3.12 algorithm: a waiter future released either by a call_later timer
// or by the inner future's done callback, then _cancel_and_wait on timeout.
//
//   std::string s = co_await sl::wait_for(say_after(5s, "late"), 1s);  // TimeoutError at 1s
//   int v = co_await sl::wait_for(task, std::nullopt);                  // no timeout
//
// `aw` is a Coro<T> (wrapped in a task, as ensure_future does), a Task<T> or a
// Future<T>; `timeout` is a Duration or std::nullopt. The result is a Coro<T>:
// nothing happens until it is awaited (wait_for is `async def` in asyncio).
//
//   timeout == nullopt  `await aw` directly: a Coro runs inline, no task [S58].
//   timeout <= 0        a done inner gives its result; a pending one is
//                       cancelled and waited for, then TimeoutError [S58].
//   timeout > 0         the timer is registered before the inner task is
//                       created, so a result due at the same instant as the
//                       timeout loses to it for a new task, and wins for a
//                       task that was already sleeping [S60]. On timeout the
//                       inner is cancelled and awaited until it has really
//                       finished; then TimeoutError [S57] — unless the inner
//                       swallowed the cancellation and returned a value, or
//                       failed with another error: that value or error is
//                       what wait_for gives (3.11, bpo-40607) [S59].
//   awaiter cancelled   the inner is cancelled and waited for; CancelledError
//                       propagates [S61]. (3.11 quirk, kept: if the inner is
//                       already done at that point, its result is returned and
//                       the cancellation is swallowed.)
#include <simloop/coro.hpp>
#include <simloop/detail/cancel_and_wait.hpp>
#include <simloop/errors.hpp>
#include <simloop/future.hpp>
#include <simloop/loop.hpp>
#include <simloop/task.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace simloop {

namespace detail {

// `return fut.result()`, turning the inner's CancelledError into TimeoutError
// (`raise exceptions.TimeoutError() from exc`).
template <class T>
T result_or_timeout(Future<T>& fut) {
  try {
    return take_result(fut);
  } catch (const CancelledError&) {
    throw TimeoutError("wait_for: timed out; the awaitable was cancelled");
  }
}

template <class T, class In>
Coro<T> wait_for_impl(In aw, std::optional<Duration> timeout) {
  Loop& loop = get_running_loop();

  if (!timeout) co_return co_await std::move(aw);

  if (*timeout <= Duration::zero()) {
    Future<T> fut = ensure_future(loop, std::move(aw));
    if (fut.done()) co_return take_result(fut);
    co_await cancel_and_wait(Ref<FutureBase>(fut.base()));
    co_return result_or_timeout(fut);
  }

  Future<void> waiter(loop);
  CancelOnExit timeout_handle{loop.call_later(*timeout, release_waiter(waiter))};  // finally: cancel()

  Future<T> fut = ensure_future(loop, std::move(aw));
  const auto cb = fut.base()->add_done_callback(release_waiter(waiter));

  // Wait until the future completes or the timeout.
  std::exception_ptr cancelled;
  try {
    co_await waiter;
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    if (fut.done()) co_return take_result(fut);
    fut.base()->remove_done_callback(cb);
    // The inner must not be running once wait_for returns (bpo-32751).
    co_await cancel_and_wait(Ref<FutureBase>(fut.base()));
    std::rethrow_exception(cancelled);
  }

  if (fut.done()) co_return take_result(fut);
  fut.base()->remove_done_callback(cb);
  co_await cancel_and_wait(Ref<FutureBase>(fut.base()));
  // If the inner's cancellation ended in a value or another error, that wins (bpo-40607).
  co_return result_or_timeout(fut);
}

}  // namespace detail

template <class T>
Coro<T> wait_for(Coro<T> aw, std::optional<Duration> timeout) {
  return detail::wait_for_impl<T>(std::move(aw), timeout);
}
// Task<T> binds here too (a Task is a Future).
template <class T>
Coro<T> wait_for(Future<T> aw, std::optional<Duration> timeout) {
  return detail::wait_for_impl<T>(std::move(aw), timeout);
}

}  // namespace simloop
