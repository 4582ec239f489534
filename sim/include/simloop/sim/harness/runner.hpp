#pragma once
// The framework-free core of the adapters: run one test body under the
// schedules HarnessOptions select (or one replayed token), stop at the first
// failure, and build the report a person acts on plus one machine-readable
// line for simloop-sweep. Adapters (catch2.hpp, gtest.hpp) only add how a
// framework names the test, describes its own assertion exceptions, and
// fails the test.
#include <simloop/sim/explore.hpp>
#include <simloop/sim/harness/env.hpp>
#include <simloop/sim/run.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <exception>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace simloop::sim::harness {

struct Outcome {
  std::string test_name;
  bool failed = false;
  bool config_error = false;        // the environment was refused (report says why)
  std::uint64_t runs = 0;           // schedules run (the failing one included)
  bool stopped_by_time = false;     // the time budget ended the sweep early
  bool replayed = false;            // SIMLOOP_REPLAY
  bool same_hash = false;           // replay: the very run the token recorded
  std::uint64_t seed = 0;
  std::uint64_t trace_hash = 0;
  std::string check;                // the failing check, with its values when known
  std::string token;
  std::string replay_line;          // copy-paste to reproduce
  std::uint64_t tail_signature = 0; // failing check + trace tail, without times (dedup)
  std::string report;               // the human-readable report (empty when passed)
  std::string machine_line;         // SIMLOOP_RESULT {json}
};

// Describes a run's exception; return empty to use simloop's own description.
using Describe = std::function<std::string(std::exception_ptr)>;

namespace detail {

inline std::string shell_quote(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/' || c == '=' ||
          c == ':' || c == ','))
      plain = false;
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// argv[0] as the binary was started (Linux), so the line works from where it ran.
inline std::string program_path() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string argv0;
  if (in) std::getline(in, argv0, '\0');
  return argv0.empty() ? std::string("<test-binary>") : argv0;
}

inline std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else out += c;
    }
  }
  return out;
}

inline std::uint64_t fnv(std::uint64_t h, std::string_view s) {
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

// The last events without their virtual times, plus the check: two seeds
// that fail the same way at the same place get the same signature.
inline std::uint64_t tail_signature(const std::string& check, const Trace* trace) {
  std::uint64_t h = fnv(0xcbf29ce484222325ULL, check);
  if (!trace) return h;
  std::size_t n = trace->size(), from = n > 8 ? n - 8 : 0;
  for (std::size_t i = from; i < n; ++i) {
    std::string line = trace->format_event(i);
    auto sp = line.find("  ");
    h = fnv(h, sp == std::string::npos ? line : line.substr(sp));
  }
  return h;
}

inline void write_trace(const HarnessOptions& o, const Trace* trace) {
  if (!o.trace_out || !trace) return;
  std::ofstream out(*o.trace_out);
  out << trace->format();
}

inline std::string indent(std::string_view text, std::string_view pad) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += pad;
    out += line;
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

inline void finish(Outcome& out, const HarnessOptions& o, const Failure* f, const std::string& selector,
                   const Describe& describe) {
  if (f) {
    out.failed = true;
    out.seed = f->seed;
    out.token = f->token;
    out.trace_hash = f->trace_hash;
    std::string described = (f->kind == FailureKind::exception && describe) ? describe(f->error) : std::string();
    out.check = described.empty() ? fmt::format("{}: {}", to_string(f->kind), f->message) : described;
    out.tail_signature = tail_signature(out.check, f->trace.get());
    out.replay_line = fmt::format("SIMLOOP_REPLAY={} {} {}", f->token, shell_quote(program_path()), selector);
    std::string r;
    if (out.replayed)
      r += fmt::format("simloop: test \"{}\" failed replaying a token (same trace hash as recorded: {})\n",
                       out.test_name, out.same_hash ? "yes" : "NO, the program or its inputs changed");
    else
      r += fmt::format("simloop: test \"{}\" failed on schedule {} ({} strategy)\n", out.test_name, out.runs,
                       to_string(o.strategy));
    r += "  check:      " + indent(out.check, "              ").substr(14);
    r += fmt::format("  seed:       {}\n  token:      {}\n  runs taken: {}\n  trace hash: {:016x}\n", f->seed, f->token,
                     out.runs, f->trace_hash);
    if (f->trace && f->trace->size()) {
      std::size_t n = std::min(o.trace_tail, f->trace->size());
      r += fmt::format("  last {} of {} trace events:\n", n, f->trace->size());
      r += indent(f->trace->format_tail(n), "    ");
    }
    if (o.trace_out) r += fmt::format("  full trace written to {}\n", *o.trace_out);
    r += "  reproduce with:\n    " + out.replay_line + "\n";
    out.report = std::move(r);
    write_trace(o, f->trace.get());
  }
  out.machine_line = fmt::format(
      "SIMLOOP_RESULT {{\"test\":\"{}\",\"status\":\"{}\",\"runs\":{},\"stopped_by_time\":{},\"replayed\":{},"
      "\"same_hash\":{},\"seed\":{},\"token\":\"{}\",\"trace_hash\":\"{:016x}\",\"signature\":\"{:016x}\","
      "\"check\":\"{}\",\"replay\":\"{}\",\"report\":\"{}\"}}",
      json_escape(out.test_name), out.failed ? "fail" : "pass", out.runs, out.stopped_by_time, out.replayed,
      out.same_hash, out.seed, out.token, out.trace_hash, out.tail_signature, json_escape(out.check),
      json_escape(out.replay_line), json_escape(out.report));
}

}  // namespace detail

