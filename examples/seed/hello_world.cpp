// async def main():
//     print('hello'); await asyncio.sleep(1); print('world')
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
sl::Duration hello_world(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    out << "hello\n";
    co_await sl::sleep(1s);
    out << "world\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(hello_world)
#endif
