#pragma once
// Chooser: the one decision source of a simulated run.
//
// Every nondeterministic choice SimLoop makes — which ready callback runs
// next, which of several timers due at the same instant fires first, a timer's
// jitter, an executor job's latency, simulated IO latency, a buggify() fault
// point — is a call
//
//     std::size_t Chooser::choose(std::size_t n, ChoicePoint why, tasks)
//
// answering an index in [0, n) (n >= 2: a loop never asks about one option).
// Index 0 is always what a plain asyncio loop does; any other index is a
// deviation. `tasks[i]` is the id of the task that option i belongs to (0: no
// task; empty when the choice is not between tasks), for strategies that
// prioritise tasks (pct).
//
// Strategies (strategy.hpp) are Choosers. To drive a run from an external
// source — a rapidcheck generator, a fuzzer, a hand-written script — either
// subclass Chooser and override do_choose(), or wrap a function:
//
//     sl::sim::FunctionChooser c([&](std::size_t n, sl::ChoicePoint why) {
//       return *rc::gen::inRange<std::size_t>(0, n);   // inside a rapidcheck property
//     });
//     auto r = sl::sim::try_run(test, {.strategy = sl::sim::Strategy::external, .chooser = &c});
//
// The run records every answer (the schedule) whatever the source, so a run
// driven by rapidcheck still has a replayable token. For shrinking toward
// asyncio's own order, generate small indices (0 first): rapidcheck shrinks
// integers toward 0, i.e. toward "no deviation".
#include <simloop/loop.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>

namespace simloop::sim {

class Chooser {
 public:
  virtual ~Chooser() = default;

  // An index in [0, n). Throws std::logic_error if the source answers out of
  // range (a bug in the source, never silently clamped).
  std::size_t choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks = {}) {
    std::size_t i = do_choose(n, why, tasks);
    if (i >= n)
      throw std::logic_error("Chooser answered " + std::to_string(i) + " to a choice among " + std::to_string(n) +
                             " (" + to_string(why) + "): answers must be in [0, n)");
    return i;
  }

  // Called by the run before its first choice and after its last (strategies
  // that plan a run, like pct, or learn across runs, like dfs).
  virtual void begin_run() {}
  virtual void end_run() {}

 protected:
  virtual std::size_t do_choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks) = 0;
};

// A Chooser from a function: the hook for rapidcheck-driven strategies.
class FunctionChooser : public Chooser {
 public:
  using Fn = std::function<std::size_t(std::size_t n, ChoicePoint why)>;
  explicit FunctionChooser(Fn fn) : fn_(std::move(fn)) {}

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t>) override {
    return fn_(n, why);
  }

 private:
  Fn fn_;
};

}  // namespace simloop::sim
