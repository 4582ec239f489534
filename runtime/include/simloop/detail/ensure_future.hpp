#pragma once
// What gather, wait and as_completed share about their inputs:
//   - which argument types count as awaitables (a Future<T> or anything
//     derived from it — Task<T>, a gather's future — or a Coro<T>);
//   - asyncio's ensure_future: a future is used as is, a coroutine is wrapped
//     in a new task [tasks._ensure_future];
//   - identity of futures (Python compares futures by identity: set(fs),
//     arg_to_fut), which here is the FutureBase they share.
#include <simloop/coro.hpp>
#include <simloop/future.hpp>
#include <simloop/task.hpp>

#include <stdexcept>
#include <type_traits>
#include <utility>

namespace simloop::detail {

template <class X>
struct is_coro : std::false_type {};
template <class T>
struct is_coro<Coro<T>> : std::true_type {};

template <class X, class = void>
struct is_future_like : std::false_type {};
template <class X>
struct is_future_like<X, std::void_t<typename X::value_type>>
    : std::is_base_of<Future<typename X::value_type>, X> {};

// Future<T>, Task<T>, GatheringFuture<T>, ... (cv/ref stripped).
template <class X>
concept FutureLike = is_future_like<std::remove_cvref_t<X>>::value;
template <class X>
concept CoroArg = is_coro<std::remove_cvref_t<X>>::value;
// What gather and as_completed accept.
template <class X>
concept Awaitable = FutureLike<X> || CoroArg<X>;

template <class X>
using awaitable_result_t = typename std::remove_cvref_t<X>::value_type;

// asyncio's _ensure_future(arg, loop=loop): a future is returned as is (it
// must belong to `loop` when one is given); a coroutine becomes a task on
// `loop` (the running loop when none is given). `loop` is set to the future's
// loop when it was null, as gather does with its first argument.
template <class X>
Future<awaitable_result_t<X>> ensure_future(Loop*& loop, X&& x) {
  using T = awaitable_result_t<X>;
  if constexpr (CoroArg<X>) {
    static_assert(std::is_rvalue_reference_v<X&&>, "pass a Coro by value (std::move it): a Coro runs once");
    Loop& l = loop ? *loop : get_running_loop();
    loop = &l;
    return Future<T>(create_task(l, std::move(x)));
  } else {
    Future<T> f(x);
    if (!f.base()) throw std::invalid_argument("an empty Future/Task handle cannot be awaited: assign it first");
    if (loop && loop != &f.get_loop())
      throw std::invalid_argument(
          "The future belongs to a different loop than the one specified as the loop argument: all "
          "awaitables of one gather/wait/as_completed must share one loop");
    if (!loop) loop = &f.get_loop();
    return f;
  }
}

}  // namespace simloop::detail
