#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <cstdio>

namespace sl = simloop;
using namespace std::chrono_literals;

sl::Coro<int> answer() {
  co_await sl::sleep(2s);
  co_return 42;
}

int main() {
  auto r = sl::sim::run([] { return answer(); });
  std::printf("answer %d after %.1fs\n", r.value, sl::seconds(r.elapsed));
  return r.value == 42 && r.elapsed == 2s ? 0 : 1;
}
