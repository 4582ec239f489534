#pragma once
// asyncio's tutorial, in C++: each program of the walk-through simloop started
// from, ported one to one. Each example writes what the Python prints to
// `out` and runs on the simulator's virtual clock, so it takes milliseconds of
// wall time and its timings are exact. The programs (seed_<name>) print to
// stdout; tests/examples/seed_test.cpp checks every line and virtual time.
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <fmt/format.h>

#include <ostream>
#include <string>

namespace seed {

// "t=1.000s": a virtual time point as the examples print it.
inline std::string vt(simloop::TimePoint t) { return fmt::format("t={:.3f}s", simloop::seconds(t)); }
inline std::string now() { return vt(simloop::get_running_loop().time()); }

// Each returns the virtual time the whole program took.
simloop::Duration hello_world(std::ostream& out);
simloop::Duration sequential(std::ostream& out);
simloop::Duration concurrent_tasks(std::ostream& out);
simloop::Duration task_results(std::ostream& out);
simloop::Duration gather_results(std::ostream& out);
simloop::Duration wait_timeout(std::ostream& out);
simloop::Duration future_call_soon(std::ostream& out);
simloop::Duration future_await(std::ostream& out);
simloop::Duration done_callbacks(std::ostream& out);
simloop::Duration as_completed_order(std::ostream& out);
simloop::Duration executor_default(std::ostream& out);
simloop::Duration executor_custom(std::ostream& out);
simloop::Duration async_context_manager(std::ostream& out);
simloop::Duration async_iterator(std::ostream& out);

}  // namespace seed

// Each example file also builds as a program of its own.
#define SEED_PROGRAM(name)                                          \
  int main() {                                                      \
    auto elapsed = seed::name(std::cout);                           \
    std::cout << "virtual time: " << seed::vt(simloop::TimePoint(elapsed)) << "\n"; \
    return 0;                                                       \
  }
