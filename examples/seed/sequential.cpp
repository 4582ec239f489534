// async def say_after(delay, what): await asyncio.sleep(delay); print(what)
// async def main():
//     print(f"started at {time}"); await say_after(1, 'hello'); await say_after(2, 'world')
//     print(f"finished at {time}")            # 3 seconds later: awaits run in sequence
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
namespace {
sl::Coro<void> say_after(std::ostream& out, sl::Duration delay, std::string what) {
  co_await sl::sleep(delay);
  out << what << "\n";
}
}  // namespace

sl::Duration sequential(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    out << "started at " << now() << "\n";
    co_await say_after(out, 1s, "hello");
    co_await say_after(out, 2s, "world");
    out << "finished at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(sequential)
#endif
