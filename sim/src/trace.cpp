#include <simloop/sim/trace.hpp>

#include <fmt/format.h>

#include <ostream>

namespace simloop::sim {

namespace {
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

std::uint64_t fold(std::uint64_t h, std::uint64_t word) noexcept {
  for (int i = 0; i < 8; ++i) {
    h ^= (word >> (8 * i)) & 0xffU;
    h *= kFnvPrime;
  }
  return h;
}
}  // namespace

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::task_created: return "created";
    case EventKind::task_started: return "started";
    case EventKind::task_resumed: return "resumed";
    case EventKind::task_thrown: return "resumed with an exception thrown in";
    case EventKind::task_suspended: return "suspended";
    case EventKind::task_yielded: return "yielded";
    case EventKind::task_done: return "done";
    case EventKind::task_failed: return "failed";
    case EventKind::task_cancelled: return "cancelled";
    case EventKind::cancel_requested: return "cancel requested";
    case EventKind::timer_fired: return "timer fired";
    case EventKind::callback: return "callback";
    case EventKind::choice: return "choice";
    case EventKind::report: return "report";
  }
  return "?";
}

void Trace::record(const TraceEvent& e) {
  std::uint64_t h = hash_;
  h = fold(h, static_cast<std::uint64_t>(e.time_ns));
  h = fold(h, e.task);
  h = fold(h, e.arg);
  h = fold(h, (static_cast<std::uint64_t>(e.aux) << 16) | (static_cast<std::uint64_t>(e.why) << 8) |
                  static_cast<std::uint64_t>(e.kind));
  hash_ = h;
  if (keep_) events_.push_back(e);
}

std::uint64_t Trace::add_string(std::string s) {
  std::uint64_t h = fold(hash_, s.size());
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  hash_ = h;
  if (keep_) strings_.push_back(std::move(s));
  return string_count_++;
}

void Trace::set_task_name(std::uint64_t task_id, const std::string& name) {
  // Task ids are sequence numbers from 1, so the table stays dense.
  if (!keep_) return;
  if (names_.size() <= task_id) names_.resize(task_id + 1);
  names_[task_id] = name;
}

std::string Trace::task_name(std::uint64_t task_id) const {
  if (task_id == 0) return "-";
  if (task_id < names_.size() && !names_[task_id].empty()) return names_[task_id];
  return fmt::format("Task-{}", task_id);
}

void Trace::clear() noexcept {
  events_.clear();
  strings_.clear();
  names_.clear();
  hash_ = 0xcbf29ce484222325ULL;
  string_count_ = 0;
}

std::string Trace::format_event(std::size_t i) const {
  const TraceEvent& e = events_.at(i);
  std::string who = task_name(e.task);
  auto str = [&](std::uint64_t k) -> std::string { return k < strings_.size() ? strings_[k] : std::string("?"); };
  std::string what;
  switch (e.kind) {
    case EventKind::task_created:
      what = e.arg ? fmt::format("created by {}", task_name(e.arg)) : std::string("created");
      break;
    case EventKind::task_suspended:
      what = e.aux ? fmt::format("suspended on task {}", task_name(e.arg))
                   : fmt::format("suspended on future #{}", e.arg);
      break;
    case EventKind::task_yielded: what = "yielded (sleep(0))"; break;
    case EventKind::task_failed: what = "failed: " + str(e.arg); break;
    case EventKind::task_cancelled:
      what = str(e.arg).empty() ? std::string("cancelled") : "cancelled: " + str(e.arg);
      break;
    case EventKind::cancel_requested:
      what = str(e.arg).empty() ? std::string("cancel requested") : "cancel requested: " + str(e.arg);
      break;
    case EventKind::timer_fired: what = fmt::format("timer #{} fired", e.arg); break;
    case EventKind::choice:
      what = fmt::format("choice {}: {} of {}", to_string(e.why), e.arg, e.aux);
      break;
    case EventKind::report: what = "report: " + str(e.arg); break;
    default: what = to_string(e.kind); break;
  }
  return fmt::format("t={:.6f}s  {:<10} {}", static_cast<double>(e.time_ns) / 1e9, who, what);
}

std::string Trace::format_tail(std::size_t count) const {
  std::string out;
  std::size_t first = events_.size() > count ? events_.size() - count : 0;
  for (std::size_t i = first; i < events_.size(); ++i) {
    out += format_event(i);
    out += '\n';
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Trace& t) { return os << t.format(); }

std::optional<std::size_t> first_difference(const Trace& a, const Trace& b) {
  const auto& x = a.events();
  const auto& y = b.events();
  std::size_t n = x.size() < y.size() ? x.size() : y.size();
  for (std::size_t i = 0; i < n; ++i) {
    const TraceEvent& p = x[i];
    const TraceEvent& q = y[i];
    if (p.time_ns != q.time_ns || p.task != q.task || p.kind != q.kind || p.aux != q.aux || p.why != q.why)
      return i;
    bool textual = p.kind == EventKind::task_failed || p.kind == EventKind::task_cancelled ||
                   p.kind == EventKind::cancel_requested || p.kind == EventKind::report;
    if (textual ? a.text(p.arg) != b.text(q.arg) : p.arg != q.arg) return i;
  }
  if (x.size() != y.size()) return n;
  return std::nullopt;
}

}  // namespace simloop::sim
