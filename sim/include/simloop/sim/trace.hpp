#pragma once
// The trace of a simulated run: one compact event per step.
//
// Recording is cheap: one to three 4-byte words per event (most take one),
// appended to fixed-size blocks (no reallocation, no copy as the trace
// grows, blocks kept by clear() for the next run); the clock is stored only
// when it moves (a side table of (event index, time) marks), and the rare
// strings (exception descriptions, cancel messages, given task names) go to
// side tables. Task ids from 2^25, arguments from 2^32 and auxiliary values
// from 2^29 spill to another side table, so nothing is lost.
// Nothing is formatted until printed (fmt, on demand); event(i) decodes one
// TraceEvent. The 64-bit trace hash folds every event (time, task, kind,
// arguments, the strings) as it is recorded, also when events are not kept
// (RunOptions::trace = false), so two runs with equal hashes did the same
// thing step for step. It is a function of the events alone, not of how or
// when they were recorded (its format, the second, is described at Hasher).
//
// Printed form, one line per event (Trace::format_event):
//     t=0.002000s  Task-2 (lost_update)  suspended on future #7
#include <simloop/loop.hpp>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace simloop::sim {

enum class EventKind : std::uint8_t {
  task_created,      // task; arg: creator task id
  task_started,      // first step
  task_resumed,      // a later step
  task_thrown,       // a step that throws an exception in (CancelledError, ...)
  task_suspended,    // arg: future id awaited; aux: 1 if that future is a task (arg = its task id)
  task_yielded,      // a bare yield (sleep(0))
  task_done,         // returned a result
  task_failed,       // ended with an exception; arg: string index (its description)
  task_cancelled,    // ended cancelled; arg: string index (the message)
  cancel_requested,  // arg: string index (the message)
  timer_fired,       // task: who registered it; arg: the timer's registration number
  callback,          // a plain callback ran; task: who scheduled it
  choice,            // arg: the answer; aux: n; why: the ChoicePoint
  report,            // the loop reported something (unretrieved exception, ...); arg: string index
};
const char* to_string(EventKind k) noexcept;
// How a step begins: started, resumed, thrown.
constexpr bool is_step_start(EventKind k) noexcept {
  return k == EventKind::task_started || k == EventKind::task_resumed || k == EventKind::task_thrown;
}
// How a step ends: suspended, yielded, done, failed, cancelled.
constexpr bool is_step_end(EventKind k) noexcept {
  return k >= EventKind::task_suspended && k <= EventKind::task_cancelled;
}
static_assert(static_cast<int>(EventKind::task_suspended) == 4 && static_cast<int>(EventKind::task_cancelled) == 8,
              "the step ends are suspended..cancelled");
// Kinds whose arg is a string index (Trace::text).
constexpr bool has_text(EventKind k) noexcept {
  return k == EventKind::task_failed || k == EventKind::task_cancelled || k == EventKind::cancel_requested ||
         k == EventKind::report;
}

struct TraceEvent {
  std::int64_t time_ns;
  std::uint64_t task;  // task id (0: none)
  std::uint64_t arg;
  std::uint32_t aux;
  EventKind kind;
  ChoicePoint why;  // for choice events
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

class Trace {
 public:
  Trace() = default;
  // A moved-from trace is empty (and can record again).
  Trace(Trace&& o) noexcept { *this = std::move(o); }
  Trace& operator=(Trace&& o) noexcept {
    blocks_ = std::move(o.blocks_);
    size_ = std::exchange(o.size_, 0);
    block_ = std::exchange(o.block_, 0);
    next_ = std::exchange(o.next_, nullptr);
    block_end_ = std::exchange(o.block_end_, nullptr);
    fast_left_ = std::exchange(o.fast_left_, 0);
    group_start_ = std::move(o.group_start_);
    o.group_start_.clear();
    mark_time_ = std::exchange(o.mark_time_, kNoMark);
    marks_ = std::move(o.marks_);
    wide_ = std::move(o.wide_);
    strings_ = std::move(o.strings_);
    names_ = std::move(o.names_);
    hash_ = std::exchange(o.hash_, kHashSeed);
    hash_time_ = std::exchange(o.hash_time_, 0);
    held_start_ = std::exchange(o.held_start_, 0);
    string_count_ = std::exchange(o.string_count_, 0);
    keep_ = o.keep_;
    return *this;
  }

