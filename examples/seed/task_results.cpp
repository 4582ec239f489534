// async def compute(x, y): await asyncio.sleep(x); return x + y
// t1 = create_task(compute(1, 2)); t2 = create_task(compute(2, 3))
// print(await t1, await t2, t1.done(), t1.result())        # 3 5 True 3, at 2 s
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
namespace {
sl::Coro<int> compute(int x, int y) {
  co_await sl::sleep(std::chrono::seconds(x));
  co_return x + y;
}
}  // namespace

sl::Duration task_results(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto t1 = sl::create_task(compute(1, 2));
    auto t2 = sl::create_task(compute(2, 3));
    int a = co_await t1;
    int b = co_await t2;
    out << a << " " << b << " " << (t1.done() ? "True" : "False") << " " << t1.result() << "\n";
    out << "names: " << t1.name() << " " << t2.name() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(task_results)
#endif
