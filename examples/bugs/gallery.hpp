#pragma once
// The race-bug gallery: small async programs, each with a bug that a plain
// test on a real loop (or the simulator's fifo order, which is asyncio's
// order) passes, and the same program fixed. Every bug lives in its own
// folder: buggy.cpp and fixed.cpp differ only by the fix (diff them), and the
// folder's header holds the world and the property the test checks.
//
// A gallery test is a coroutine function: it runs the scenario and throws
// bugs::Violation when the property does not hold, so sim::explore reports it
// as a failure with its seed and token. README.md in this folder tells each
// bug's story; hunt.cpp hunts them all.
#include <cstdint>
#include <simloop/sim.hpp>
#include <simloop/sim/options.hpp>
#include <simloop/simloop.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace bugs {

// The program broke the property its test states.
class Violation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Violation(what) unless `ok`.
void expect(bool ok, const std::string& what);

// A call to a remote service (a database, a payment provider, a replica). On
// a real loop it takes `nominal`, and so it does under the simulator's fifo
// order: every plain test sees the same, well-behaved latencies. Under an
// exploring strategy each call's latency is a choice point
// (ChoicePoint::io_latency, recorded in the schedule and replayed like any
// other): index 0 is the nominal latency, index 1 a slow reply of
// kSlowFactor x nominal — the one a loaded network gives now and then.
inline constexpr int kSlowFactor = 3;
simloop::Coro<void> remote_call(simloop::Duration nominal);

// "t=15ms": the running loop's time, for property messages.
std::string now_ms();

// A gallery test: the scenario with its property check.
using Test = simloop::Coro<void> (*)();

// "Strategy S finds the buggy version within `runs_max` runs of
// sim::explore from seed 0" — a claim README.md states, tests/bugs checks, and
// `simloop_hunt --measure` backs with runs-to-find over 100 seed ranges. The
// fixed version must pass 10 x runs_max runs of the same strategy.
struct Claim {
  simloop::sim::Strategy strategy;
  std::uint64_t runs_max;
};

struct Bug {
  const char* id;     // folder name: "lost_update"
  const char* title;  // one line: what goes wrong
  Test buggy;
  Test fixed;
  std::vector<Claim> claims;  // claims.front(): the hunt's default strategy (random)

  // The runs_max claimed for `s`, or 0 if README.md claims nothing for it.
  std::uint64_t budget(simloop::sim::Strategy s) const {
    for (auto& c : claims)
      if (c.strategy == s) return c.runs_max;
    return 0;
  }
};

// Every bug of the gallery, in README order.
const std::vector<Bug>& gallery();

}  // namespace bugs
