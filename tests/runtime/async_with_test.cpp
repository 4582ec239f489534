// async_with: Python's `async with` (PEP 492). SEMANTICS.md has no item for it;
// each case below was checked against CPython 3.11.7 by running the
// equivalent `async with` over a class with __aenter__/__aexit__ (the
// snippet is quoted where the behaviour is not obvious).
#include <catch2/catch.hpp>
#include <simloop/async_with.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {

// Records the protocol calls; aenter and aexit each sleep, so the test also
// pins that they are awaited (virtual time passes).
struct Recorder {
  std::vector<std::string>* log;
  bool suppress = false;
  sl::Coro<int> aenter() {
    co_await sl::sleep(1s);
    log->push_back("aenter");
    co_return 42;
  }
  sl::Coro<bool> aexit(std::exception_ptr e) {
    co_await sl::sleep(1s);
    log->push_back(e ? "aexit(" + sl::describe_exception(e) + ")" : "aexit(None)");
    co_return suppress;
  }
};

// A manager whose aexit cannot suppress (Coro<void>) and whose aenter has no value.
struct Plain {
  int entered = 0;
  int exited = 0;
  sl::Coro<void> aenter() {
    ++entered;
    co_return;
  }
  sl::Coro<void> aexit(std::exception_ptr) {
    ++exited;
    co_return;
  }
};

struct FailingEnter {
  int exited = 0;
  sl::Coro<void> aenter() {
    throw std::runtime_error("enter failed");
    co_return;
  }
  sl::Coro<bool> aexit(std::exception_ptr) {
    ++exited;
    co_return false;
  }
};

}  // namespace

TEST_CASE("async_with: aenter, body with aenter's value, aexit(None); result returned", "[async_with]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    Recorder cm{&log};
    std::optional<int> v = co_await sl::async_with(cm, [&](int x) -> sl::Coro<int> {
      log.push_back("body " + std::to_string(x));
      co_await sl::sleep(1s);
      co_return x + 1;
    });
    co_return *v;
  });
  CHECK(r.value == 43);
  CHECK(log == std::vector<std::string>{"aenter", "body 42", "aexit(None)"});
  CHECK(r.elapsed == 3s);
}

TEST_CASE("async_with: an exception in the body reaches aexit and propagates", "[async_with]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<std::string> {
    Recorder cm{&log};
    try {
      co_await sl::async_with(cm, [&]() -> sl::Coro<void> {
        throw std::runtime_error("boom");
        co_return;
      });
    } catch (const std::runtime_error& e) {
      co_return std::string(e.what());
    }
    co_return "no exception";
  });
  CHECK(r.value == "boom");
  REQUIRE(log.size() == 2);
  CHECK(log[1].find("boom") != std::string::npos);
  CHECK(r.elapsed == 2s);
}

TEST_CASE("async_with: aexit returning true suppresses the exception (non-void body: nullopt)", "[async_with]") {
  // Python: `async with Suppress(): raise ValueError` continues after the block.
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    Recorder cm{&log, /*suppress=*/true};
    std::optional<int> v = co_await sl::async_with(cm, [&]() -> sl::Coro<int> {
      throw std::runtime_error("boom");
      co_return 1;
    });
    co_await sl::async_with(cm, [&]() -> sl::Coro<void> {
      throw std::logic_error("again");
      co_return;
    });
    co_return v.has_value();
  });
  CHECK(r.value == false);
  CHECK(log.size() == 4);
}

TEST_CASE("async_with: cancellation of the body runs aexit with CancelledError, then propagates", "[async_with]") {
  // Python: cancelling a task inside `async with cm:` calls cm.__aexit__(CancelledError, ...)
  // and the task ends cancelled (aexit's own awaits still run: the cancel was delivered once).
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<bool> {
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      Recorder cm{&log};
      co_await sl::async_with(cm, [&]() -> sl::Coro<void> {
        log.push_back("body");
        co_await sl::sleep(10s);
        log.push_back("not reached");
      });
    });
    co_await sl::sleep(2s);  // aenter took 1s, the body is sleeping
    t.cancel();
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
      log.push_back("cancelled");
    }
    co_return t.cancelled();
  });
  CHECK(r.value == true);
  CHECK(log == std::vector<std::string>{"aenter", "body", "aexit(CancelledError)", "cancelled"});
  CHECK(r.elapsed == 3s);  // cancelled at 2s, aexit sleeps 1s
}

TEST_CASE("async_with: aenter throwing skips body and aexit", "[async_with]") {
  FailingEnter cm;
  bool body_ran = false;
  sl::sim::run([&]() -> sl::Coro<void> {
    CHECK_THROWS_WITH(co_await sl::async_with(cm,
                                               [&]() -> sl::Coro<void> {
                                                 body_ran = true;
                                                 co_return;
                                               }),
                      "enter failed");
  });
  CHECK_FALSE(body_ran);
  CHECK(cm.exited == 0);
}

TEST_CASE("async_with: a Coro<void> aexit gives R directly; the body may take the manager", "[async_with]") {
  Plain cm;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    int v = co_await sl::async_with(cm, [&](Plain& m) -> sl::Coro<int> { co_return m.entered * 10; });
    co_return v;
  });
  CHECK(r.value == 10);
  CHECK(cm.exited == 1);
}

TEST_CASE("async_with: an rvalue manager is kept in the frame; costs no loop iteration", "[async_with]") {
  // Inline await: no scheduling point of its own, as `async with` on a manager
  // whose __aenter__/__aexit__ do not await anything.
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto c = sl::async_with(Plain{}, [](Plain& m) -> sl::Coro<int> { co_return m.entered; });
    co_return co_await std::move(c);
  });
  auto baseline = sl::sim::run([]() -> sl::Coro<int> { co_return 1; });
  CHECK(r.value == 1);
  CHECK(r.steps == baseline.steps);  // main's step and run()'s stop callback, nothing more
}

TEST_CASE("async_with with a Lock: released on exception", "[async_with][lock]") {
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Lock lock;
    try {
      co_await sl::async_with(lock, [&]() -> sl::Coro<void> {
        CHECK(lock.locked());
        throw std::runtime_error("x");
        co_return;
      });
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(lock.locked());
  });
}
