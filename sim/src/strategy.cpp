#include <simloop/sim/options.hpp>
#include <simloop/sim/strategy.hpp>

#include <algorithm>

namespace simloop::sim {

const char* to_string(Strategy s) noexcept {
  switch (s) {
    case Strategy::fifo: return "fifo";
    case Strategy::random: return "random";
    case Strategy::pct: return "pct";
    case Strategy::dfs: return "dfs";
    case Strategy::replay: return "replay";
    case Strategy::bytes: return "bytes";
    case Strategy::external: return "external";
  }
  return "?";
}

std::optional<Strategy> parse_strategy(std::string_view name) noexcept {
  for (auto s : {Strategy::fifo, Strategy::random, Strategy::pct, Strategy::dfs, Strategy::replay, Strategy::bytes,
                 Strategy::external})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

RunOptions ExploreOptions::run_options(std::uint64_t run_index) const {
  RunOptions o;
  o.seed = seed + run_index;
  o.strategy = strategy;
  o.explore_ready_order = explore_ready_order;
  o.explore_timer_ties = explore_timer_ties;
  o.jitter_max = jitter_max;
  o.jitter_choices = jitter_choices;
  o.steps_max = steps_max;
  o.virtual_time_max = virtual_time_max;
  o.trace = false;
  o.pct_depth = pct_depth;
  o.pct_choices_hint = pct_choices_hint;
  o.fail_on_pending_tasks = fail_on_pending_tasks;
  o.fail_on_unretrieved_exceptions = fail_on_unretrieved_exceptions;
  o.quiet = true;
  return o;
}

// --- pct ----------------------------------------------------------------------

PctChooser::PctChooser(std::uint64_t seed, std::uint32_t depth, std::uint64_t choices_hint)
    : rng_(seed), depth_(depth == 0 ? 1 : depth), choices_hint_(choices_hint == 0 ? 64 : choices_hint) {
  begin_run();
}

void PctChooser::begin_run() {
  choice_count_ = 0;
  next_change_ = 0;
  priority_.clear();
  change_points_.clear();
  for (std::uint32_t i = 1; i < depth_; ++i) change_points_.push_back(rng_.below(choices_hint_));
  std::sort(change_points_.begin(), change_points_.end());
}

std::uint64_t PctChooser::priority_of(std::uint64_t task) {
  if (priority_.size() <= task) priority_.resize(task + 1, 0);
  // Initial priorities lie above every change-point priority (1 .. d-1).
  if (priority_[task] == 0) priority_[task] = depth_ + 1 + (rng_.next() >> 2);
  return priority_[task];
}

std::size_t PctChooser::do_choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks) {
  bool between_tasks = (why == ChoicePoint::ready_order || why == ChoicePoint::timer_tie) && tasks.size() == n;
  if (!between_tasks) return static_cast<std::size_t>(rng_.below(n));
  auto best = [&] {
    std::size_t b = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (priority_of(tasks[i]) > priority_of(tasks[b])) b = i;
    return b;
  };
  std::size_t i = best();
  // At a change point the task about to run drops below every other (the
  // i-th change point gives priority d - i, lower than all initial ones).
  while (next_change_ < change_points_.size() && change_points_[next_change_] == choice_count_) {
    priority_of(tasks[i]);
    priority_[tasks[i]] = depth_ - 1 - next_change_;
    ++next_change_;
    i = best();
  }
  ++choice_count_;
  return i;
}

// --- replay, bytes ---------------------------------------------------------------

std::size_t ReplayChooser::do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) {
  if (pos_ >= decisions_.size()) {
    diverged_ = true;
    return 0;
  }
  std::uint32_t v = decisions_[pos_++];
  if (v >= n) {
    diverged_ = true;
    return 0;
  }
  return v;
}

std::size_t BytesChooser::do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) {
  std::size_t width = n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < width; ++k) {
    if (pos_ >= bytes_.size()) return 0;
    v |= static_cast<std::uint64_t>(bytes_[pos_++]) << (8 * k);
  }
  return static_cast<std::size_t>(v % n);
}

// --- dfs ----------------------------------------------------------------------

std::size_t DfsChooser::do_choose(std::size_t n, ChoicePoint, std::span<const std::uint64_t>) {
  if (pos_ < index_.size()) {
    if (width_[pos_] != n) {
      // The program asked something else here than last time: it is not
      // deterministic. Keep going within the new width.
      width_[pos_] = static_cast<std::uint32_t>(n);
      if (index_[pos_] >= n) index_[pos_] = 0;
    }
    return index_[pos_++];
  }
  index_.push_back(0);
  width_.push_back(static_cast<std::uint32_t>(n));
  ++pos_;
  return 0;
}

bool DfsChooser::advance() {
  index_.resize(pos_);
  width_.resize(pos_);
  while (!index_.empty()) {
    std::size_t p = index_.size() - 1;
    if (index_[p] + 1 < width_[p]) {
      bool allowed = true;
      if (deviations_max_) {
        std::uint32_t before = 0;
        for (std::size_t k = 0; k < p; ++k) before += index_[k] != 0;
        allowed = before + 1 <= *deviations_max_;
      }
      if (allowed) {
        ++index_[p];
        pos_ = 0;
        return true;
      }
    }
    index_.pop_back();
    width_.pop_back();
  }
  pos_ = 0;
  return false;
}

}  // namespace simloop::sim
