// async def sleeper(n): await asyncio.sleep(n); return n
// tasks = [create_task(sleeper(n)) for n in (4, 1, 2)]
// for next in asyncio.as_completed(tasks): print(await next, loop.time())
//   -> 1, 2, 4 (completion order), ending at 4 s [S66]
#include "seed.hpp"

#include <iostream>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
namespace {
sl::Coro<int> sleeper(int n) {
  co_await sl::sleep(std::chrono::seconds(n));
  co_return n;
}
}  // namespace

sl::Duration as_completed_order(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    std::vector<sl::Task<int>> tasks;
    for (int n : {4, 1, 2}) tasks.push_back(sl::create_task(sleeper(n)));
    for (auto next : sl::as_completed(tasks)) {
      int v = co_await next;
      out << v << " at " << now() << "\n";
    }
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(as_completed_order)
#endif
