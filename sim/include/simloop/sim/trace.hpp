#pragma once
// The trace of a simulated run: one compact event per step.
//
// Recording is cheap: a fixed-size POD per event, appended to a vector; the
// rare strings (exception descriptions, cancel messages, task names) go to
// side tables. Nothing is formatted until printed (fmt, on demand). The 64-bit
// trace hash folds every event (time, task, kind, arguments, the strings) as
// it is recorded, also when events are not kept (RunOptions::trace = false),
// so two runs with equal hashes did the same thing step for step.
//
// Printed form, one line per event (Trace::format_event):
//     t=0.002000s  Task-2 (lost_update)  suspended on future #7
#include <simloop/loop.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
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

struct TraceEvent {
  std::int64_t time_ns;
  std::uint64_t task;  // task id (0: none)
  std::uint64_t arg;
  std::uint32_t aux;
  EventKind kind;
  ChoicePoint why;  // for choice events
};

class Trace {
 public:
  const std::vector<TraceEvent>& events() const noexcept { return events_; }
  std::size_t size() const noexcept { return events_.size(); }
  std::uint64_t hash() const noexcept { return hash_; }
  // The task's name as it was when created ("Task-3", or the name given).
  std::string task_name(std::uint64_t task_id) const;
  const std::string& text(std::uint64_t string_index) const { return strings_.at(string_index); }

  // One line, e.g. "t=1.000000s  Task-2  suspended on Task-3".
  std::string format_event(std::size_t i) const;
  // The last `count` events, one per line, each ending in '\n'.
  std::string format_tail(std::size_t count) const;
  std::string format() const { return format_tail(events_.size()); }

  // --- recording (SimLoop) ---------------------------------------------------
  void set_keep_events(bool keep) noexcept { keep_ = keep; }
  void record(const TraceEvent& e);
  std::uint64_t add_string(std::string s);  // also hashed
  void set_task_name(std::uint64_t task_id, const std::string& name);
  void clear() noexcept;

 private:
  std::vector<TraceEvent> events_;
  std::vector<std::string> strings_;
  std::vector<std::string> names_;  // by task id
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  std::uint64_t string_count_ = 0;               // strings added (kept or not)
  bool keep_ = true;
};

std::ostream& operator<<(std::ostream& os, const Trace& t);

// The index of the first event where two traces differ (size of the shorter
// if one is a prefix of the other; nullopt if equal).
std::optional<std::size_t> first_difference(const Trace& a, const Trace& b);

}  // namespace simloop::sim
