// Event (event.hpp), SEMANTICS S74. Expected logs from CPython 3.11.7 (python3).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

TEST_CASE("Event: set() wakes every waiter in wait order; wait() on a set event returns at once [S74]",
          "[event][S74]") {
  // python3: ts = [create_task(w(n)) for n in "abc"]; await sleep(0); ts[1].cancel(); ev.set()
  // -> a waits, b waits, c waits, set, a woke, c woke; b cancelled; immediate True; cleared
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    sl::Event ev;
    auto w = [&](std::string n) -> sl::Coro<void> {
      log.push_back(n + " waits");
      co_await ev.wait();
      log.push_back(n + " woke");
    };
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"a", "b", "c"}) ts.push_back(sl::create_task(w(n)));
    co_await sl::sleep(0s);
    CHECK(ev.waiter_count() == 3);
    ts[1].cancel();
    ev.set();
    log.push_back("set");
    for (auto& t : ts) {
      try {
        co_await t;
      } catch (const sl::CancelledError&) {
      }
    }
    CHECK(ts[1].cancelled());
    CHECK(ev.waiter_count() == 0);
    auto before = sl::get_running_loop().iterations();
    bool v = co_await ev.wait();
    CHECK(v);
    CHECK(sl::get_running_loop().iterations() == before);  // no suspension
    ev.clear();
    CHECK_FALSE(ev.is_set());
  });
  CHECK(log == Log{"a waits", "b waits", "c waits", "set", "a woke", "c woke"});
  CHECK(r.elapsed == 0s);
}

TEST_CASE("Event: clear() makes later waits block until the next set()", "[event][S74]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    sl::Event ev;
    ev.set();
    ev.set();  // idempotent
    ev.clear();
    auto setter = sl::create_task([&]() -> sl::Coro<void> {
      co_await sl::sleep(2s);
      ev.set();
    });
    co_await ev.wait();
    CHECK(sl::get_running_loop().time().time_since_epoch() == 2s);
    co_await setter;
  });
  CHECK(r.elapsed == 2s);
}
