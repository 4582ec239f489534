#pragma once
// gather: asyncio.gather (CPython 3.11 tasks.py), ported with the same done
// callbacks, so it takes exactly as many loop iterations as CPython's.
//
//   auto [a, b] = co_await sl::gather(t1, t2);                 // std::tuple<A, B>
//   auto [x, y] = co_await sl::gather(say(1s, "x"), say(2s, "y"));  // Coros become tasks
//   std::vector<int> v = co_await sl::gather(tasks);           // a vector of Task/Future/Coro
//   auto [oa, ob] = co_await sl::gather(sl::return_exceptions, t1, t2);   // Outcome<A>, Outcome<B>
//   std::vector<sl::Outcome<int>> o = co_await sl::gather(sl::return_exceptions, tasks);
//
// Arguments: Task<T>, Future<T> (and anything derived from it, such as
// another gather) and Coro<T> (passed by value: each is wrapped in a task, in
// argument order [S44]). All must belong to one loop.
//
// Result (the value of the returned GatheringFuture):
//   variadic    std::tuple<R...> in argument order [S42]; a void child gives
//               std::monostate. With return_exceptions: std::tuple<Outcome<R>...>.
//   vector      std::vector<T> (void children: std::vector<std::monostate>, so
//               the size still tells how many); with return_exceptions
//               std::vector<Outcome<T>>.
//   gather()    a done future with an empty tuple / empty vector [S43].
// Results are copied out of the children (moved when T is move-only, which
// then leaves the child's own value moved-from). The same task passed twice is
// one child and its result appears twice [S44].
//
// Failure and cancellation (CPython's, see detail/gathering.hpp):
//   - without return_exceptions the first child exception fails the gather at
//     once; the other children are not cancelled and keep running [S45];
//   - with return_exceptions the gather waits for every child and returns
//     exceptions in their slots [S46];
//   - gather.cancel(msg) cancels every child not done and returns true if any
//     accepted [S49]; the awaiter then gets CancelledError, also with
//     return_exceptions [S47];
//   - a child cancelled from outside: CancelledError for the awaiter without
//     return_exceptions, a CancelledError Outcome in its slot with [S48];
//   - cancelling the task that awaits the gather cancels the gather, hence its
//     children (Task.cancel cancels what the task waits on).
// As in CPython the gather future never reaches the `cancelled` state: a
// cancelled gather is done, with a CancelledError as its exception.
#include <simloop/detail/ensure_future.hpp>
#include <simloop/detail/gathering.hpp>
#include <simloop/future.hpp>
#include <simloop/outcome.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace simloop {

// The tag selecting gather(return_exceptions=True).
struct ReturnExceptions {
  explicit ReturnExceptions() = default;
};
inline constexpr ReturnExceptions return_exceptions{};

// The future gather returns: a Future<T> whose cancel() cancels the children.
template <class T>
class GatheringFuture : public Future<T> {
 public:
  explicit GatheringFuture(detail::Ref<detail::FutureBase> b) : Future<T>(std::move(b)) {}
};

namespace detail {

template <class T>
using gather_value_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
template <bool RE, class T>
using gather_slot_t = std::conditional_t<RE, Outcome<T>, gather_value_t<T>>;

// One slot of the results, from a done child (CPython's results loop).
template <bool RE, class T>
gather_slot_t<RE, T> gather_slot(FutureBase& child, ValueSlot<T>* slot) {
  if constexpr (RE) {
    // A cancelled child gives a new CancelledError with its message
    // (CancelledError('') for a task: checked with python3).
    if (child.cancelled()) return Outcome<T>::from_exception(std::make_exception_ptr(CancelledError(child.cancel_message())));
    if (std::exception_ptr e = child.exception()) return Outcome<T>::from_exception(std::move(e));
    if constexpr (std::is_void_v<T>) {
      return Outcome<void>::from_value();
    } else {
      return Outcome<T>::from_value(take_value(slot));
    }
  } else {
    child.check_result();  // never throws here: a failed child ended the gather earlier
    if constexpr (std::is_void_v<T>) {
      return std::monostate{};
    } else {
      return take_value(slot);
    }
  }
}

template <bool RE, class... R>
class TupleGathering final : public GatheringCore, public ValueSlot<std::tuple<gather_slot_t<RE, R>...>> {
 public:
  using Result = std::tuple<gather_slot_t<RE, R>...>;
  explicit TupleGathering(Loop& loop) : GatheringCore(loop, RE) { bind_value_slot<Result>(this); }

 protected:
  void store_results() override { store(std::index_sequence_for<R...>{}); }

