// as_completed regressions found by the differential conformance suite
// (tests/conformance: generated scenarios, C++ vs CPython 3.11.7).
#include <catch2/catch.hpp>
#include <simloop/as_completed.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

// Conformance seed 16 (and 23 others of 0:2000) crashed: the task iterating
// as_completed(..., timeout) is cancelled and its loop left, so only the
// inputs' done callbacks still hold the shared state; when the timeout then
// fires, _on_timeout's remove_done_callback drops those last references and
// the state was destroyed under its own callback. In CPython the timer
// handle's closure keeps `todo` and `done` alive, and the timeout fires
// harmlessly (it queues a None nobody reads); the inputs are untouched:
//
//   async def main():
//       x = asyncio.create_task(sleep_then(0.005, 7))
//       async def reader():
//           for aw in asyncio.as_completed([x], timeout=0.002):
//               return await aw
//       r = asyncio.create_task(reader())
//       await asyncio.sleep(0.001); r.cancel()
//       await asyncio.sleep(0.002)           # the timer fires here
//       return await x                        # 7; r.cancelled() is True
TEST_CASE("as_completed: the timeout fires after the iterating task left the loop [S63]", "[as_completed][S63]") {
  bool reader_cancelled = false;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto x = sl::create_task([]() -> sl::Coro<int> {
      co_await sl::sleep(5ms);
      co_return 7;
    });
    auto reader = sl::create_task([x]() -> sl::Coro<int> {
      for (auto next : sl::as_completed(std::vector{x}, {.timeout = 2ms})) co_return co_await next;
      co_return -1;
    });
    co_await sl::sleep(1ms);
    reader.cancel();
    co_await sl::sleep(2ms);  // the as_completed timer fires at 2ms, nobody iterating
    int v = co_await x;
    reader_cancelled = reader.cancelled();
    co_return v;
  });
  CHECK(r.value == 7);
  CHECK(reader_cancelled);
  CHECK(r.elapsed == 5ms);
}
