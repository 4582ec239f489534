// async def ticker(delay, to):
//     for i in range(to):
//         yield i
//         await asyncio.sleep(delay)
// async def main():
//     async for i in ticker(1, 3):
//         print(i)                 # 0 at 0 s, 1 at 1 s, 2 at 2 s
//     print("ticker done")         # at 3 s: the generator sleeps once more before it ends
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
sl::Duration async_iterator(std::ostream& out);

namespace {
sl::AsyncGenerator<int> ticker(sl::Duration delay, int to) {
  for (int i = 0; i < to; ++i) {
    co_yield i;
    co_await sl::sleep(delay);
  }
}
}  // namespace

sl::Duration async_iterator(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto gen = ticker(1s, 3);
    while (auto i = co_await gen.next()) out << *i << " at " << now() << "\n";
    out << "ticker done at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(async_iterator)
#endif