  std::size_t size() const noexcept { return size_; }
  // Event i, decoded (i < size()).
  TraceEvent event(std::size_t i) const;
  // Every event, decoded (a copy: for tests and tools, not hot paths).
  std::vector<TraceEvent> events() const;
  std::uint64_t hash() const noexcept {
    if (held_start_ == 0) return hash_;
    Trace::Hasher h{hash_};
    h.fold_held_start(held_start_);
    return h.h;
  }
  // The task's name as it was when created ("Task-3", or the name given).
  std::string task_name(std::uint64_t task_id) const;
  const std::string& text(std::uint64_t string_index) const { return strings_.at(string_index); }
  // Bytes held for events (blocks and side tables), for the benchmarks.
  std::size_t bytes_reserved() const noexcept;

  // One line, e.g. "t=1.000000s  Task-2  suspended on Task-3".
  std::string format_event(std::size_t i) const;
  // The last `count` events, one per line, each ending in '\n'.
  std::string format_tail(std::size_t count) const;
  std::string format() const { return format_tail(size_); }

  // --- recording (SimLoop) ---------------------------------------------------
  void set_keep_events(bool keep) noexcept { keep_ = keep; }
  bool keeps_events() const noexcept { return keep_; }
  void record(const TraceEvent& e) { record(e.kind, e.time_ns, e.task, e.arg, e.aux, e.why); }
  // The same, field by field: the hot callers (SimLoop's hooks) pass
  // registers, and no TraceEvent is built unless store_slow needs one.
  // The fast path (nothing held, the clock where it was, room in this
  // block's fast stretch) calls nothing but record_slow, as a tail call, so
  // it saves no registers; record_slow is the general path.
  void record(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg = 0, std::uint32_t aux = 0,
              ChoicePoint why = ChoicePoint::ready_order) {
    if (held_start_ != 0 || time_ns != hash_time_ || is_step_start(kind) ||
        (keep_ && (fast_left_ == 0 || time_ns != mark_time_ || is_wide(task, arg, aux)))) [[unlikely]] {
      record_slow(kind, time_ns, task, arg, aux, why);
      return;
    }
    Hasher h{hash_};
    h.fold(kind, task, arg, aux, why, EventKind{});
    hash_ = h.h;
    if (keep_) {
      --fast_left_;
      next_ = put(next_, kind, task, arg, aux, why);
      ++size_;
    }
  }
  // A step's start and its end, one after the other (the same task, the
  // same time): the same as two record calls, with one hash fold instead of
  // two, and one store (SimLoop, when a step records nothing else).
  void record_step(EventKind start, EventKind end, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg = 0,
                   std::uint32_t aux = 0) {
    // The fast path: nothing held, the clock where it was, and (if events
    // are kept) room for both in this block's fast stretch. Anything else
    // goes out of line, so this path saves no registers (every W2 switch).
    if (held_start_ != 0 || time_ns != hash_time_ || task > kMaxHeldTask ||
        (keep_ && (fast_left_ < 2 || time_ns != mark_time_ || is_wide(task, arg, aux)))) [[unlikely]] {
      record_step_slow(start, end, time_ns, task, arg, aux);  // record(start), record(end)
      return;
    }
    Hasher h{hash_};
    h.fold(end, task, arg, aux, ChoicePoint::ready_order, start);
    hash_ = h.h;
    if (keep_) {
      fast_left_ -= 2;
      next_ = put(next_, start, task, 0, 0, ChoicePoint::ready_order);
      next_ = put(next_, end, task, arg, aux, ChoicePoint::ready_order);
      size_ += 2;
    }
  }
  std::uint64_t add_string(std::string s);  // also hashed
  // Given names only: a task without one is "Task-<id>" (task_name rebuilds it).
  void set_task_name(std::uint64_t task_id, const std::string& name);
  // Forget every event, string and name; keep the blocks for the next run.
  void clear() noexcept;

