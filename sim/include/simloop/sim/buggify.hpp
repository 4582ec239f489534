#pragma once
// sim::buggify(): a fault-injection point (FoundationDB's BUGGIFY).
//
//     if (sl::sim::buggify()) throw ConnectionReset();   // rare path, now tested
//
// On a real loop and under fifo it is always false, so production behaviour
// and asyncio-order tests are unchanged. In a simulated run it is a choice
// point (ChoicePoint::buggify, recorded in the schedule and replayed): index 0
// is "no fault", index 1 "fault". Under random it fires half of the time,
// under dfs both ways are explored.
#include <simloop/loop.hpp>

namespace simloop::sim {

inline bool buggify() {
  Loop* loop = running_loop();
  if (!loop || !loop->is_simulated()) return false;
  return loop->decide(2, ChoicePoint::buggify) == 1;
}

}  // namespace simloop::sim
