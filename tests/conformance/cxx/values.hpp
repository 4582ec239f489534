#pragma once
// Scenario values and errors, and their trace formatting (README.md, "Trace
// format"): what a task returns (int, string, null, list; exceptions only
// inside gather results), the scenario's own exception classes, and the
// matching rules of `catch` clauses.
#include <simloop/errors.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace conformance {

struct Value;

// An exception in a gather(return_exceptions=True) slot. `always_msg`: the
// slot of a cancelled child, which CPython builds as CancelledError('' if msg
// is None else msg), so it prints its message even when empty.
struct ExcValue {
  std::exception_ptr e;
  bool always_msg = false;
};

struct Value {
  std::variant<std::monostate, std::int64_t, std::string, std::vector<Value>, ExcValue> v;
};

// The scenario is invalid or did something the format leaves undefined. Not a
// std::exception, and never caught by a scenario's catch clause (Python: a
// BaseException subclass that the interpreter re-raises everywhere).
struct ScenarioError {
  std::string message;
};

// A user error kind (`raise Boom "msg"`): Python's `class Boom(Exception)`.
class UserError : public std::exception {
 public:
  UserError(std::string kind, std::optional<std::string> msg) : kind_(std::move(kind)), msg_(std::move(msg)) {}
  const std::string& kind() const noexcept { return kind_; }
  const std::optional<std::string>& msg() const noexcept { return msg_; }
  const char* what() const noexcept override { return kind_.c_str(); }

 private:
  std::string kind_;
  std::optional<std::string> msg_;
};

// TimeoutError raised by a scenario's `raise` op: it must print its own
// message (or none), whereas every TimeoutError simloop raises prints as
// asyncio's, `TimeoutError()`.
class ScenarioTimeoutError : public simloop::TimeoutError {
 public:
  explicit ScenarioTimeoutError(std::optional<std::string> msg)
      : simloop::TimeoutError(msg.value_or("TimeoutError")), msg_(std::move(msg)) {}
  const std::optional<std::string>& msg() const noexcept { return msg_; }

 private:
  std::optional<std::string> msg_;
};

std::string fmt_str(const std::string& s);
std::string fmt_value(const Value& v);
// KIND(...) of an exception (README: EXC). `always_msg` as in ExcValue.
std::string fmt_exc(const std::exception_ptr& e, bool always_msg = false);
bool is_scenario_error(const std::exception_ptr& e);
// Does a `catch` clause of this kind handle e? (README: "Catch matching")
bool catch_matches(const std::string& kind, const std::exception_ptr& e);

}  // namespace conformance
