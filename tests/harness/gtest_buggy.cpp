// A GoogleTest binary built with the harness adapter, run by driver.py: the
// buggy test is DISABLED_ so the binary passes unless asked for it
// (--gtest_also_run_disabled_tests).
#include "buggy.hpp"

#include <simloop/sim/harness/gtest.hpp>

SIMLOOP_TEST(Harness, DISABLED_LostUpdate) {
  int balance = co_await harness_example::two_deposits();
  EXPECT_EQ(balance, 2);
}

SIMLOOP_TEST(Harness, AlwaysPasses) {
  int balance = 0;
  co_await harness_example::deposit(balance);
  EXPECT_EQ(balance, 1);
}