 private:
  // The stored form of an event: one, two or three 32-bit words.
  //   word 0  bits 0-3 kind (15: padding to the end of a block) | 4 wide |
  //           5-6 how many words follow | 7-31 task
  //   word 1  arg (if arg, aux or why is not 0)
  //   word 2  bits 0-2 why | 3-31 aux (if aux or why is not 0)
  // Most events name a task and nothing else (started, resumed, yielded,
  // done): one word. 25-bit task ids cover 3.3*10^7 tasks (a 10^7-task run
  // fits); an event with a field too wide for its slot is one word with the
  // wide bit, its fields in wide_. The time is in marks_. Variable length,
  // so where every 64th event starts is kept (group_start_): event(i) reads
  // at most 63 events from there. A parked task of bench W1b records 5
  // events in 24 bytes (40 as 8-byte records; bench/README.md, M).
  using Word = std::uint32_t;
  static constexpr int kTaskShift = 7, kExtraShift = 5, kAuxShift = 3;
  static constexpr int kTaskBits = 25, kAuxBits = 29;
  static constexpr Word kWide = Word{1} << 4;
  static constexpr Word kPad = 15;
  static_assert(static_cast<int>(EventKind::report) < 15, "kind has 4 bits, 15 is padding");
  static_assert(static_cast<int>(ChoicePoint::buggify) < 8, "why has 3 bits");
  static constexpr std::size_t kBlockWords = 16384;  // 64 KiB blocks
  static constexpr int kGroupShift = 6;              // a start kept every 64 events
  static constexpr std::size_t kGroupMask = (std::size_t{1} << kGroupShift) - 1;

  // The hash, format 2: a sequence of 64-bit words, each folded by one
  // multiply and a shift-xor (order-sensitive; high bits reach low ones).
  //   - When an event's time differs from the last one folded (0 at first):
  //     the word kClockHead (15, no event kind), then the time.
  //   - Each event: one head word, kind | why << 4 | has_arg << 7 |
  //     has_aux << 8 | start << 9 | task << 11; then arg if has_arg (arg
  //     is not 0), then aux << 32 | task >> 53 if has_aux (aux is not 0, or
  //     the task id is from 2^53).
  //   - A step's start (started, resumed, thrown) is held back: if the next
  //     event is the same task's step end (suspended, yielded, done, failed,
  //     cancelled) at the same time, the two are one head, the end's, with
  //     the start's kind in `start` (else 0); otherwise the start is folded
  //     alone first. So a step costs one fold, not two, and the hash stays a
  //     function of the events alone (hash() folds a start still held).
  // Format 1 (tokens "SL1.", schedule.hpp) folded four words an event,
  // time included: a switch of bench W2 waited on eight multiplies in a row.
  static constexpr std::uint64_t kClockHead = 15;
  static constexpr std::uint64_t kMaxHeldTask = (std::uint64_t{1} << 53) - 1;
  struct Hasher {
    std::uint64_t h;
    void mix(std::uint64_t w) noexcept {
      h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
      h ^= h >> 32;
    }
    void fold(EventKind kind, std::uint64_t task, std::uint64_t arg, std::uint32_t aux, ChoicePoint why,
              EventKind start) noexcept {
      const bool has_arg = arg != 0;
      const bool has_aux = (aux | (task >> 53)) != 0;
      mix(static_cast<std::uint64_t>(kind) | (static_cast<std::uint64_t>(why) << 4) |
          (static_cast<std::uint64_t>(has_arg) << 7) | (static_cast<std::uint64_t>(has_aux) << 8) |
          (static_cast<std::uint64_t>(start) << 9) | (task << 11));
      if (has_arg) mix(arg);  // created (the creator), suspended (the future), ...
      if (has_aux) [[unlikely]]
        mix((static_cast<std::uint64_t>(aux) << 32) | (task >> 53));
    }
    // held: task << 2 | the start's kind (1 to 3)
    void fold_held_start(std::uint64_t held) noexcept {
      fold(static_cast<EventKind>(held & 3), held >> 2, 0, 0, ChoicePoint::ready_order, EventKind{});
    }
  };
  static_assert(static_cast<int>(EventKind::task_started) == 1 && static_cast<int>(EventKind::task_thrown) == 3,
                "a held start's kind takes two bits");
  void fold_event(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg, std::uint32_t aux,
                  ChoicePoint why) noexcept {
    if (held_start_ != 0 || time_ns != hash_time_ || is_step_start(kind)) [[unlikely]] {
      fold_event_slow(kind, time_ns, task, arg, aux, why);
      return;
    }
    Hasher h{hash_};
    h.fold(kind, task, arg, aux, why, EventKind{});
    hash_ = h.h;
  }
  void fold_event_slow(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg,
                       std::uint32_t aux, ChoicePoint why) noexcept;
  void fold_held_start() noexcept;  // if one is held
  void record_slow(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg, std::uint32_t aux,
                   ChoicePoint why);
  // record_step's general path: the two events one by one (record).
  void record_step_slow(EventKind start, EventKind end, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg,
                        std::uint32_t aux);
  // The fast path writes one to three words. fast_left_ counts the events
  // that may still take it: none is a group start and each has room for
  // three words in this block. When it runs out, or the clock moved, or a
  // field is wide, store_slow (out of line, so the common path needs no
  // saved registers: it runs for every event of every simulation) writes
  // the event and counts again.
  void store(EventKind kind, std::int64_t time_ns, std::uint64_t task, std::uint64_t arg, std::uint32_t aux,
             ChoicePoint why) {
    if (fast_left_ == 0 || time_ns != mark_time_ || is_wide(task, arg, aux)) [[unlikely]] {
      store_slow(TraceEvent{time_ns, task, arg, aux, kind, why});
      return;
    }
    --fast_left_;
    next_ = put(next_, kind, task, arg, aux, why);
    ++size_;
  }
  static bool is_wide(std::uint64_t task, std::uint64_t arg, std::uint32_t aux) noexcept {
    return ((task >> kTaskBits) | (arg >> 32) | (aux >> kAuxBits)) != 0;
  }
  static bool is_wide(const TraceEvent& e) noexcept { return is_wide(e.task, e.arg, e.aux); }
  // How many words follow word 0 (the event must not be wide).
  static int extra_words(std::uint64_t arg, std::uint32_t aux, ChoicePoint why) noexcept {
    if ((aux | static_cast<std::uint32_t>(why)) != 0) return 2;
    return arg != 0 ? 1 : 0;
  }
  static int extra_words(const TraceEvent& e) noexcept { return extra_words(e.arg, e.aux, e.why); }
  // Writes the event (not wide) at w; returns the word after it.
  static Word* put(Word* w, EventKind kind, std::uint64_t task, std::uint64_t arg, std::uint32_t aux,
                   ChoicePoint why) noexcept {
    const int extra = extra_words(arg, aux, why);
    w[0] = static_cast<Word>(kind) | (static_cast<Word>(extra) << kExtraShift) | (static_cast<Word>(task) << kTaskShift);
    if (extra == 0) return w + 1;
    w[1] = static_cast<Word>(arg);
    if (extra == 1) return w + 2;
    w[2] = static_cast<Word>(why) | (static_cast<Word>(aux) << kAuxShift);
    return w + 3;
  }
  const Word& word_at(std::size_t pos) const noexcept { return blocks_[pos / kBlockWords][pos % kBlockWords]; }
  void store_slow(const TraceEvent& e);
  void count_fast_left() noexcept;

