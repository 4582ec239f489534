#pragma once
// What went wrong in a simulated run, and the exceptions sim::run throws for
// the simulator's own diagnostics.
//
// Diagnostics:
//   deadlock     nothing is ready, no timer is pending, main has not finished:
//                every pending task and what it awaits.
//   hang         the step budget (steps_max) or the virtual-time budget
//                (virtual_time_max) ran out: names the task that was running.
//                A task that spins on sleep(0) or re-arms timers forever
//                stalls a real loop; here it is caught.
//   pending_task a task was still pending when main returned (asyncio.run
//                cancels it silently); reported, a failure with
//                fail_on_pending_tasks.
//   unretrieved_exception  "Task exception was never retrieved" [S36];
//                reported, a failure with fail_on_unretrieved_exceptions.
//   nondeterminism  explore(check_determinism): the same schedule gave two
//                trace hashes; the first differing event is shown.
//   exception    the test itself threw (a failed check, an assertion).
#include <simloop/sim/options.hpp>
#include <simloop/sim/trace.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <exception>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>

namespace simloop::sim {

enum class FailureKind : std::uint8_t {
  exception,
  deadlock,
  hang,
  pending_task,
  unretrieved_exception,
  nondeterminism,
};
const char* to_string(FailureKind k) noexcept;

// Base of the simulator's diagnostics thrown by sim::run.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Nothing is ready, no timer is pending, and the main task has not finished.
class Deadlock : public SimulationError {
 public:
  using SimulationError::SimulationError;
};
// A step or virtual-time budget ran out.
class Hang : public SimulationError {
 public:
  using SimulationError::SimulationError;
};
// fail_on_pending_tasks / fail_on_unretrieved_exceptions.
class LeakError : public SimulationError {
 public:
  using SimulationError::SimulationError;
};
// explore(check_determinism): two runs of one schedule differed.
class Nondeterminism : public SimulationError {
 public:
  using SimulationError::SimulationError;
};

struct Failure {
  FailureKind kind = FailureKind::exception;
  std::string message;           // the exception's description or the diagnostic's text
  std::exception_ptr error;      // what the run threw
  Strategy strategy = Strategy::fifo;
  std::uint64_t seed = 0;        // the seed of the failing run
  std::uint64_t runs = 0;        // runs it took to find (1 = the first run)
  std::string token;             // the schedule token: replay it
  std::string replay_command;    // one line that replays it
  std::uint64_t trace_hash = 0;
  // explore re-runs the failing schedule once: did it fail again the same way
  // with the same trace hash?
  bool reproduce_checked = false;
  bool reproduced = false;
  std::uint64_t reproduced_hash = 0;
  std::shared_ptr<const Trace> trace;  // the failing run's trace (kept events)
  std::size_t trace_tail = 20;         // how many events to print

  // The whole report, several lines (seed, token, replay line, trace tail, ...).
  std::string to_string() const;
};
std::ostream& operator<<(std::ostream& os, const Failure& f);

}  // namespace simloop::sim

// fmt::print("{}", failure) prints to_string().
template <>
struct fmt::formatter<simloop::sim::Failure> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const simloop::sim::Failure& f, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(f.to_string(), ctx);
  }
};
