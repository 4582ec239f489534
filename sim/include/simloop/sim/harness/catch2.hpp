#pragma once
// Catch2 adapter: run a coroutine test body under many schedules.
//
//   #include <simloop/sim/harness/catch2.hpp>
//
//   SIMLOOP_TEST_CASE("two increments make two", "[counter]") {
//     Counter c;
//     co_await sl::gather(c.incr(), c.incr());
//     REQUIRE(c.value() == 2);
//   }
//
//   TEST_CASE("by hand") {            // or inside an ordinary TEST_CASE
//     sl::sim::check([]() -> sl::Coro<void> { ...; co_return; }, {.runs = 500});
//   }
//
// Options: harness::HarnessOptions (env.hpp), overridden by SIMLOOP_* from
// the environment. A failed REQUIRE inside the body ends that schedule (Catch
// throws its own exception type, which simloop's tasks carry like any other)
// and the test fails with simloop's report: seed, token, runs taken, the last
// trace events and a replay line. CHECK failures are recorded by Catch but do
// not stop the exploration: prefer REQUIRE in simulated bodies.
//
// Catch2 v2 (Debian bookworm's 2.13, <catch2/catch.hpp>) is what this is
// tested with. Catch2 v3 is picked when <catch2/catch_test_macros.hpp>
// exists; it uses only getResultCapture(), getLastResult() and
// TestFailureException, which v3 keeps under the headers named below.
#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_macros.hpp>
#include <catch2/interfaces/catch_interfaces_capture.hpp>
#include <catch2/internal/catch_test_failure_exception.hpp>
#include <catch2/catch_assertion_result.hpp>
#define SIMLOOP_HARNESS_CATCH_HAS_RESULT 1
#else
// v2's single header defines AssertionResult (the failed check with its
// values) only with CATCH_CONFIG_EXTERNAL_INTERFACES; ask for it when we are
// first to include Catch (it only adds declarations). Otherwise the report
// points at Catch's own output for the values.
#if !defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && !defined(CATCH_CONFIG_EXTERNAL_INTERFACES)
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#endif
#include <catch2/catch.hpp>
#if defined(CATCH_CONFIG_EXTERNAL_INTERFACES) || defined(CATCH_CONFIG_ENABLE_BENCHMARKING)
#define SIMLOOP_HARNESS_CATCH_HAS_RESULT 1
#endif
#endif

#include <simloop/sim/harness/runner.hpp>

#include <iostream>
#include <string>

namespace simloop::sim {

namespace harness::catch2_detail {
// Catch's REQUIRE threw: describe the failed assertion with its expansion.
inline std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Catch::TestFailureException&) {
#ifdef SIMLOOP_HARNESS_CATCH_HAS_RESULT
    const Catch::AssertionResult* r = Catch::getResultCapture().getLastResult();
    if (r && !r->succeeded())
      // Only the macro text: the expansion's operands died with the
      // exception (Catch printed the values above, as it always does).
      return fmt::format("{}\n  at {}:{}", r->getExpressionInMacro(), r->getSourceInfo().file,
                         r->getSourceInfo().line);
#endif
    return "a Catch2 assertion failed (see above)";
  } catch (...) {
  }
  return {};
}
}  // namespace harness::catch2_detail

// Runs `body` (a callable returning Coro<T>) under the schedules `defaults`
// and the environment select; fails the current Catch2 test on the first
// failing schedule, with simloop's report.
template <class F>
void check(F&& body, const harness::HarnessOptions& defaults = {}) {
  harness::HarnessOptions o;
  try {
    o = harness::options_from_env(defaults);
  } catch (const harness::HarnessConfigError& e) {
    std::cout << "simloop: " << e.what() << std::endl;  // unwrapped, greppable
    FAIL("simloop: " << e.what());
  }
  const std::string name = Catch::getResultCapture().getCurrentTestName();
  harness::Outcome out;
  try {
    out = harness::run_test(detail::erase_test(body), o, name, harness::detail::shell_quote(name),
                            &harness::catch2_detail::describe);
  } catch (const TokenError& e) {
    std::cout << "simloop: SIMLOOP_REPLAY: " << e.what() << std::endl;
    FAIL("simloop: SIMLOOP_REPLAY: " << e.what());
  }
  if (o.machine) std::cout << out.machine_line << std::endl;
  if (out.failed) {
    // The report goes out unwrapped (Catch wraps messages at 80 columns,
    // which would break the replay line); FAIL repeats the essentials.
    std::cout << out.report << std::flush;
    FAIL("simloop: failing schedule: seed " << out.seed << ", token " << out.token
                                            << " (report and replay line above)");
  }
  if (out.replayed) SUCCEED("simloop: replayed token, passed (same trace hash as recorded: " << out.same_hash << ")");
}

}  // namespace simloop::sim

#define SIMLOOP_HARNESS_CAT2(a, b) a##b
#define SIMLOOP_HARNESS_CAT(a, b) SIMLOOP_HARNESS_CAT2(a, b)
#define SIMLOOP_TEST_CASE_IMPL(fn, ...)                                 \
  static ::simloop::Coro<void> fn();                                    \
  TEST_CASE(__VA_ARGS__) { ::simloop::sim::check(&fn); }                \
  static ::simloop::Coro<void> fn()
// SIMLOOP_TEST_CASE("name", "[tags]") { ...coroutine body... }
#define SIMLOOP_TEST_CASE(...) SIMLOOP_TEST_CASE_IMPL(SIMLOOP_HARNESS_CAT(simloop_test_body_, __LINE__), __VA_ARGS__)
