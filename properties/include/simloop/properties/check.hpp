#pragma once
// Shared pieces of the suites: comparing a finished task with the model, and
// failing a rapidcheck case when a simulated run failed.
#include <simloop/properties/scenario.hpp>
#include <simloop/properties/schedule.hpp>

#include <simloop/outcome.hpp>

#include <rapidcheck.h>

#include <string>

namespace simloop::properties {

inline std::string describe(const Predicted& p) {
  const char* k = p.ending == Ending::value ? "value" : p.ending == Ending::error ? "error" : "cancelled";
  return std::string(k) + "(" + std::to_string(p.origin) + ")@" + std::to_string(p.finish);
}

// Same ending, same origin (value / error), same finish instant.
inline bool matches(const Predicted& want, const Predicted& got) {
  if (want.ending != got.ending || want.finish != got.finish) return false;
  return want.ending == Ending::cancelled || want.origin == got.origin;
}

// What an Outcome (a gather slot, an as_completed item) says, in the model's terms.
inline Predicted observed(const Outcome<int>& o, int finish) {
  if (o.has_value()) return {Ending::value, o.value() - 100, finish};
  if (o.cancelled()) return {Ending::cancelled, -1, finish};
  try {
    std::rethrow_exception(o.exception());
  } catch (const std::runtime_error& r) {
    return {Ending::error, std::stoi(std::string(r.what()).substr(1)), finish};
  } catch (...) {
  }
  return {Ending::error, -2, finish};
}

// A run that threw (a failed check inside it, a deadlock, a hang) fails the case.
inline void require_passed(const ScheduledRun& r) {
  if (r.report.failure) RC_FAIL("simulated run failed: " + r.report.failure->message);
}

}  // namespace simloop::properties
