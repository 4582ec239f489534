#pragma once
// Outcome<T>: how an awaitable ended — a value or an exception. It is the C++
// form of one slot of `gather(..., return_exceptions=True)`'s result list,
// where Python puts either the result or the exception object [S46, S48].
//
//   auto [a, b] = co_await sl::gather(sl::return_exceptions, t1, t2);
//   if (a.has_value()) use(a.value());
//   else if (a.cancelled()) ...        // the child was cancelled: a CancelledError
//   else log(a.exception());
//
//   value()      the value; rethrows the exception when there is none
//   exception()  the exception (null when there is a value)
//   cancelled()  the exception is a CancelledError
//
// Outcome<void> holds just the exception (null: success); value() returns
// nothing or rethrows.
#include <simloop/errors.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

namespace simloop {

namespace detail {
bool is_cancelled_error(const std::exception_ptr& e) noexcept;  // task.cpp
}

template <class T>
class Outcome {
 public:
  using value_type = T;

  static Outcome from_value(T v) { return Outcome(std::optional<T>(std::move(v)), nullptr); }
  static Outcome from_exception(std::exception_ptr e) {
    if (!e) throw std::invalid_argument("Outcome::from_exception() needs an exception: got an empty exception_ptr");
    return Outcome(std::nullopt, std::move(e));
  }

  bool has_value() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  const T& value() const& {
    if (exc_) std::rethrow_exception(exc_);
    return *value_;
  }
  T&& value() && {
    if (exc_) std::rethrow_exception(exc_);
    return std::move(*value_);
  }
  const std::exception_ptr& exception() const noexcept { return exc_; }
  bool cancelled() const noexcept { return detail::is_cancelled_error(exc_); }

 private:
  Outcome(std::optional<T> v, std::exception_ptr e) : value_(std::move(v)), exc_(std::move(e)) {}
  std::optional<T> value_;
  std::exception_ptr exc_;
};

template <>
class Outcome<void> {
 public:
  using value_type = void;

  static Outcome from_value() { return Outcome(nullptr); }
  static Outcome from_exception(std::exception_ptr e) {
    if (!e) throw std::invalid_argument("Outcome::from_exception() needs an exception: got an empty exception_ptr");
    return Outcome(std::move(e));
  }

  bool has_value() const noexcept { return !exc_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (exc_) std::rethrow_exception(exc_);
  }
  const std::exception_ptr& exception() const noexcept { return exc_; }
  bool cancelled() const noexcept { return detail::is_cancelled_error(exc_); }

 private:
  explicit Outcome(std::exception_ptr e) : exc_(std::move(e)) {}
  std::exception_ptr exc_;
};

}  // namespace simloop