  struct Wide {
    std::size_t index;
    std::uint64_t task;
    std::uint64_t arg;
    std::uint32_t aux;
    ChoicePoint why;
  };
  std::vector<std::unique_ptr<Word[]>> blocks_;
  std::size_t size_ = 0;
  std::size_t block_ = 0;        // the block next_ is in (when next_ is not null)
  Word* next_ = nullptr;         // where event size_ goes, in its block
  Word* block_end_ = nullptr;    // the end of that block
  std::size_t fast_left_ = 0;    // events store may still write without store_slow
  std::vector<std::uint64_t> group_start_;  // the word position of event 64*g (block*kBlockWords + offset)
  static constexpr std::int64_t kNoMark = INT64_MIN;
  std::int64_t mark_time_ = kNoMark;  // the time of the last clock mark (marks_.back())
  std::vector<std::pair<std::size_t, std::int64_t>> marks_;  // (first event index, time) when the clock moved
  std::vector<Wide> wide_;                                     // events with a wide field, by index
  std::vector<std::string> strings_;
  std::vector<std::pair<std::uint64_t, std::string>> names_;  // given names, by task id (ascending)
  static constexpr std::uint64_t kHashSeed = 0xcbf29ce484222325ULL;
  std::uint64_t hash_ = kHashSeed;  // the events folded so far (format 2, fold_event)
  std::int64_t hash_time_ = 0;      // the time last folded
  std::uint64_t held_start_ = 0;    // a step start not folded yet: task << 2 | kind; 0: none
  std::uint64_t string_count_ = 0;  // strings added (kept or not)
  bool keep_ = true;
};

std::ostream& operator<<(std::ostream& os, const Trace& t);

// The index of the first event where two traces differ (size of the shorter
// if one is a prefix of the other; nullopt if equal).
std::optional<std::size_t> first_difference(const Trace& a, const Trace& b);

}  // namespace simloop::sim
