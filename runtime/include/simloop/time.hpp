#pragma once
// Time on a loop's own clock. The virtual clock of the simulator starts at 0
// and jumps; the real loop's clock is std::chrono::steady_clock re-based so that
// it also reads 0 when the loop is created. Integer nanoseconds on both, so
// virtual instants are exact and ties are real ties.
#include <chrono>
#include <cstdint>

namespace simloop {

using Duration = std::chrono::nanoseconds;

struct LoopClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = Duration;
  using time_point = std::chrono::time_point<LoopClock, Duration>;
  static constexpr bool is_steady = true;
};

using TimePoint = LoopClock::time_point;

// Seconds since the loop's start, as a double, for printing ("t=1.500s").
inline double seconds(TimePoint t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }
inline double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace simloop