 private:
  template <std::size_t... I>
  void store(std::index_sequence<I...>) {
    // Braced: evaluated in argument order, as CPython's loop.
    this->value.emplace(Result{gather_slot<RE, R>(*children()[I], slot_of<R>(*children()[I]))...});
  }
};

template <bool RE, class T>
class VectorGathering final : public GatheringCore, public ValueSlot<std::vector<gather_slot_t<RE, T>>> {
 public:
  using Result = std::vector<gather_slot_t<RE, T>>;
  explicit VectorGathering(Loop& loop) : GatheringCore(loop, RE) { bind_value_slot<Result>(this); }

 protected:
  void store_results() override {
    Result r;
    r.reserve(children().size());
    for (const auto& child : children()) r.push_back(gather_slot<RE, T>(*child, slot_of<T>(*child)));
    this->value.emplace(std::move(r));
  }
};

// Registers the next argument's future on the gather (created on the first
// argument's loop); a future seen before is a duplicate (CPython's arg_to_fut).
template <class Impl>
void gather_add(Ref<Impl>& impl, Loop* loop, std::vector<FutureBase*>& seen, FutureBase* f) {
  if (!impl) impl = make_ref<Impl>(*loop);
  bool first = std::find(seen.begin(), seen.end(), f) == seen.end();
  if (first) seen.push_back(f);
  impl->add_child(Ref<FutureBase>(f), first);
}

template <class Result>
GatheringFuture<Result> gather_empty(Result r) {
  // CPython returns a plain done future here, not a _GatheringFuture.
  Future<Result> done(get_running_loop());
  done.set_result(std::move(r));
  return GatheringFuture<Result>(Ref<FutureBase>(done.base()));
}

template <bool RE, class... A>
auto gather_tuple(A&&... a) {
  using Impl = TupleGathering<RE, awaitable_result_t<A>...>;
  using Result = typename Impl::Result;
  if constexpr (sizeof...(A) == 0) {
    return gather_empty(Result{});  // [S43]
  } else {
    Loop* loop = nullptr;
    Ref<Impl> impl;
    std::vector<FutureBase*> seen;
    // A comma fold runs left to right: tasks are created and callbacks
    // registered in argument order, as CPython's loop over its arguments.
    auto add = [&]<class X>(X&& x) {
      auto f = ensure_future(loop, std::forward<X>(x));
      gather_add(impl, loop, seen, f.base());
    };
    (add(std::forward<A>(a)), ...);
    impl->seal();
    return GatheringFuture<Result>(Ref<FutureBase>(std::move(impl)));
  }
}

template <bool RE, class X>
auto gather_vector(std::vector<X> xs) {
  using T = awaitable_result_t<X>;
  using Impl = VectorGathering<RE, T>;
  using Result = typename Impl::Result;
  if (xs.empty()) return gather_empty(Result{});  // [S43]
  Loop* loop = nullptr;
  Ref<Impl> impl;
  // Duplicates are spotted with each future's scratch bit, cleared again on
  // every child however this ends (an argument of another loop throws).
  struct ClearSeen {
    Ref<Impl>& impl;
    ~ClearSeen() {
      if (impl)
        for (const auto& child : impl->children()) child->clear_seen();
    }
  } clear_seen{impl};
  for (auto& x : xs) {
    auto f = ensure_future(loop, std::move(x));
    if (!impl) {
      impl = make_ref<Impl>(*loop);
      impl->reserve_children(xs.size());
    }
    impl->add_child(Ref<FutureBase>(f.base()), !f.base()->test_and_set_seen());
  }
  impl->seal();
  return GatheringFuture<Result>(Ref<FutureBase>(impl));
}

}  // namespace detail

// gather(a, b, ...): a future of std::tuple<R...> (void -> std::monostate).
template <detail::Awaitable... A>
auto gather(A&&... a) {
  return detail::gather_tuple<false>(std::forward<A>(a)...);
}
// gather(return_exceptions, a, b, ...): a future of std::tuple<Outcome<R>...>.
template <detail::Awaitable... A>
auto gather(ReturnExceptions, A&&... a) {
  return detail::gather_tuple<true>(std::forward<A>(a)...);
}
// gather(vector of Task<T> / Future<T> / Coro<T>): a future of std::vector<T>
// (void -> std::vector<std::monostate>).
template <detail::Awaitable X>
auto gather(std::vector<X> xs) {
  return detail::gather_vector<false>(std::move(xs));
}
// gather(return_exceptions, vector): a future of std::vector<Outcome<T>>.
template <detail::Awaitable X>
auto gather(ReturnExceptions, std::vector<X> xs) {
  return detail::gather_vector<true>(std::move(xs));
}

}  // namespace simloop
