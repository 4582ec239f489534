#include "values.hpp"

#include <cstdio>
#include <stdexcept>

namespace conformance {

std::string fmt_str(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u <= 0x7E) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);  // never reached for valid scenarios
      out += buf;
    }
  }
  return out + '"';
}

std::string fmt_value(const Value& v) {
  struct Visit {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(const std::string& s) const { return fmt_str(s); }
    std::string operator()(const std::vector<Value>& l) const {
      std::string out = "[";
      for (std::size_t k = 0; k < l.size(); ++k) {
        if (k) out += ',';
        out += fmt_value(l[k]);
      }
      return out + ']';
    }
    std::string operator()(const ExcValue& e) const { return fmt_exc(e.e, e.always_msg); }
  };
  return std::visit(Visit{}, v.v);
}

namespace {
std::string with_msg(const char* kind, const std::optional<std::string>& msg) {
  return std::string(kind) + "(" + (msg ? fmt_str(*msg) : "") + ")";
}
}  // namespace

std::string fmt_exc(const std::exception_ptr& e, bool always_msg) {
  if (!e) return "None()";
  try {
    std::rethrow_exception(e);
  } catch (const ScenarioError& x) {
    return "ScenarioError(" + fmt_str(x.message) + ")";
  } catch (const simloop::CancelledError& x) {
    // simloop's empty message is Python's None (README: the one CPython-made
    // CancelledError("") is the always_msg gather slot).
    if (always_msg || !x.message().empty()) return "CancelledError(" + fmt_str(x.message()) + ")";
    return "CancelledError()";
  } catch (const UserError& x) {
    return with_msg(x.kind().c_str(), x.msg());
  } catch (const ScenarioTimeoutError& x) {
    return with_msg("TimeoutError", x.msg());
  } catch (const simloop::TimeoutError&) {
    return "TimeoutError()";  // asyncio raises it without a message
  } catch (const simloop::ExceptionGroup& x) {
    std::string out = "ExceptionGroup(" + fmt_str(x.message()) + ",[";
    for (std::size_t k = 0; k < x.exceptions().size(); ++k) {
      if (k) out += ',';
      out += fmt_exc(x.exceptions()[k]);
    }
    return out + "])";
  } catch (const std::invalid_argument& x) {
    return "ValueError(" + fmt_str(x.what()) + ")";
  } catch (const simloop::InvalidStateError& x) {
    return "InvalidStateError(" + fmt_str(x.what()) + ")";
  } catch (const std::runtime_error& x) {
    return "RuntimeError(" + fmt_str(x.what()) + ")";
  } catch (const std::exception& x) {
    return "CxxException(" + fmt_str(x.what()) + ")";  // a C++-only error: shows up as a difference
  } catch (...) {
    return "UnknownException()";
  }
}

bool is_scenario_error(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const ScenarioError&) {
    return true;
  } catch (...) {
    return false;
  }
}

namespace {
enum class Cls { scenario, cancelled, user, timeout, group, value_error, runtime_error, other_exception };
Cls classify(const std::exception_ptr& e, std::string* user_kind) {
  try {
    std::rethrow_exception(e);
  } catch (const ScenarioError&) {
    return Cls::scenario;
  } catch (const simloop::CancelledError&) {
    return Cls::cancelled;
  } catch (const UserError& x) {
    *user_kind = x.kind();
    return Cls::user;
  } catch (const simloop::TimeoutError&) {
    return Cls::timeout;
  } catch (const simloop::ExceptionGroup&) {
    return Cls::group;
  } catch (const std::invalid_argument&) {
    return Cls::value_error;
  } catch (const simloop::InvalidStateError&) {
    return Cls::other_exception;
  } catch (const std::runtime_error&) {
    return Cls::runtime_error;
  } catch (...) {
    return Cls::other_exception;
  }
}
}  // namespace

bool catch_matches(const std::string& kind, const std::exception_ptr& e) {
  std::string user;
  Cls c = classify(e, &user);
  if (c == Cls::scenario) return false;
  if (kind == "CancelledError") return c == Cls::cancelled;
  if (kind == "TimeoutError") return c == Cls::timeout;
  if (kind == "ExceptionGroup") return c == Cls::group;
  if (kind == "Exception") return c != Cls::cancelled;  // BaseException-only: CancelledError
  if (kind == "ValueError") return c == Cls::value_error;
  if (kind == "RuntimeError") return c == Cls::runtime_error;
  return c == Cls::user && user == kind;
}

}  // namespace conformance
