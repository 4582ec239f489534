#pragma once
// GoogleTest adapter: the same harness (options, report, replay line) as the
// Catch2 one.
//
//   #include <simloop/sim/harness/gtest.hpp>
//
//   SIMLOOP_TEST(Counter, TwoIncrementsMakeTwo) {
//     Counter c;
//     co_await sl::gather(c.incr(), c.incr());
//     EXPECT_EQ(c.value(), 2);
//   }
//
//   TEST(Counter, ByHand) { sl::sim::gtest::check([]() -> sl::Coro<void> {...}, {.runs = 500}); }
//
// Use EXPECT_* inside simulated bodies: ASSERT_* expands to `return`, which a
// coroutine cannot contain (write `if (!ok) co_return;` after an EXPECT). A
// failed EXPECT ends that schedule: after the body, the adapter checks
// HasFailure() and fails the run, so exploration stops at the first
// failing schedule and reports it (the replay line uses --gtest_filter).
#include <gtest/gtest.h>

#include <simloop/sim/harness/runner.hpp>

#include <iostream>
#include <string>

namespace simloop::sim::gtest {

namespace detail {
// Thrown at the end of a run in which an EXPECT_* failed.
struct ExpectationFailed {};

inline std::string describe(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const ExpectationFailed&) {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const ::testing::TestResult* result = info ? info->result() : nullptr;
    if (result)
      for (int i = result->total_part_count() - 1; i >= 0; --i) {
        const ::testing::TestPartResult& part = result->GetTestPartResult(i);
        if (part.failed())
          return fmt::format("{}\n  at {}:{}", part.message(), part.file_name() ? part.file_name() : "?",
                             part.line_number());
      }
    return "an EXPECT_* failed (see above)";
  } catch (...) {
  }
  return {};
}
}  // namespace detail

template <class F>
void check(F&& body, const harness::HarnessOptions& defaults = {}) {
  harness::HarnessOptions o;
  try {
    o = harness::options_from_env(defaults);
  } catch (const harness::HarnessConfigError& e) {
    FAIL() << "simloop: " << e.what();
  }
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : std::string("?");
  // Expectations that failed before the body ran are not this body's.
  const bool failed_before = ::testing::Test::HasFailure();
  TestFn erased = [&body, failed_before]() -> Coro<void> {
    co_await body();  // inline: no scheduling point, the trace is the body's
    if (!failed_before && ::testing::Test::HasFailure()) throw detail::ExpectationFailed{};
  };
  harness::Outcome out;
  try {
    std::string selector = "--gtest_filter=" + harness::detail::shell_quote(name);
    if (name.find("DISABLED_") != std::string::npos) selector += " --gtest_also_run_disabled_tests";
    out = harness::run_test(erased, o, name, selector,
                            &detail::describe);
  } catch (const TokenError& e) {
    FAIL() << "simloop: SIMLOOP_REPLAY: " << e.what();
  }
  if (o.machine) std::cout << out.machine_line << std::endl;
  if (out.failed) ADD_FAILURE() << out.report;
}

}  // namespace simloop::sim::gtest

#define SIMLOOP_GTEST_BODY_(suite, name) simloop_gtest_body_##suite##_##name
// SIMLOOP_TEST(Suite, Name) { ...coroutine body... }
#define SIMLOOP_TEST(suite, name)                                                   \
  static ::simloop::Coro<void> SIMLOOP_GTEST_BODY_(suite, name)();                  \
  TEST(suite, name) { ::simloop::sim::gtest::check(&SIMLOOP_GTEST_BODY_(suite, name)); } \
  static ::simloop::Coro<void> SIMLOOP_GTEST_BODY_(suite, name)()
