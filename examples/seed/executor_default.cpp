// def blocking_io():
//     time.sleep(2)                     # a blocking call
//     return "io done"
// async def main():
//     loop = asyncio.get_running_loop()
//     result = await loop.run_in_executor(None, blocking_io)
//     print('default thread pool', result)          # after 2 s
//
// sl::blocking_sleep is time.sleep for executor work: it blocks the worker
// thread on the real loop, and under the simulator (no threads) adds 2 s of
// virtual time to the job, so the program ends at virtual 2 s.
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
sl::Duration executor_default(std::ostream& out);

namespace {
std::string blocking_io() {
  sl::blocking_sleep(2s);
  return "io done";
}
}  // namespace

sl::Duration executor_default(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    out << "started at " << now() << "\n";
    std::string result = co_await sl::run_in_executor(nullptr, blocking_io);
    out << "default thread pool " << result << " at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(executor_default)
#endif
