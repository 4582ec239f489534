#pragma once
// sim::run(main, options): asyncio.run on a virtual clock, under a strategy.
//
//   auto r = sl::sim::run(demo, {.seed = 42, .strategy = sl::sim::Strategy::random});
//   r.value       // what demo's coroutine returned (absent for void)
//   r.elapsed     // virtual time the run took
//   r.steps       // callbacks the loop ran
//   r.trace_hash  // identifies the run: same program + options + seed -> same hash
//   r.token       // the schedule: sim::replay(demo, r.token) runs it again
//   r.trace       // the events (RunOptions::trace, on by default)
//
// sim::run throws what main threw, or a diagnostic (failure.hpp: Deadlock,
// Hang, LeakError). sim::try_run never throws for a failed run: it returns a
// RunReport whose `failure` says what went wrong, with the token.
//
// `main` is a callable returning Coro<T> (a coroutine function or lambda), so
// that strategies can run it again; it must outlive the run.
#include <simloop/run.hpp>
#include <simloop/sim/failure.hpp>
#include <simloop/sim/options.hpp>
#include <simloop/sim/schedule.hpp>
#include <simloop/sim/sim_loop.hpp>
#include <simloop/sim/strategy.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace simloop::sim {

// What every run reports besides main's value.
struct RunInfo {
  Duration elapsed{};
  std::uint64_t steps = 0;
  std::uint64_t trace_hash = 0;
  std::string token;                    // the schedule token
  Schedule schedule;                    // the same, decoded
  std::shared_ptr<const Trace> trace;   // events kept if RunOptions::trace
  std::vector<std::string> reports;     // what the loop reported (unretrieved exceptions, leftovers)
  std::vector<std::string> pending_at_end;  // tasks still pending when main returned
  bool schedule_diverged = false;       // replay/bytes: the schedule did not fit the program
};

template <class T>
struct RunResult : RunInfo {
  T value;
};
template <>
struct RunResult<void> : RunInfo {};

// try_run's answer: the run's information and, if it failed, why.
struct RunReport : RunInfo {
  std::optional<Failure> failure;
  explicit operator bool() const noexcept { return !failure; }  // true: passed
};

template <class F>
using main_result_t = typename std::invoke_result_t<F&>::value_type;

namespace detail {

// One simulated run's machinery: the chooser the options ask for, the loop,
// and turning what happened into a RunInfo / Failure. Not a template, so
// sim::run stays cheap to compile.
class Session {
 public:
  explicit Session(const RunOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  SimLoop& loop() noexcept { return *loop_; }
  // asyncio.run's body on the sim loop; stores main's error (if any).
  template <class T>
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> execute(Coro<T> main);
  // Closes the loop and classifies the outcome. Call once, after execute().
  // Without `make_token` a run that passed leaves `token` empty (explore's
  // passing runs need only the hash; encoding costs O(decisions)).
  RunReport finish(bool make_token = true);

 private:
  void main_finished();
  RunOptions options_;
  std::unique_ptr<Chooser> owned_chooser_;
  Chooser* chooser_ = nullptr;
  std::unique_ptr<SimLoop> loop_;
  std::exception_ptr error_;
  std::vector<std::string> pending_at_end_;
  std::vector<std::uint32_t> replay_decisions_;
  Schedule token_schedule_;  // Strategy::replay: what the token said
};

template <class T>
std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> Session::execute(Coro<T> main) {
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> out;
  {
    auto task = create_task(*loop_, std::move(main));
    try {
      if constexpr (std::is_void_v<T>) {
        loop_->run_until_complete(Future<T>(task));
        out.emplace(true);
      } else {
        out.emplace(loop_->run_until_complete(Future<T>(task)));
      }
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  main_finished();
  return out;
}

// Rethrows a failed run's error (the test's exception or a diagnostic).
[[noreturn]] void throw_failure(const RunReport& report);
void check_not_running();

}  // namespace detail

// Runs main once; never throws for a failed run (see RunReport::failure).
template <class F>
RunReport try_run(F&& main, const RunOptions& options = {}) {
  detail::check_not_running();
  detail::Session s(options);
  s.execute(main());
  return s.finish();
}

// Runs main once; returns its value and the run's information, or throws what
// failed (main's exception, or Deadlock / Hang / LeakError).
template <class F>
RunResult<main_result_t<F>> run(F&& main, const RunOptions& options = {}) {
  detail::check_not_running();
  using T = main_result_t<F>;
  detail::Session s(options);
  auto value = s.execute(main());
  RunReport rep = s.finish();
  if (rep.failure) detail::throw_failure(rep);
  if constexpr (std::is_void_v<T>) {
    return RunResult<void>{std::move(static_cast<RunInfo&>(rep))};
  } else {
    return RunResult<T>{std::move(static_cast<RunInfo&>(rep)), std::move(*value)};
  }
}

}  // namespace simloop::sim
