#pragma once
// prop(id, testable, options): rapidcheck inside a Catch2 v2 test case, with a
// line that reproduces a failure.
//
//   TEST_CASE("gather keeps argument order [S42]", "[S42]") {
//     sl::properties::prop("gather.order", [] { ... RC_ASSERT(...); }, {.max_success = 150});
//   }
//
// Debian's rapidcheck/catch.h runs properties without a test id, so
// rapidcheck's own `RC_PARAMS="reproduce=..."` line never appears. prop()
// gives the property the id you pass, hands rapidcheck the configuration's
// reproduce map (so RC_PARAMS="reproduce=..." replays exactly that case), and
// on failure prints
//
//   reproduce: RC_PARAMS="reproduce=<base64>" ./properties_gather_props
//
// check() is the same without Catch: it returns the outcome (the strength
// tests run deliberately wrong variants through it and expect failures).
//
// The seed is fixed per id (a hash of it) unless RC_PARAMS sets `seed`, so
// CI runs are deterministic; RC_PARAMS="max_success=N" overrides
// options.max_success.
#include <rapidcheck.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rc::detail {
// Exported by librapidcheck (src/detail/ReproduceListener) but not declared
// in its installed headers.
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
}  // namespace rc::detail

namespace simloop::properties {

struct PropOptions {
  int max_success = 100;
  int max_size = 0;  // 0: rapidcheck's default (100)
};

struct PropOutcome {
  bool passed = false;
  bool gave_up = false;
  int num_success = 0;
  std::string message;       // rapidcheck's report
  std::string reproduce;     // RC_PARAMS="reproduce=..." (failures only)
  std::vector<std::pair<std::string, std::string>> counterexample;
};

namespace detail {

class QuietListener final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

inline bool rc_params_set(const char* key) {
  const char* p = std::getenv("RC_PARAMS");
  return p && std::string(p).find(key) != std::string::npos;
}

inline std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace detail

template <class Testable>
PropOutcome check(const std::string& id, Testable&& testable, PropOptions options = {}) {
  const auto& config = rc::detail::configuration();
  rc::detail::TestParams params = config.testParams;
  if (!detail::rc_params_set("seed")) params.seed = detail::fnv1a(id);
  if (!detail::rc_params_set("max_success")) params.maxSuccess = options.max_success;
  if (options.max_size > 0 && !detail::rc_params_set("max_size")) params.maxSize = options.max_size;
  rc::detail::TestMetadata metadata{id, id};
  detail::QuietListener listener;
  auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params, listener,
                                          config.reproduce);
  PropOutcome out;
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  out.message = ss.str();
  if (result.template is<rc::detail::SuccessResult>()) {
    out.passed = true;
    out.num_success = result.template get<rc::detail::SuccessResult>().numSuccess;
  } else if (result.template is<rc::detail::FailureResult>()) {
    const auto& f = result.template get<rc::detail::FailureResult>();
    out.num_success = f.numSuccess;
    out.counterexample = f.counterExample;
    std::unordered_map<std::string, rc::detail::Reproduce> m{{id, f.reproduce}};
    out.reproduce = "RC_PARAMS=\"reproduce=" + rc::detail::reproduceMapToString(m) + "\"";
  } else if (result.template is<rc::detail::GaveUpResult>()) {
    out.gave_up = true;
  }
  return out;
}

}  // namespace simloop::properties
