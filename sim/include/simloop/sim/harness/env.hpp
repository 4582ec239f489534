#pragma once
// The harness's options, shared by every adapter (catch2.hpp, gtest.hpp,
// rapidcheck.hpp) and read from the environment, so that one binary can be
// steered by a person, a CI matrix or simloop-sweep without recompiling:
//
//   SIMLOOP_SEED=s          run exactly one seed (s)
//   SIMLOOP_SEED_RANGE=a:b  run the seeds [a, b) (simloop-sweep uses this)
//   SIMLOOP_REPLAY=token    run one recorded schedule (a token from a report)
//   SIMLOOP_RUNS=n          schedules per test (default 100: seeds [0, n))
//   SIMLOOP_STRATEGY=name   random (default), pct, fifo, dfs
//   SIMLOOP_SHARD=i/n       keep only the seeds whose index in the range is
//                           i mod n: n shards partition the range, no overlap
//   SIMLOOP_TIME_BUDGET=d   stop starting new schedules after d of wall time
//                           (default 30s; "0" = no cap); d is 250ms, 10s, 5m,
//                           1h or a plain number of seconds
//   SIMLOOP_TRACE_OUT=file  write the failing run's whole trace to file
//   SIMLOOP_MACHINE=1       print one `SIMLOOP_RESULT {json}` line per test
//                           (simloop-sweep sets it)
//
// A malformed value throws HarnessConfigError naming the variable, the value
// and what is accepted; adapters turn it into a failed test, never a silent
// default.
#include <simloop/sim/options.hpp>
#include <simloop/sim/schedule.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace simloop::sim::harness {

class HarnessConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct HarnessOptions {
  std::uint64_t runs = 100;                     // unit-test default
  Strategy strategy = Strategy::random;
  std::uint64_t seed_begin = 0;                 // seed range [seed_begin, seed_end)
  std::uint64_t seed_end = 100;
  std::uint32_t shard_index = 0;                // SIMLOOP_SHARD i/n
  std::uint32_t shard_count = 1;
  std::optional<std::string> replay_token;      // SIMLOOP_REPLAY
  std::chrono::milliseconds time_budget{30'000};  // 0: none
  std::optional<std::string> trace_out;         // SIMLOOP_TRACE_OUT
  bool machine = false;                         // SIMLOOP_MACHINE
  std::size_t trace_tail = 30;
  // Passed through to every run (set in code; not from the environment).
  bool explore_ready_order = false;
  std::uint64_t steps_max = 1'000'000;
  Duration virtual_time_max{0};
  std::uint32_t pct_depth = 3;
  bool fail_on_pending_tasks = false;
  bool fail_on_unretrieved_exceptions = false;

  // The seeds this process runs, in order: the k-th seed of the range for
  // every k with k % shard_count == shard_index.
  template <class Fn>
  void for_each_seed(Fn&& fn) const {
    std::uint64_t k = 0;
    for (std::uint64_t s = seed_begin; s < seed_end; ++s, ++k)
      if (k % shard_count == shard_index && !fn(s)) return;
  }
  RunOptions run_options(std::uint64_t seed) const {
    RunOptions ro;
    ro.seed = seed;
    ro.strategy = strategy;
    ro.explore_ready_order = explore_ready_order;
    ro.steps_max = steps_max;
    ro.virtual_time_max = virtual_time_max;
    ro.pct_depth = pct_depth;
    ro.fail_on_pending_tasks = fail_on_pending_tasks;
    ro.fail_on_unretrieved_exceptions = fail_on_unretrieved_exceptions;
    ro.quiet = true;
    return ro;
  }
};

namespace detail {

inline constexpr const char* kStrategies = "random, pct, fifo, dfs";

[[noreturn]] inline void bad(std::string_view var, std::string_view value, std::string_view expected) {
  throw HarnessConfigError(std::string(var) + "='" + std::string(value) + "' is malformed: expected " +
                           std::string(expected));
}

inline std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

inline std::uint64_t u64(std::string_view var, std::string_view s) {
  auto v = parse_u64(s);
  if (!v) bad(var, s, "a non-negative decimal integer");
  return *v;
}

// "250ms", "10s", "5m", "1h", "42" (seconds).
inline std::chrono::milliseconds duration(std::string_view var, std::string_view s) {
  constexpr std::string_view expected = "a duration like 250ms, 10s, 5m, 1h or a number of seconds (0: no cap)";
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  auto n = parse_u64(s.substr(0, digits));
  if (!n) bad(var, s, expected);
  std::string_view unit = s.substr(digits);
  std::uint64_t ms_per = 0;
  if (unit.empty() || unit == "s") ms_per = 1000;
  else if (unit == "ms") ms_per = 1;
  else if (unit == "m" || unit == "min") ms_per = 60'000;
  else if (unit == "h") ms_per = 3'600'000;
  else bad(var, s, expected);
  return std::chrono::milliseconds(static_cast<std::int64_t>(*n * ms_per));
}

inline const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

}  // namespace detail

// Parses one strategy name; only the strategies a seed range makes sense for.
inline Strategy parse_harness_strategy(std::string_view var, std::string_view s) {
  auto st = parse_strategy(s);
  if (!st || *st == Strategy::replay || *st == Strategy::bytes || *st == Strategy::external)
    throw HarnessConfigError(std::string(var) + "='" + std::string(s) + "' is not a strategy: valid ones are " +
                             detail::kStrategies + " (replay a token with SIMLOOP_REPLAY)");
  return *st;
}

// `defaults` (what the test's code asked for) overridden by the environment.
inline HarnessOptions options_from_env(HarnessOptions o = {}) {
  using namespace detail;
  if (const char* v = env("SIMLOOP_RUNS")) o.runs = u64("SIMLOOP_RUNS", v);
  o.seed_end = o.seed_begin + o.runs;
  if (const char* v = env("SIMLOOP_STRATEGY")) o.strategy = parse_harness_strategy("SIMLOOP_STRATEGY", v);
  if (const char* v = env("SIMLOOP_SEED_RANGE")) {
    std::string_view s = v;
    auto colon = s.find(':');
    if (colon == std::string_view::npos) bad("SIMLOOP_SEED_RANGE", s, "a:b, the seeds [a, b), a <= b");
    auto a = parse_u64(s.substr(0, colon));
    auto b = parse_u64(s.substr(colon + 1));
    if (!a || !b || *a > *b) bad("SIMLOOP_SEED_RANGE", s, "a:b, the seeds [a, b), a <= b");
    o.seed_begin = *a;
    o.seed_end = *b;
    o.runs = *b - *a;
  }
  if (const char* v = env("SIMLOOP_SEED")) {
    o.seed_begin = u64("SIMLOOP_SEED", v);
    o.seed_end = o.seed_begin + 1;
    o.runs = 1;
  }
  if (const char* v = env("SIMLOOP_SHARD")) {
    std::string_view s = v;
    auto slash = s.find('/');
    std::optional<std::uint64_t> i, n;
    if (slash != std::string_view::npos) {
      i = parse_u64(s.substr(0, slash));
      n = parse_u64(s.substr(slash + 1));
    }
    if (!i || !n || *n == 0 || *i >= *n || *n > 1'000'000)
      bad("SIMLOOP_SHARD", s, "i/n with 0 <= i < n, e.g. 0/4 (shard indices count from 0)");
    o.shard_index = static_cast<std::uint32_t>(*i);
    o.shard_count = static_cast<std::uint32_t>(*n);
  }
  if (o.strategy == Strategy::dfs && o.shard_count > 1)
    throw HarnessConfigError(
        "SIMLOOP_SHARD with SIMLOOP_STRATEGY=dfs: dfs enumerates schedules and has no seeds to shard; shard "
        "random or pct");
  if (const char* v = env("SIMLOOP_REPLAY")) {
    std::string_view s = v;
    if (s.substr(0, kTokenPrefix.size()) != kTokenPrefix)
      bad("SIMLOOP_REPLAY", s, std::string("a schedule token starting with ") + std::string(kTokenPrefix));
    o.replay_token = std::string(s);
  }
  if (const char* v = env("SIMLOOP_TIME_BUDGET")) o.time_budget = duration("SIMLOOP_TIME_BUDGET", v);
  if (const char* v = env("SIMLOOP_TRACE_OUT")) o.trace_out = std::string(v);
  if (const char* v = env("SIMLOOP_MACHINE")) {
    std::string_view s = v;
    if (s != "0" && s != "1") bad("SIMLOOP_MACHINE", s, "0 or 1");
    o.machine = s == "1";
  }
  return o;
}

}  // namespace simloop::sim::harness
