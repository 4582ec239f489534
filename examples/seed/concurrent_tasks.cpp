// task1 = asyncio.create_task(say_after(1, 'hello'))
// task2 = asyncio.create_task(say_after(2, 'world'))
// print(f"started at ..."); await task1; await task2; print(f"finished at ...")   # 2 s: concurrent
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

sl::Duration concurrent_tasks(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto task1 = sl::create_task(say_after(out, 1s, "hello"));
    auto task2 = sl::create_task(say_after(out, 2s, "world"));
    out << "started at " << now() << "\n";
    co_await task1;
    co_await task2;
    out << "finished at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(concurrent_tasks)
#endif
