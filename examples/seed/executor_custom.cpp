// def blocking_io():
//     time.sleep(2)
//     return "io done"
// async def main():
//     loop = asyncio.get_running_loop()
//     with concurrent.futures.ThreadPoolExecutor() as pool:
//         result = await loop.run_in_executor(pool, blocking_io)
//         print('custom thread pool', result)        # after 2 s
//
// The pool's scope is the `with` block: its destructor joins its threads (none
// under the simulator). simulated_duration declares the call's virtual cost.
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
sl::Duration executor_custom(std::ostream& out);

sl::Duration executor_custom(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    out << "started at " << now() << "\n";
    {
      sl::ThreadPoolExecutor pool;
      auto blocking_io = sl::simulated_duration(2s, [] { return std::string("io done"); });
      std::string result = co_await sl::run_in_executor(pool, blocking_io);
      out << "custom thread pool " << result << " at " << now() << "\n";
    }
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(executor_custom)
#endif
