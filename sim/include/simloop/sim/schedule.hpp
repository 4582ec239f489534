#pragma once
// Schedules and their tokens.
//
// A run is fully determined by (program, options, decision sequence). The
// schedule is that sequence plus the options that shape which choices are
// asked (ready order, timer ties, jitter) and the budgets that end a run (a
// hang must hang again on replay). Its token is a printable form:
//
//     SL2.<base64url payload>
//
// - only [A-Za-z0-9._-]: safe unquoted in a shell and in a CI log; the "SL2."
//   prefix means it never starts with '-' and names the format version
//   (version 1 carried a trace hash of the trace's format 1: refused, with
//   the seed to record it again);
// - the payload ends in a 32-bit checksum (FNV-1a), so a corrupted or
//   truncated token is refused (TokenError), never run as a different schedule;
// - runs of zero answers are run-length encoded, so schedules close to
//   asyncio's order (what pct and dfs produce, what shrinking aims at) are short;
// - it also carries the trace hash of the recorded run, so replay can say
//   whether it reproduced the very same run.
#include <simloop/time.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace simloop::sim {

enum class Strategy : std::uint8_t;

// A token that is not a valid simloop schedule token; what() says why.
class TokenError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Schedule {
  std::vector<std::uint32_t> decisions;  // the answer to each choice, in order
  bool explore_ready_order = false;
  bool explore_timer_ties = false;
  Duration jitter_max{0};
  std::uint32_t jitter_choices = 2;
  std::uint64_t steps_max = 0;
  Duration virtual_time_max{0};
  bool fail_on_pending_tasks = false;
  bool fail_on_unretrieved_exceptions = false;
  // Informational: where the schedule came from, and the run it produced.
  std::uint64_t seed = 0;
  std::uint8_t strategy = 0;  // a Strategy
  std::uint64_t trace_hash = 0;

  std::string to_token() const;
  // Throws TokenError naming the problem (not a token, unknown version,
  // checksum mismatch, truncated, ...).
  static Schedule from_token(std::string_view token);

  friend bool operator==(const Schedule&, const Schedule&) = default;
};

inline constexpr std::string_view kTokenPrefix = "SL2.";

}  // namespace simloop::sim
