#pragma once
// Options of a simulated run (sim::run, sim::try_run) and of an exploration
// (sim::explore). Both are flat aggregates for designated initializers:
//
//     sl::sim::run(demo, {.seed = 42, .strategy = sl::sim::Strategy::random});
//     sl::sim::explore(test, {.runs = 500, .strategy = sl::sim::Strategy::pct,
//                             .explore_ready_order = true});
//
// Strategies (how each choice point is answered; index 0 = asyncio's order):
//   fifo      always 0: exactly asyncio's order (the default; conformance).
//   random    a seeded PRNG (xoshiro256**, prng.hpp): uniform over the options.
//   pct       probabilistic concurrency testing (Burckhardt et al., ASPLOS'10):
//             each task gets a random priority when first seen; a choice
//             between tasks runs the highest-priority one; at pct_depth-1
//             random choice points the chosen task drops below every other
//             priority. Finds any bug of depth d with probability >= 1/(n k^(d-1)).
//             Choices not between tasks (latency, jitter, buggify) are uniform.
//   dfs       exhaustive by re-execution: each run replays a prefix and then
//             answers 0; the next run advances the deepest choice that has an
//             untried option. With dfs_deviations_max = k only schedules with
//             at most k nonzero answers are visited. explore() stops and says
//             `exhausted` when every schedule has been run.
//   replay    the decisions of a schedule token (schedule.hpp); the token also
//             carries the options that shape the run (ready order, timer ties,
//             jitter, budgets), which override these.
//   bytes     decisions read from a byte string (a fuzzer's input): each
//             choice among n consumes one byte (two if n > 256) mod n; when
//             the bytes run out every answer is 0.
//   external  the `chooser` you pass (chooser.hpp): rapidcheck, scripts.
//
// Choice points:
//   ready order   opt-in (explore_ready_order). asyncio guarantees FIFO order
//                 of ready callbacks; this explores orders BEYOND that
//                 guarantee (trio randomises on purpose, for the same reason):
//                 at each step any ready callback, including one scheduled
//                 during the current iteration, may run next. Bugs found only
//                 this way are real on other event loops (uvloop, trio) and
//                 under refactoring, but not under CPython's asyncio as is.
//   timer ties    several timers due at the very same virtual instant
//                 (SEMANTICS S5): on by default under every strategy but fifo.
//   jitter        off by default; jitter_max > 0 adds to each timer's deadline
//                 one of jitter_choices evenly spaced delays in [0, jitter_max].
//   decide()      Loop::decide(n, why) for executor latency, simulated IO and
//                 sim::buggify() (buggify.hpp): always asked.
#include <simloop/sim/chooser.hpp>
#include <simloop/time.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace simloop::sim {

enum class Strategy : std::uint8_t { fifo, random, pct, dfs, replay, bytes, external };
const char* to_string(Strategy s) noexcept;
// "fifo", "random", ... -> Strategy; nullopt for anything else.
std::optional<Strategy> parse_strategy(std::string_view name) noexcept;

struct RunOptions {
  std::uint64_t seed = 0;                 // random, pct
  Strategy strategy = Strategy::fifo;
  bool explore_ready_order = false;       // opt-in, see above
  std::optional<bool> explore_timer_ties{};  // default: on unless strategy is fifo
  Duration jitter_max{0};                 // 0: no jitter
  std::uint32_t jitter_choices = 2;       // options in [0, jitter_max], evenly spaced (>= 2)
  std::uint64_t steps_max = 10'000'000;   // hang budget in callbacks run (0: none)
  Duration virtual_time_max{0};           // hang budget in virtual time (0: none)
  bool trace = true;                      // keep the events (the hash is always computed)
  std::uint32_t pct_depth = 3;            // d: bugs of depth d (d-1 change points)
  std::uint64_t pct_choices_hint = 0;     // expected choice points per run (0: 64)
  std::string_view token{};               // Strategy::replay: the schedule token
  std::span<const std::uint8_t> bytes{};  // Strategy::bytes
  Chooser* chooser = nullptr;             // Strategy::external
  bool fail_on_pending_tasks = false;     // a task still pending when main returns fails the run
  bool fail_on_unretrieved_exceptions = false;  // "Task exception was never retrieved" fails the run
  bool quiet = false;                     // keep the loop's reports off stderr (they are in the result)
};

struct ExploreOptions {
  std::uint64_t runs = 1000;              // at most this many runs (dfs: may stop earlier, exhausted)
  Strategy strategy = Strategy::random;   // random, pct, dfs, bytes-free strategies (not replay/bytes)
  std::uint64_t seed = 0;                 // run i (0-based) uses seed + i: the seed range [seed, seed+runs)
  Duration wall_time_max{0};              // stop after this much wall time (checked between runs; 0: none)
  bool explore_ready_order = false;
  std::optional<bool> explore_timer_ties{};
  Duration jitter_max{0};
  std::uint32_t jitter_choices = 2;
  std::uint64_t steps_max = 1'000'000;
  Duration virtual_time_max{0};
  std::uint32_t pct_depth = 3;
  std::uint64_t pct_choices_hint = 0;     // see RunOptions
  std::optional<std::uint32_t> dfs_deviations_max{};  // dfs: at most k nonzero answers per schedule
  bool check_determinism = false;         // run every schedule twice and compare trace hashes
  bool fail_on_pending_tasks = false;
  bool fail_on_unretrieved_exceptions = false;
  std::size_t trace_tail = 20;            // events of the failing run's trace in the report
  // How the report tells to replay; "{token}" is replaced by the token.
  std::string replay_command = "sim::replay(test, \"{token}\")";
  // Strategy::external: a fresh chooser for run i (its seed given).
  std::function<std::unique_ptr<Chooser>(std::uint64_t seed)> chooser_factory{};

  // The options of run i.
  RunOptions run_options(std::uint64_t run_index) const;
};

}  // namespace simloop::sim