// Runs `body` as HarnessOptions say. `selector` is how the framework selects
// this one test on the command line (Catch2: the quoted name; gtest:
// --gtest_filter=...), used in the replay line.
inline Outcome run_test(const TestFn& body, const HarnessOptions& o, std::string test_name, std::string selector,
                        const Describe& describe = {}) {
  Outcome out;
  out.test_name = std::move(test_name);
  if (o.replay_token) {
    out.replayed = true;
    ReplayReport rep = replay_erased(body, *o.replay_token, true);  // TokenError propagates: a clear message
    out.runs = 1;
    out.same_hash = rep.same_hash;
    out.trace_hash = rep.trace_hash;
    if (rep.failure) {
      rep.failure->token = *o.replay_token;
      rep.failure->trace_hash = rep.trace_hash;
    } else {
      detail::write_trace(o, rep.trace.get());
    }
    detail::finish(out, o, rep.failure ? &*rep.failure : nullptr, selector, describe);
    return out;
  }
  if (o.strategy == Strategy::dfs) {
    // dfs enumerates schedules, it has no seeds: shards and seed ranges do not apply.
    ExploreOptions eo;
    eo.runs = o.runs;
    eo.strategy = Strategy::dfs;
    eo.wall_time_max = std::chrono::duration_cast<Duration>(o.time_budget);
    eo.explore_ready_order = o.explore_ready_order;
    eo.steps_max = o.steps_max;
    eo.fail_on_pending_tasks = o.fail_on_pending_tasks;
    eo.fail_on_unretrieved_exceptions = o.fail_on_unretrieved_exceptions;
    ExploreReport rep = explore_erased(body, eo);
    out.runs = rep.runs;
    out.stopped_by_time = rep.stopped_by_wall_time;
    detail::finish(out, o, rep.failure ? &*rep.failure : nullptr, selector, describe);
    return out;
  }
  using Clock = std::chrono::steady_clock;  // between runs only, never inside a simulated run
  const auto start = Clock::now();
  std::optional<Failure> failure;
  o.for_each_seed([&](std::uint64_t seed) {
    if (o.time_budget.count() > 0 && out.runs > 0 && Clock::now() - start >= o.time_budget) {
      out.stopped_by_time = true;
      return false;
    }
    ++out.runs;
    RunReport rep = try_run(body, o.run_options(seed));
    if (!rep.failure) return true;
    failure = std::move(rep.failure);
    failure->runs = out.runs;
    failure->seed = seed;
    failure->token = rep.token;
    failure->trace_hash = rep.trace_hash;
    if (!failure->trace) failure->trace = rep.trace;
    return false;
  });
  detail::finish(out, o, failure ? &*failure : nullptr, selector, describe);
  return out;
}

}  // namespace simloop::sim::harness
