// A rapidcheck property over the buggy example, run by driver.py: with
// `--buggy` it checks the lost update (must fail, shrunk, with a token);
// without, a property that holds (must pass).
#include "buggy.hpp"

#include <simloop/sim/harness/rapidcheck.hpp>

#include <cstring>

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--buggy") == 0) {
    bool ok = simloop::sim::prop("lost update", [](std::uint8_t extra) -> simloop::Coro<void> {
      int balance = co_await harness_example::two_deposits();
      RC_ASSERT(balance + extra % 2 == 2 + extra % 2);
    });
    return ok ? 0 : 1;
  }
  bool ok = simloop::sim::prop("one deposit", [](std::uint8_t start) -> simloop::Coro<void> {
    int balance = start;
    co_await harness_example::deposit(balance);
    RC_ASSERT(balance == start + 1);
  });
  return ok ? 0 : 1;
}
