// Task semantics, SEMANTICS.md S25-S41. Each case was checked against CPython
// 3.11.7 by running the equivalent Python (the snippet is quoted where useful).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
sl::Coro<std::string> say_after(sl::Duration d, std::string what) {
  co_await sl::sleep(d);
  co_return what;
}
}  // namespace

TEST_CASE("create_task does not run the body inline [S25]", "[task][S25]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      log.push_back("child");
      co_return;
    });
    log.push_back("after create_task");
    co_await t;
    log.push_back("joined");
  });
  CHECK(log == std::vector<std::string>{"after create_task", "child", "joined"});
  CHECK(r.elapsed == 0s);
}

TEST_CASE("tasks run concurrently: create_task version ends at 2s", "[task]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::string> {
    auto t1 = sl::create_task(say_after(1s, "hello"));
    auto t2 = sl::create_task(say_after(2s, "world"));
    std::string a = co_await t1;
    std::string b = co_await t2;
    co_return a + " " + b;
  });
  CHECK(r.value == "hello world");
  CHECK(r.elapsed == 2s);
}

TEST_CASE("cancel a sleeping task: CancelledError with message at the await [S29]", "[task][S29][S35]") {
  std::string seen;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto t = sl::create_task([&]() -> sl::Coro<int> {
      try {
        co_await sl::sleep(10s);
      } catch (const sl::CancelledError& e) {
        seen = e.message();
        throw;
      }
      co_return 1;
    });
    co_await sl::sleep(1s);
    CHECK(t.cancel("stop"));
    try {
      co_await t;
    } catch (const sl::CancelledError& e) {
      CHECK(e.message() == "stop");
    }
    CHECK(t.cancelled());
    co_return 7;
  });
  CHECK(seen == "stop");
  CHECK(r.value == 7);
  CHECK(r.elapsed == 1s);
}
