#include <simloop/sim/failure.hpp>

#include <fmt/format.h>

#include <ostream>

namespace simloop::sim {

const char* to_string(FailureKind k) noexcept {
  switch (k) {
    case FailureKind::exception: return "exception";
    case FailureKind::deadlock: return "deadlock";
    case FailureKind::hang: return "hang";
    case FailureKind::pending_task: return "pending task";
    case FailureKind::unretrieved_exception: return "unretrieved exception";
    case FailureKind::nondeterminism: return "nondeterminism";
  }
  return "?";
}

namespace {
std::string indent(const std::string& text, const char* prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix;
    out.append(text, start, end - start);
    out += '\n';
    start = end + 1;
  }
  return out;
}
}  // namespace

std::string Failure::to_string() const {
  std::string out = fmt::format("simloop: {} found by {} after {} run{} (seed {})\n", sim::to_string(kind),
                                sim::to_string(strategy), runs, runs == 1 ? "" : "s", seed);
  out += indent(message, "  ");
  out += fmt::format("  token:  {}\n", token);
  out += fmt::format("  replay: {}\n", replay_command);
  out += fmt::format("  trace hash: {:016x}\n", trace_hash);
  if (reproduce_checked) {
    out += reproduced ? fmt::format("  reproduced: yes, replaying the token fails again with the same trace hash\n")
                      : fmt::format("  reproduced: NO, the replay gave trace hash {:016x}: the test is not "
                                    "deterministic (wall clock, unseeded randomness, address order?)\n",
                                    reproduced_hash);
  }
  if (trace && trace->size() > 0) {
    std::size_t n = trace_tail < trace->size() ? trace_tail : trace->size();
    out += fmt::format("  last {} of {} trace events:\n", n, trace->size());
    out += indent(trace->format_tail(n), "    ");
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Failure& f) { return os << f.to_string(); }

}  // namespace simloop::sim
