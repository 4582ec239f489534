// A Catch2 test binary built with the harness adapter, run as a subprocess by
// driver.py (and by simloop-sweep): its buggy case is hidden ([.]) so the
// normal suite passes; the driver runs it by name and expects it to fail.
#include "buggy.hpp"

#include <simloop/sim/harness/catch2.hpp>

SIMLOOP_TEST_CASE("lost update", "[.][buggy]") {
  int balance = co_await harness_example::two_deposits();
  REQUIRE(balance == 2);
}

SIMLOOP_TEST_CASE("deadlocks", "[.][buggy]") {
  simloop::Future<void> never;
  co_await never;
}

// Counts the schedules it is run under, for the seed-selection checks.
SIMLOOP_TEST_CASE("always passes", "[.][passing]") {
  int balance = 0;
  co_await harness_example::deposit(balance);
  REQUIRE(balance == 1);
}
