#pragma once
// simloop's exception types, named after asyncio's.
//
// CancelledError deliberately does NOT derive from std::exception, so that
// `catch (const std::exception&)` in user code does not swallow a cancellation
// (Python 3.8 moved asyncio.CancelledError under BaseException for the same
// reason). Catch it by name, or with `catch (...)` and rethrow.
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace simloop {

class CancelledError {
 public:
  CancelledError() = default;
  explicit CancelledError(std::string message) : message_(std::move(message)) {}
  // The message given to cancel(msg); empty when none was given.
  const std::string& message() const noexcept { return message_; }
  const char* what() const noexcept { return message_.empty() ? "CancelledError" : message_.c_str(); }

 private:
  std::string message_;
};

// asyncio.TimeoutError (the builtin TimeoutError since 3.11).
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("TimeoutError") {}
  explicit TimeoutError(const std::string& what) : std::runtime_error(what) {}
};

// asyncio.InvalidStateError: an illegal Future/Task state transition or query.
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// asyncio.QueueEmpty / QueueFull.
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("QueueEmpty: the queue has no item; await get() to wait for one") {}
};
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("QueueFull: the queue is at maxsize; await put() to wait for room") {}
};

// Python 3.11's ExceptionGroup, as raised by TaskGroup: every child error, in
// the order the children failed.
class ExceptionGroup : public std::runtime_error {
 public:
  ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string message_;
  std::vector<std::exception_ptr> exceptions_;
};

// A short human-readable description of any exception: "TypeName: what()".
// Works for CancelledError and for non-std exceptions ("unknown exception").
std::string describe_exception(const std::exception_ptr& e);

}  // namespace simloop
