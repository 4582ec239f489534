#include <simloop/sim/explore.hpp>

#include <fmt/format.h>

#include <chrono>
#include <ostream>
#include <set>

namespace simloop::sim {

namespace {

RunReport run_once(const TestFn& test, const RunOptions& options, bool make_token = true) {
  detail::check_not_running();
  detail::Session s(options);
  s.execute(test());
  return s.finish(make_token);
}

std::string replace_token(std::string command, const std::string& token) {
  const std::string key = "{token}";
  for (std::size_t p = command.find(key); p != std::string::npos; p = command.find(key, p + token.size()))
    command.replace(p, key.size(), token);
  return command;
}

// The two runs of one schedule differed: say where.
Failure nondeterminism(const RunReport& first, const RunReport& second, const RunOptions& ro) {
  Failure f;
  f.kind = FailureKind::nondeterminism;
  std::string where;
  if (auto i = first_difference(*first.trace, *second.trace)) {
    auto line = [](const Trace& t, std::size_t k) { return k < t.size() ? t.format_event(k) : std::string("(end of run)"); };
    where = fmt::format("first difference at event {}:\n  first run:  {}\n  second run: {}", *i,
                        line(*first.trace, *i), line(*second.trace, *i));
  } else {
    where = "the events are equal but their texts or names differ";
  }
  f.message = fmt::format(
      "the same schedule gave two different runs (trace hashes {:016x} and {:016x}): the test depends on "
      "something outside the simulation (wall clock, unseeded randomness, address-ordered iteration, "
      "state left over from an earlier run).\n{}",
      first.trace_hash, second.trace_hash, where);
  f.error = std::make_exception_ptr(Nondeterminism(f.message));
  f.seed = ro.seed;
  f.strategy = ro.strategy;
  f.token = first.token;
  f.trace_hash = first.trace_hash;
  f.trace = second.trace;
  return f;
}

}  // namespace

ExploreReport explore_erased(const TestFn& test, const ExploreOptions& options) {
  if (options.strategy == Strategy::replay || options.strategy == Strategy::bytes)
    throw std::invalid_argument(
        "sim::explore explores with fifo, random, pct, dfs or external; use sim::replay for a token and "
        "sim::try_run with Strategy::bytes for a fuzzer's input");
  if (options.strategy == Strategy::external && !options.chooser_factory)
    throw std::invalid_argument("Strategy::external needs ExploreOptions::chooser_factory");
  using WallClock = std::chrono::steady_clock;  // between runs only: never on a simulated path
  const auto started = WallClock::now();
  ExploreReport report;
  DfsChooser dfs(options.dfs_deviations_max);
  std::set<std::uint64_t> hashes;  // ordered: nothing here depends on addresses
  for (std::uint64_t i = 0; i < options.runs; ++i) {
    if (i > 0 && options.wall_time_max > Duration::zero() && WallClock::now() - started >= options.wall_time_max) {
      report.stopped_by_wall_time = true;
      break;
    }
    RunOptions ro = options.run_options(i);
    std::unique_ptr<Chooser> external;
    if (options.strategy == Strategy::dfs) {
      ro.chooser = &dfs;
    } else if (options.strategy == Strategy::external) {
      external = options.chooser_factory(ro.seed);
      ro.chooser = external.get();
    }
    ro.trace = options.check_determinism;
    RunReport rep = run_once(test, ro, options.check_determinism);
    ++report.runs;
    if (hashes.size() < 1'000'000) hashes.insert(rep.trace_hash);

    if (!rep.failure && options.check_determinism) {
      RunOptions again = ro;
      again.strategy = Strategy::replay;
      again.token = rep.token;
      again.chooser = nullptr;
      RunReport second = run_once(test, again);
      if (second.trace_hash != rep.trace_hash || second.schedule_diverged) {
        rep.failure = nondeterminism(rep, second, ro);
      }
    }
    if (rep.failure) {
      Failure f = std::move(*rep.failure);
      f.runs = report.runs;
      f.seed = ro.seed;
      f.strategy = options.strategy;
      f.trace_tail = options.trace_tail;
      f.replay_command = replace_token(options.replay_command, f.token);
      if (f.kind != FailureKind::nondeterminism) {
        // Prove it reproduces: the token alone, same failure, same hash.
        ReplayReport again = replay_erased(test, f.token, true);
        f.reproduce_checked = true;
        f.reproduced_hash = again.trace_hash;
        f.reproduced = again.failure && again.failure->kind == f.kind && again.trace_hash == f.trace_hash;
        f.trace = again.trace;  // the exploring run kept no events; this one did
      }
      report.failure = std::move(f);
      break;
    }
    if (options.strategy == Strategy::dfs && !dfs.advance()) {
      report.exhausted = true;
      break;
    }
  }
  report.distinct_hashes = hashes.size();
  return report;
}

ReplayReport replay_erased(const TestFn& test, std::string_view token, bool quiet) {
  Schedule recorded = Schedule::from_token(token);  // refuses a bad token before running anything
  RunOptions ro;
  ro.strategy = Strategy::replay;
  ro.token = token;
  ro.trace = true;
  ro.quiet = quiet;
  RunReport rep = run_once(test, ro);
  ReplayReport out;
  out.failure = std::move(rep.failure);
  if (out.failure) out.failure->replay_command = fmt::format("sim::replay(test, \"{}\")", rep.token);
  out.trace_hash = rep.trace_hash;
  out.recorded_hash = recorded.trace_hash;
  out.same_hash = rep.trace_hash == recorded.trace_hash;
  out.schedule_diverged = rep.schedule_diverged;
  out.trace = rep.trace;
  return out;
}

std::string ExploreReport::to_string() const {
  if (failure) return failure->to_string();
  std::string out = fmt::format("simloop: no failure in {} run{} ({} distinct trace{})", runs, runs == 1 ? "" : "s",
                                distinct_hashes, distinct_hashes == 1 ? "" : "s");
  if (exhausted) out += "; the schedule space is exhausted: every schedule was run";
  if (stopped_by_wall_time) out += "; stopped by the wall-time budget";
  return out + "\n";
}

std::ostream& operator<<(std::ostream& os, const ExploreReport& r) { return os << r.to_string(); }

std::string ReplayReport::to_string() const {
  std::string out;
  if (failure) {
    out = failure->to_string();
  } else {
    out = "simloop: the replayed run passed\n";
  }
  out += same_hash ? "  same trace hash as recorded: the very same run\n"
                   : fmt::format("  trace hash {:016x} differs from the recorded {:016x}: the program changed or is "
                                 "not deterministic\n",
                                 trace_hash, recorded_hash);
  if (schedule_diverged) out += "  the schedule did not fit the program (it asked different choices)\n";
  return out;
}

}  // namespace simloop::sim
