#pragma once
// async_with(cm, body): Python's `async with cm as x: body` for any type with
//
//   Coro<X>    aenter();                          // X may be void
//   Coro<bool> aexit(std::exception_ptr e);       // true: suppress e
//   Coro<void> aexit(std::exception_ptr e);       // (or) never suppresses
//
//   co_await sl::async_with(lock, [&]() -> sl::Coro<void> { ... });
//   int n = co_await sl::async_with(sem, [&]() -> sl::Coro<int> { co_return 1; });
//   co_await sl::async_with(sl::timeout(1s), [&](sl::Timeout& t) -> sl::Coro<void> { ... });
//
// What it does, as the interpreter does for `async with` (PEP 492):
//   value = await cm.aenter()
//   try:     body(value)
//   except:  if not await cm.aexit(exc): raise     # also CancelledError
//   else:    await cm.aexit(None)
// aexit therefore always runs once aenter returned — on success, on an
// exception and on cancellation; if aenter throws, neither body nor aexit
// runs. Everything is awaited inline (a Coro), so it costs no loop iteration
// of its own: iteration counts match CPython's `async with`.
//
// The body is a callable returning Coro<R>; it is given, in this order of
// preference: aenter's value (X& when X is not void), else the manager itself
// (CM&, so `[&](sl::TaskGroup& tg)` and `[&](sl::Timeout& t)` work), else
// nothing. The body is kept alive in async_with's frame (no dangling closure).
//
// Result: R. When aexit can suppress (returns Coro<bool>) and R is not void,
// the result is std::optional<R>: nullopt when the body's exception was
// suppressed. With a void body, a suppressed exception simply returns.
//
// Ownership: an lvalue manager is used by reference (it must outlive the
// await); an rvalue manager (`async_with(sl::timeout(1s), ...)`) is moved
// into the frame, so storing the returned Coro and awaiting it later is safe.
#include <simloop/coro.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace simloop {

namespace detail {

template <class C>
struct coro_value;
template <class T>
struct coro_value<Coro<T>> {
  using type = T;
};
template <class C>
using coro_value_t = typename coro_value<std::remove_cvref_t<C>>::type;

template <class CM>
using aenter_value_t = coro_value_t<decltype(std::declval<CM&>().aenter())>;
template <class CM>
inline constexpr bool aexit_can_suppress_v =
    std::is_same_v<coro_value_t<decltype(std::declval<CM&>().aexit(std::exception_ptr{}))>, bool>;

// How the body is called: with aenter's value, with the manager, or with nothing.
template <class CM, class F>
constexpr bool takes_value_v = [] {
  if constexpr (std::is_void_v<aenter_value_t<CM>>) {
    return false;
  } else {
    return std::is_invocable_v<F&, aenter_value_t<CM>&>;
  }
}();

template <class CM, class F>
constexpr int body_arity_kind() {
  if constexpr (takes_value_v<CM, F>) {
    return 1;
  } else if constexpr (std::is_invocable_v<F&, CM&>) {
    return 2;
  } else {
    static_assert(std::is_invocable_v<F&>,
                  "async_with body must be callable with aenter()'s value, with the manager, or with nothing");
    return 0;
  }
}

template <class CM, class F>
auto body_result_type() {
  constexpr int kind = body_arity_kind<CM, F>();
  if constexpr (kind == 1) {
    return std::type_identity<coro_value_t<std::invoke_result_t<F&, aenter_value_t<CM>&>>>{};
  } else if constexpr (kind == 2) {
    return std::type_identity<coro_value_t<std::invoke_result_t<F&, CM&>>>{};
  } else {
    return std::type_identity<coro_value_t<std::invoke_result_t<F&>>>{};
  }
}
template <class CM, class F>
using body_result_t = typename decltype(body_result_type<CM, F>())::type;

template <class CM, class F>
using async_with_result_t =
    std::conditional_t<!std::is_void_v<body_result_t<CM, F>> && aexit_can_suppress_v<CM>,
                       std::optional<body_result_t<CM, F>>, body_result_t<CM, F>>;

// Awaits cm.aexit(e); true if it asks to suppress e.
template <class CM>
Coro<bool> call_aexit(CM& cm, std::exception_ptr e) {
  if constexpr (aexit_can_suppress_v<CM>) {
    co_return co_await cm.aexit(std::move(e));
  } else {
    co_await cm.aexit(std::move(e));
    co_return false;
  }
}

// CMS is CM& (an lvalue manager, used in place) or CM (moved into this frame).
template <class CMS, class F>
Coro<async_with_result_t<std::remove_reference_t<CMS>, F>> async_with_impl(CMS cm_store, F body) {
  using CM = std::remove_reference_t<CMS>;
  using X = aenter_value_t<CM>;
  using R = body_result_t<CM, F>;
  using Result = async_with_result_t<CM, F>;
  CM& cm = cm_store;
  constexpr int kind = body_arity_kind<CM, F>();

  // value = await aenter(mgr): an exception here propagates, aexit is not called.
  std::optional<std::conditional_t<std::is_void_v<X>, char, X>> entered;
  if constexpr (std::is_void_v<X>) {
    co_await cm.aenter();
  } else {
    entered.emplace(co_await cm.aenter());
  }

  auto run_body = [&]() -> decltype(auto) {
    if constexpr (kind == 1) {
      return body(*entered);
    } else if constexpr (kind == 2) {
      return body(cm);
    } else {
      return body();
    }
  };

  std::exception_ptr exc;
  std::optional<std::conditional_t<std::is_void_v<R>, char, R>> value;
  try {
    if constexpr (std::is_void_v<R>) {
      co_await run_body();
    } else {
      value.emplace(co_await run_body());
    }
  } catch (...) {
    exc = std::current_exception();  // CancelledError too: aexit sees it
  }
  // C++ cannot co_await inside a catch block, so aexit runs here.
  if (exc) {
    bool suppress = co_await call_aexit(cm, exc);
    if (!suppress) std::rethrow_exception(exc);
    if constexpr (std::is_void_v<R>) {
      co_return;
    } else if constexpr (aexit_can_suppress_v<CM>) {
      co_return Result{};  // std::optional<R>: nullopt, the exception was suppressed
    } else {
      std::rethrow_exception(exc);  // unreachable: a Coro<void> aexit never suppresses
    }
  }
  co_await call_aexit(cm, nullptr);
  if constexpr (!std::is_void_v<R>) co_return std::move(*value);
}

}  // namespace detail

template <class CM, class F>
auto async_with(CM&& cm, F body) {
  using Store = std::conditional_t<std::is_lvalue_reference_v<CM>, CM, std::remove_cvref_t<CM>>;
  return detail::async_with_impl<Store, F>(std::forward<CM>(cm), std::move(body));
}

}  // namespace simloop
