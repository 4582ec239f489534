#pragma once
// sim::explore(test, options): run a test under many schedules, stop at the
// first failure. sim::replay(test, token): run one recorded schedule again.
//
//   auto report = sl::sim::explore(test, {.runs = 500, .strategy = sl::sim::Strategy::pct});
//   if (report.failure) fmt::print("{}\n", *report.failure);
//
// A failure is the test's exception (a failed check), or a diagnostic
// (failure.hpp): deadlock, hang, a leftover task or unretrieved exception
// when the options make those fail, nondeterminism with check_determinism.
// The report gives the seed, the schedule token, a one-line replay
// instruction, the last events of the trace and how many runs it took; the
// failing schedule is re-run once to prove it reproduces with the same trace
// hash, and the report says whether it did.
//
// Runs are independent and deterministic: run i of a seeded strategy uses
// seed + i, so [seed, seed + runs) is the seed range explored, and the same
// options explore the same schedules in every process. The wall-time budget
// is only looked at between runs. Under dfs, `exhausted` says every schedule
// (within dfs_deviations_max) was run without failure.
#include <simloop/sim/failure.hpp>
#include <simloop/sim/options.hpp>
#include <simloop/sim/run.hpp>
#include <simloop/sim/schedule.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace simloop::sim {

struct ExploreReport {
  std::uint64_t runs = 0;               // runs made (including the failing one)
  bool exhausted = false;               // dfs: the whole space was run
  bool stopped_by_wall_time = false;
  std::uint64_t distinct_hashes = 0;    // different trace hashes seen (a coverage hint)
  std::optional<Failure> failure;
  explicit operator bool() const noexcept { return !failure; }  // true: no failure found
  std::string to_string() const;
};
std::ostream& operator<<(std::ostream& os, const ExploreReport& r);

struct ReplayReport {
  std::optional<Failure> failure;       // what the replayed run did wrong (nullopt: it passed)
  std::uint64_t trace_hash = 0;
  std::uint64_t recorded_hash = 0;      // the hash the token recorded
  bool same_hash = false;               // trace_hash == recorded_hash: the very same run
  bool schedule_diverged = false;       // the program asked choices the schedule did not have
  std::shared_ptr<const Trace> trace;
  std::string to_string() const;
};

// The type-erased test: a callable that starts one run of the test body.
using TestFn = std::function<Coro<void>()>;

ExploreReport explore_erased(const TestFn& test, const ExploreOptions& options);
ReplayReport replay_erased(const TestFn& test, std::string_view token, bool quiet);

namespace detail {
// Adapts any `F` returning Coro<T> to TestFn (the value is dropped; awaiting
// inline adds no scheduling point, so traces are unchanged).
template <class F>
TestFn erase_test(F& test) {
  if constexpr (std::is_same_v<std::invoke_result_t<F&>, Coro<void>>) {
    return [&test]() -> Coro<void> { return test(); };
  } else {
    return [&test]() -> Coro<void> { (void)co_await test(); };
  }
}
}  // namespace detail

template <class F>
ExploreReport explore(F&& test, const ExploreOptions& options = {}) {
  return explore_erased(detail::erase_test(test), options);
}

// Runs `test` under the schedule of `token` (with the options it carries).
// Throws TokenError for a token that is corrupted, truncated or not ours.
template <class F>
ReplayReport replay(F&& test, std::string_view token, bool quiet = true) {
  return replay_erased(detail::erase_test(test), token, quiet);
}

}  // namespace simloop::sim
