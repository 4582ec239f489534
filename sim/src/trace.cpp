#include <simloop/sim/trace.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <stdexcept>

namespace simloop::sim {

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

void Trace::store_slow(const TraceEvent& e) {
  const bool wide = is_wide(e);
  const std::ptrdiff_t need = wide ? 1 : 1 + extra_words(e);
  if (block_end_ - next_ < need) {
    // Pad the rest of this block (an event never straddles two), then take
    // the next block: one kept from an earlier run, or a new one.
    while (next_ != block_end_) *next_++ = kPad;
    block_ = next_ ? block_ + 1 : 0;
    if (block_ == blocks_.size()) {
      // For overwrite: every word is written before it is read, and zeroing
      // 64 KiB per block showed as 16 instructions per event in W2.
      blocks_.push_back(std::make_unique_for_overwrite<Word[]>(kBlockWords));
    }
    next_ = blocks_[block_].get();
    block_end_ = next_ + kBlockWords;
  }
  if ((size_ & kGroupMask) == 0)
    group_start_.push_back(block_ * kBlockWords + static_cast<std::size_t>(next_ - blocks_[block_].get()));
  if (e.time_ns != mark_time_) {
    marks_.emplace_back(size_, e.time_ns);
    mark_time_ = e.time_ns;
  }
  if (wide) {
    wide_.push_back(Wide{size_, e.task, e.arg, e.aux, e.why});
    *next_++ = static_cast<Word>(e.kind) | kWide;
  } else {
    next_ = put(next_, e.kind, e.task, e.arg, e.aux, e.why);
  }
  ++size_;
  count_fast_left();
}

void Trace::count_fast_left() noexcept {
  // Up to the next group start (event 64*g goes through store_slow, which
  // keeps where it starts), and no more than three words each can fill.
  const std::size_t to_group = (kGroupMask + 1 - (size_ & kGroupMask)) & kGroupMask;
  const std::size_t by_room = static_cast<std::size_t>(block_end_ - next_) / 3;
  fast_left_ = to_group < by_room ? to_group : by_room;
}

TraceEvent Trace::event(std::size_t i) const {
  if (i >= size_) throw std::out_of_range("Trace::event: index " + std::to_string(i) + " >= size " + std::to_string(size_));
  // From the start of i's group of 64, step over the events before it.
  std::size_t pos = group_start_[i >> kGroupShift];
  for (std::size_t k = i & ~kGroupMask;;) {
    const Word w = word_at(pos);
    if ((w & 15) == kPad) {
      pos = (pos / kBlockWords + 1) * kBlockWords;  // the rest of the block is padding
      continue;
    }
    if (k == i) break;
    pos += 1 + ((w & kWide) ? 0 : (w >> kExtraShift) & 3);
    ++k;
  }
  const Word w = word_at(pos);
  const int extra = (w & kWide) ? 0 : static_cast<int>((w >> kExtraShift) & 3);
  TraceEvent e{0, w >> kTaskShift, 0, 0, static_cast<EventKind>(w & 15), ChoicePoint{}};
  if (extra >= 1) e.arg = word_at(pos + 1);
  if (extra == 2) {
    const Word x = word_at(pos + 2);
    e.why = static_cast<ChoicePoint>(x & 7);
    e.aux = x >> kAuxShift;
  }
  // The clock mark in force: the last one at or before i.
  auto m = std::upper_bound(marks_.begin(), marks_.end(), i,
                            [](std::size_t idx, const std::pair<std::size_t, std::int64_t>& mk) { return idx < mk.first; });
  e.time_ns = std::prev(m)->second;
  if (w & kWide) {
    auto x = std::lower_bound(wide_.begin(), wide_.end(), i, [](const Wide& y, std::size_t idx) { return y.index < idx; });
    e.task = x->task;
    e.arg = x->arg;
    e.aux = x->aux;
    e.why = x->why;
  }
  return e;
}

std::vector<TraceEvent> Trace::events() const {
  std::vector<TraceEvent> out;
  out.reserve(size_);
  for (std::size_t i = 0; i < size_; ++i) out.push_back(event(i));
  return out;
}

std::size_t Trace::bytes_reserved() const noexcept {
  return blocks_.size() * kBlockWords * sizeof(Word) + group_start_.capacity() * sizeof(group_start_[0]) +
         marks_.capacity() * sizeof(marks_[0]) + wide_.capacity() * sizeof(Wide);
}

void Trace::fold_held_start() noexcept {
  if (held_start_ == 0) return;
  Hasher h{hash_};
  h.fold_held_start(std::exchange(held_start_, 0));
  hash_ = h.h;
}

void Trace::fold_event_slow(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg,
                            std::uint32_t aux, ChoicePoint why) noexcept {
  EventKind start{};
  if (held_start_ != 0) {
    // The held start pairs with this event only if it ends that very step.
    if (time_ns == hash_time_ && is_step_end(kind) && (held_start_ >> 2) == task) {
      start = static_cast<EventKind>(held_start_ & 3);
      held_start_ = 0;
    } else {
      fold_held_start();
    }
  }
  Hasher h{hash_};
  if (time_ns != hash_time_) {
    h.mix(kClockHead);
    h.mix(static_cast<std::uint64_t>(time_ns));
    hash_time_ = time_ns;
  }
  if (is_step_start(kind) && task <= kMaxHeldTask) {
    held_start_ = task << 2 | static_cast<std::uint64_t>(kind);
  } else {
    h.fold(kind, task, arg, aux, why, start);
  }
  hash_ = h.h;
}

void Trace::record_slow(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg,
                        std::uint32_t aux, ChoicePoint why) {
  fold_event(kind, time_ns, task, arg, aux, why);
  if (keep_) store(kind, time_ns, task, arg, aux, why);
}

void Trace::record_step_slow(EventKind start, EventKind end, std::int64_t time_ns, std::uint64_t task,
                             std::uint64_t arg, std::uint32_t aux) {
  record(start, time_ns, task);
  record(end, time_ns, task, arg, aux);  // folds the pair, as fold_event_slow holds the start
}

std::uint64_t Trace::add_string(std::string s) {
  fold_held_start();  // the string comes after it
  std::uint64_t h = hash_ ^ s.size();
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;  // FNV-1a: strings are rare
  hash_ = h;
  if (keep_) strings_.push_back(std::move(s));
  return string_count_++;
}

void Trace::set_task_name(std::uint64_t task_id, const std::string& name) {
  // Task ids are sequence numbers, so appending keeps names_ sorted.
  if (!keep_) return;
  names_.emplace_back(task_id, name);
}

std::string Trace::task_name(std::uint64_t task_id) const {
  if (task_id == 0) return "-";
  auto it = std::lower_bound(names_.begin(), names_.end(), task_id,
                             [](const std::pair<std::uint64_t, std::string>& n, std::uint64_t id) { return n.first < id; });
  if (it != names_.end() && it->first == task_id) return it->second;
  return fmt::format("Task-{}", task_id);
}

void Trace::clear() noexcept {
  size_ = 0;  // blocks_ stay allocated for the next run
  block_ = 0;
  next_ = block_end_ = nullptr;
  fast_left_ = 0;
  group_start_.clear();
  mark_time_ = kNoMark;
  marks_.clear();
  wide_.clear();
  strings_.clear();
  names_.clear();
  hash_ = kHashSeed;
  hash_time_ = 0;
  held_start_ = 0;
  string_count_ = 0;
}

std::string Trace::format_event(std::size_t i) const {
  const TraceEvent e = event(i);
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
  std::size_t first = size_ > count ? size_ - count : 0;
  for (std::size_t i = first; i < size_; ++i) {
    out += format_event(i);
    out += '\n';
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Trace& t) { return os << t.format(); }

std::optional<std::size_t> first_difference(const Trace& a, const Trace& b) {
  std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    const TraceEvent p = a.event(i);
    const TraceEvent q = b.event(i);
    if (p.time_ns != q.time_ns || p.task != q.task || p.kind != q.kind || p.aux != q.aux || p.why != q.why)
      return i;
    if (has_text(p.kind) ? a.text(p.arg) != b.text(q.arg) : p.arg != q.arg) return i;
  }
  if (a.size() != b.size()) return n;
  return std::nullopt;
}

}  // namespace simloop::sim
