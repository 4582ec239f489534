// async def set_after(fut, delay, value): await asyncio.sleep(delay); fut.set_result(value)
// async def main():
//     fut = loop.create_future(); loop.create_task(set_after(fut, 1, '... world'))
//     print('hello ...'); print(await fut)      # at 1 s
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
namespace {
sl::Coro<void> set_after(sl::Future<std::string> fut, sl::Duration delay, std::string value) {
  co_await sl::sleep(delay);
  fut.set_result(std::move(value));
}
}  // namespace

sl::Duration future_await(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    sl::Future<std::string> fut;
    sl::create_task(set_after(fut, 1s, "... world"));
    out << "hello ...\n";
    out << co_await fut << " at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(future_await)
#endif
