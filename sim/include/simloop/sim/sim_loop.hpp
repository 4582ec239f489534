#pragma once
// SimLoop: a Loop on a virtual clock. Time is integer nanoseconds from 0; when
// nothing is ready the clock jumps straight to the earliest timer, so
// `co_await sleep(1h)` costs no wall time. Every nondeterministic choice the
// loop makes goes through choose() (the one decision source); this base
// answers 0 everywhere: asyncio's own order.
#include <simloop/loop.hpp>

#include <stdexcept>
#include <string>

namespace simloop::sim {

// Nothing is ready, no timer is pending, and the main task has not finished.
class Deadlock : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SimLoop : public Loop {
 public:
  SimLoop() = default;
  ~SimLoop() override { close(); }

  TimePoint time() const override { return now_; }
  bool is_simulated() const noexcept override { return true; }

  // What every pending task is waiting on, one line each (deadlock reports).
  std::string describe_pending_tasks() const;

 protected:
  void wait_for_work(std::optional<TimePoint> deadline) override;

  TimePoint now_{};
};

}  // namespace simloop::sim
