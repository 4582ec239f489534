// async def job(name, n): await asyncio.sleep(n); return f"{name}-{n}"
// print(await asyncio.gather(create_task(job("hello", 1)), create_task(job("world", 2))))
// print(await asyncio.gather(job("hello", 1), job("world", 2)))   # coroutines: wrapped in tasks
//   -> ['hello-1', 'world-2'] twice; 2 s each, 4 s in all
#include "seed.hpp"

#include <iostream>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace seed {
namespace {
sl::Coro<std::string> job(std::string name, int n) {
  co_await sl::sleep(std::chrono::seconds(n));
  co_return name + "-" + std::to_string(n);
}
}  // namespace

sl::Duration gather_results(std::ostream& out) {
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto [a, b] = co_await sl::gather(sl::create_task(job("hello", 1)), sl::create_task(job("world", 2)));
    out << "tasks: [\"" << a << "\", \"" << b << "\"] at " << now() << "\n";
    auto [c, d] = co_await sl::gather(job("hello", 1), job("world", 2));
    out << "coroutines: [\"" << c << "\", \"" << d << "\"] at " << now() << "\n";
  });
  return r.elapsed;
}
}  // namespace seed

#ifdef SEED_STANDALONE
SEED_PROGRAM(gather_results)
#endif
