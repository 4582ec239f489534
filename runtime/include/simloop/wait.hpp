#pragma once
// wait: asyncio.wait (CPython 3.11 tasks.py wait/_wait), ported with the
// same done callbacks, so it takes exactly as many loop iterations as CPython.
//
//   auto [done, pending] = co_await sl::wait(tasks);                       // ALL_COMPLETED
//   auto [done, pending] = co_await sl::wait(tasks, {.timeout = 500ms,
//                                                    .return_when = sl::FIRST_COMPLETED});
//
//   template <class F> Coro<WaitResult<F>> wait(std::vector<F> fs, WaitOptions = {});
//
// F is a Task<T>, Future<T>, AnyTask or anything else with base() (tasks of
// different result types can be waited on together as AnyTask). Coroutines are
// refused at compile time [S54]: create tasks for them explicitly.
//
// Result: `done` and `pending` hold the inputs in input order (CPython returns
// sets, whose order is arbitrary); an input given twice appears once (CPython
// builds set(fs) first).
//
// Behaviour [S50-S56]:
//   - wait never raises the inputs' exceptions: look at done[i].exception() [S50];
//   - return_when: FIRST_COMPLETED returns once one input is done,
//     FIRST_EXCEPTION once one ends with an exception (not a cancellation) or
//     all are done, ALL_COMPLETED once all are done [S52];
//   - timeout (none by default): returns what is done by then and cancels
//     nothing [S51]; a timeout of 0 returns after the iterations CPython takes
//     with whatever is already done [S55];
//   - empty input: std::invalid_argument("Set of Tasks/Futures is empty."); an
//     invalid return_when: std::invalid_argument("Invalid return_when value: N")
//     (Python's ValueErrors), thrown when the wait is awaited, as in CPython
//     where wait is a coroutine [S53];
//   - cancelling the task that awaits wait cancels only its internal waiter;
//     the inputs keep running.
#include <simloop/coro.hpp>
#include <simloop/detail/future_base.hpp>
#include <simloop/detail/distinct_futures.hpp>
#include <simloop/detail/ref.hpp>
#include <simloop/time.hpp>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace simloop {

// asyncio's FIRST_COMPLETED / FIRST_EXCEPTION / ALL_COMPLETED.
enum class ReturnWhen : std::uint8_t { first_completed, first_exception, all_completed };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::first_completed;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::first_exception;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::all_completed;

struct WaitOptions {
  std::optional<Duration> timeout = std::nullopt;  // none: wait as long as return_when asks
  ReturnWhen return_when = ALL_COMPLETED;
};

template <class F>
struct WaitResult {
  std::vector<F> done;
  std::vector<F> pending;
};

namespace detail {

template <class F>
concept Waitable = requires(const F& f) {
  { f.base() } -> std::convertible_to<FutureBase*>;
};

// wait()'s argument checks, in CPython's order [S53].
void wait_check(std::size_t n, ReturnWhen return_when);
// tasks._wait: `fs` is non-empty and holds distinct futures.
Coro<void> wait_core(std::vector<Ref<FutureBase>> fs, std::optional<Duration> timeout, ReturnWhen return_when);

}  // namespace detail

template <detail::Waitable F>
Coro<WaitResult<F>> wait(std::vector<F> fs, WaitOptions options = {}) {
  detail::wait_check(fs.size(), options.return_when);
  // fs = set(fs), keeping the first occurrence of each, in input order.
  std::vector<F> unique;
  std::vector<detail::Ref<detail::FutureBase>> bases;
  {
    // Scoped: the marks must be gone before the await below, where another
    // combinator may check the same futures.
    detail::DistinctFutures seen(fs.size());
    for (auto& f : fs) {
      detail::Ref<detail::FutureBase> b(f.base());
      if (!b) throw std::invalid_argument("wait() got an empty Task/Future handle: assign it first");
      if (!seen.insert(b.get())) continue;
      bases.push_back(std::move(b));
      unique.push_back(std::move(f));
    }
  }
  co_await detail::wait_core(std::move(bases), options.timeout, options.return_when);
  WaitResult<F> r;
  for (auto& f : unique) (f.base()->done() ? r.done : r.pending).push_back(std::move(f));
  co_return r;
}

}  // namespace simloop
