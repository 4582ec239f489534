// shield: SEMANTICS.md S67, S68. Each case was also run on CPython 3.11.7
// with the conformance suite's virtual-time loop (tests/conformance/vloop.py,
// 1 tick = 1 s): results, end times and the number of callbacks run (`steps`)
// are CPython's.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
sl::Coro<int> value_after(std::vector<std::string>& log, sl::Duration d, int v) {
  co_await sl::sleep(d);
  log.push_back("inner done " + std::to_string(v));
  co_return v;
}
}  // namespace

TEST_CASE("shield: cancelling the awaiter raises CancelledError there; the inner completes [S67]",
          "[shield][S67]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto inner = sl::create_task(value_after(log, 2s, 5));
    auto outer = sl::create_task([&]() -> sl::Coro<int> { co_return co_await sl::shield(inner); });
    co_await sl::sleep(1s);
    outer.cancel();
    try {
      co_await outer;
    } catch (const sl::CancelledError&) {
      log.push_back("outer cancelled");
    }
    log.push_back(std::string("inner cancelled=") + (inner.cancelled() ? "true" : "false"));
    co_return co_await inner;
  });
  CHECK(r.value == 5);
  CHECK(log == std::vector<std::string>{"outer cancelled", "inner cancelled=false", "inner done 5"});
  CHECK(r.elapsed == 2s);
  CHECK(r.steps == 12);
}

TEST_CASE("shield: a coroutine is wrapped in a task and its result passed through [S67]", "[shield][S67]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<int> { co_return co_await sl::shield(value_after(log, 1s, 4)); });
  CHECK(r.value == 4);
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 8);
}

TEST_CASE("shield: the inner cancelled itself cancels the shield's awaiter [S68]", "[shield][S68]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    auto inner = sl::create_task(value_after(log, 2s, 5));
    auto outer = sl::create_task([&]() -> sl::Coro<int> { co_return co_await sl::shield(inner); });
    co_await sl::sleep(1s);
    inner.cancel();
    try {
      co_await outer;
    } catch (const sl::CancelledError&) {
      log.push_back("outer cancelled");
    }
    co_return outer.cancelled();
  });
  CHECK(r.value == true);
  CHECK(log == std::vector<std::string>{"outer cancelled"});
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 11);
}

TEST_CASE("shield: a done inner is returned as is (asyncio's shortcut) [S67]", "[shield][S67]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto inner = sl::create_task(value_after(log, 0s, 5));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    sl::Future<int> f = sl::shield(inner);
    CHECK(f == static_cast<sl::Future<int>>(inner));
    co_return co_await f;
  });
  CHECK(r.value == 5);
  CHECK(r.steps == 6);
}

TEST_CASE("shield: the inner's exception reaches the awaiter [S67]", "[shield][S67]") {
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    try {
      co_await sl::shield([]() -> sl::Coro<void> {
        co_await sl::sleep(1s);
        throw std::invalid_argument("bad");
      }());
    } catch (const std::invalid_argument& e) {
      co_return e.what();
    }
    co_return "none";
  });
  CHECK(r.value == "bad");
  CHECK(r.elapsed == 1s);
  CHECK(r.steps == 8);
}
