#pragma once
// The built-in strategies as Choosers (see options.hpp for what each does).
// sim::run/explore build them from options; use them directly to drive a
// SimLoop by hand or to compose your own.
#include <simloop/sim/chooser.hpp>
#include <simloop/sim/prng.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace simloop::sim {

// Always 0: asyncio's order.
class FifoChooser final : public Chooser {
 protected:
  std::size_t do_choose(std::size_t, ChoicePoint, std::span<const std::uint64_t>) override { return 0; }
};

// Uniform over the options, from xoshiro256** seeded with `seed`.
class RandomChooser final : public Chooser {
 public:
  explicit RandomChooser(std::uint64_t seed) : rng_(seed) {}

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) override {
    return static_cast<std::size_t>(rng_.below(n));
  }

 private:
  Xoshiro256 rng_;
};

// Probabilistic concurrency testing with depth d: random task priorities,
// d-1 change points among the first `choices_hint` choices.
class PctChooser final : public Chooser {
 public:
  PctChooser(std::uint64_t seed, std::uint32_t depth, std::uint64_t choices_hint);
  void begin_run() override;

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks) override;

 private:
  std::uint64_t priority_of(std::uint64_t task);
  Xoshiro256 rng_;
  std::uint32_t depth_;
  std::uint64_t choices_hint_;
  std::uint64_t choice_count_ = 0;
  std::vector<std::uint64_t> change_points_;  // sorted choice indices
  std::size_t next_change_ = 0;
  std::vector<std::uint64_t> priority_;       // by task id; 0 = not seen yet
};

// Answers a recorded decision sequence. Past its end, or where a recorded
// answer does not fit (the program changed), it answers 0 and remembers that
// the schedule diverged.
class ReplayChooser final : public Chooser {
 public:
  explicit ReplayChooser(std::vector<std::uint32_t> decisions) : decisions_(std::move(decisions)) {}
  bool diverged() const noexcept { return diverged_; }
  std::size_t position() const noexcept { return pos_; }
  void begin_run() override { pos_ = 0; diverged_ = false; }

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) override;

 private:
  std::vector<std::uint32_t> decisions_;
  std::size_t pos_ = 0;
  bool diverged_ = false;
};

// Decisions from a byte string (libFuzzer / AFL++ input): a choice among
// n <= 256 consumes one byte, larger n two (little endian), taken mod n; 0
// once the bytes are used up (so a short input means asyncio's order).
// A libFuzzer target (AFL++ runs the same with -fsanitize=fuzzer):
//
//     extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
//       auto r = sl::sim::try_run(test, {.strategy = sl::sim::Strategy::bytes, .bytes = {data, size},
//                                        .quiet = true});
//       if (r.failure) { fmt::print(stderr, "{}\n", *r.failure); std::abort(); }
//       return 0;
//     }
//
// The failure's token replays without the fuzzer (sim::replay).
class BytesChooser final : public Chooser {
 public:
  explicit BytesChooser(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  void begin_run() override { pos_ = 0; }

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) override;

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

// Exhaustive depth-first enumeration by re-execution. One DfsChooser drives
// many runs: after each run call advance(); it returns false when every
// schedule (with at most `deviations_max` nonzero answers) has been run.
class DfsChooser final : public Chooser {
 public:
  explicit DfsChooser(std::optional<std::uint32_t> deviations_max = std::nullopt)
      : deviations_max_(deviations_max) {}
  void begin_run() override { pos_ = 0; }
  // Move to the next schedule; false: the space is exhausted.
  bool advance();
  // The decisions of the run in progress (or just finished).
  const std::vector<std::uint32_t>& path() const noexcept { return index_; }

 protected:
  std::size_t do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) override;

 private:
  std::optional<std::uint32_t> deviations_max_;
  std::vector<std::uint32_t> index_;  // answer at each depth
  std::vector<std::uint32_t> width_;  // n at each depth
  std::size_t pos_ = 0;
};

}  // namespace simloop::sim
