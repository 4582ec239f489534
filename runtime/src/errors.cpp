#include <simloop/errors.hpp>

#include <typeinfo>

#if defined(__GNUG__)
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#endif

namespace simloop {

namespace {
std::string type_name(const std::type_info& ti) {
#if defined(__GNUG__)
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> p(abi::__cxa_demangle(ti.name(), nullptr, nullptr, &status), std::free);
  if (status == 0 && p) return p.get();
#endif
  return ti.name();
}

std::string group_what(const std::string& message, const std::vector<std::exception_ptr>& excs) {
  std::string s = message + " (" + std::to_string(excs.size()) + " sub-exception" + (excs.size() == 1 ? "" : "s") + ")";
  return s;
}
}  // namespace

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : std::runtime_error(group_what(message, exceptions)),
      message_(std::move(message)),
      exceptions_(std::move(exceptions)) {}

std::string describe_exception(const std::exception_ptr& e) {
  if (!e) return "no exception";
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError& c) {
    return c.message().empty() ? std::string("CancelledError") : "CancelledError: " + c.message();
  } catch (const std::exception& x) {
    return type_name(typeid(x)) + ": " + x.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace simloop
