// async def worker(i):
//     try: await asyncio.sleep(i * 0.1); return i
//     except asyncio.CancelledError: print(f"worker {i} cancelled"); raise
// tasks = [create_task(worker(i)) for i in range(10)]
// done, pending = await asyncio.wait(tasks, timeout=0.5)
// print(sorted(t.result() for t in done)); for t in pending: t.cancel()
// await asyncio.gather(*pending, return_exceptions=True)
//   -> [0, 1, 2, 3, 4]; workers 5..9 report their cancellation at 0.5 s [S56]
#include "seed.hpp"

#include <iostream>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
namespace {
sl::Coro<int> worker(std::ostream& out, int i) {
  try {
    co_await sl::sleep(i * 100ms);
  } catch (const sl::CancelledError&) {
    out << "worker " << i << " cancelled at " << now() << "\n";
    throw;
  }
  co_return i;
}
}  // namespace

sl::Duration wait_timeout(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    std::vector<sl::Task<int>> tasks;
    for (int i = 0; i < 10; ++i) tasks.push_back(sl::create_task(worker(out, i)));
    auto [done, pending] = co_await sl::wait(tasks, {.timeout = 500ms});
    out << "done:";
    for (auto& t : done) out << " " << t.result();
    out << "\npending: " << pending.size() << " at " << now() << "\n";
    for (auto& t : pending) t.cancel();
    co_await sl::gather(sl::return_exceptions, pending);
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(wait_timeout)
#endif
