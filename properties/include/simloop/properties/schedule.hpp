#pragma once
// gen::schedule(): a decision sequence for a rapidcheck-driven run.
//
//   rc::prop... [] {
//     auto s = *sl::properties::gen::schedule();
//     auto run = sl::properties::run_scheduled(test, s);
//     RC_ASSERT(!run.report.failure);
//   }
//
// Each choice the SimLoop asks (ready order, timer ties; options.hpp) among n
// options is answered decisions[i] % n, and 0 once the sequence is used up.
// 0 is asyncio's own order, and rapidcheck shrinks a vector by dropping
// elements and every element toward 0, so a failing schedule is reported as
// few deviations from FIFO as still fail. `deviations` counts the nonzero
// answers the run actually used (the measure the planted-bug test bounds).
#include <simloop/sim.hpp>

#include <rapidcheck.h>

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

namespace simloop::properties {

struct ScheduleSeq {
  std::vector<std::uint8_t> decisions;
};

inline void showValue(const ScheduleSeq& s, std::ostream& os) {
  os << "schedule[";
  for (std::size_t i = 0; i < s.decisions.size(); ++i) os << (i ? " " : "") << int(s.decisions[i]);
  os << "]";
}

// Answers from a ScheduleSeq; records what it answered.
class SeqChooser final : public sim::Chooser {
 public:
  explicit SeqChooser(const ScheduleSeq& s) : s_(s) {}
  void begin_run() override { pos_ = 0; deviations_ = 0; }
  std::size_t deviations() const noexcept { return deviations_; }
  std::size_t choices() const noexcept { return pos_; }

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) override {
    std::size_t i = pos_ < s_.decisions.size() ? s_.decisions[pos_] % n : 0;
    ++pos_;
    if (i != 0) ++deviations_;
    return i;
  }

 private:
  const ScheduleSeq& s_;
  std::size_t pos_ = 0;
  std::size_t deviations_ = 0;
};

namespace gen {
// Decisions in [0, 8): enough to pick among the few ready callbacks and timer
// ties of the suites' programs (larger n take the value mod n).
inline rc::Gen<ScheduleSeq> schedule() {
  return rc::gen::map(rc::gen::container<std::vector<std::uint8_t>>(rc::gen::inRange<std::uint8_t>(0, 8)),
                      [](std::vector<std::uint8_t> d) { return ScheduleSeq{std::move(d)}; });
}
}  // namespace gen

struct ScheduledRun {
  sim::RunReport report;
  std::size_t deviations = 0;
  std::size_t choices = 0;
};

struct ScheduleOptions {
  // Off by default: asyncio guarantees FIFO callbacks, and "completion order"
  // (as_completed, gather's first exception) is defined by it. Timer ties
  // (which of the tasks due at one instant completes first) are explored.
  bool explore_ready_order = false;
  bool explore_timer_ties = true;
  bool keep_trace = false;  // keep the events (report.trace), for trace-reading properties
};

template <class F>
ScheduledRun run_scheduled(F&& main, const ScheduleSeq& s, ScheduleOptions o = {}) {
  SeqChooser c(s);
  ScheduledRun out;
  out.report = sim::try_run(main, {.strategy = sim::Strategy::external,
                                   .explore_ready_order = o.explore_ready_order,
                                   .explore_timer_ties = o.explore_timer_ties,
                                   .steps_max = 200'000,
                                   .trace = o.keep_trace,
                                   .chooser = &c,
                                   .quiet = true});
  out.deviations = c.deviations();
  out.choices = c.choices();
  return out;
}

}  // namespace simloop::properties
