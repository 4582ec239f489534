// simloop::run on the real clock (RealLoop): asyncio.run's contract with
// short real sleeps [S3, S7, S8, S9, S10], plus call_soon_threadsafe.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

TEST_CASE("simloop::run returns main's value after real sleeps [S9][S3]", "[real_loop][S9][S3]") {
  auto wall_start = std::chrono::steady_clock::now();
  sl::TimePoint loop_end{};
  int v = sl::run([&]() -> sl::Coro<int> {
    auto& loop = sl::get_running_loop();
    CHECK_FALSE(loop.is_simulated());
    auto t = sl::create_task([]() -> sl::Coro<int> {
      co_await sl::sleep(20ms);
      co_return 2;
    });
    co_await sl::sleep(10ms);
    int r = co_await t;
    loop_end = loop.time();
    co_return r;
  }());
  auto wall = std::chrono::steady_clock::now() - wall_start;
  CHECK(v == 2);
  CHECK(loop_end >= sl::TimePoint(20ms));  // at or after the deadline
  CHECK(wall >= 20ms);
  CHECK(wall < 5s);  // concurrent, not a hang
}

TEST_CASE("simloop::run raises main's exception [S9]", "[real_loop][S9]") {
  CHECK_THROWS_WITH(sl::run([]() -> sl::Coro<void> {
                      co_await sl::sleep(1ms);
                      throw std::runtime_error("main failed");
                    }()),
                    "main failed");
}

TEST_CASE("real timers fire at or after their deadline, in deadline order [S3][S10]", "[real_loop][S3][S10]") {
  std::vector<std::pair<std::string, sl::TimePoint>> fired;
  sl::run([&]() -> sl::Coro<void> {
    auto& loop = sl::get_running_loop();
    sl::Future<void> done;
    auto start = loop.time();
    loop.call_later(15ms, [&, start] { fired.emplace_back("15ms", loop.time() - (start - sl::TimePoint{})); });
    loop.call_later(5ms, [&, start] { fired.emplace_back("5ms", loop.time() - (start - sl::TimePoint{})); });
    auto cancelled = loop.call_later(1ms, [&] { fired.emplace_back("cancelled", loop.time()); });
    cancelled.cancel();
    loop.call_later(20ms, [done]() mutable { done.set_result(); });
    co_await done;
  }());
  REQUIRE(fired.size() == 2);
  CHECK(fired[0].first == "5ms");
  CHECK(fired[1].first == "15ms");
  CHECK(fired[0].second >= sl::TimePoint(5ms));
  CHECK(fired[1].second >= sl::TimePoint(15ms));
  CHECK(fired[0].second <= fired[1].second);  // monotonic [S10]
}

TEST_CASE("get_running_loop outside a loop is a clear error; inside it is the loop [S7]", "[real_loop][S7]") {
  CHECK_THROWS_AS(sl::get_running_loop(), std::runtime_error);
  CHECK_THROWS_WITH(sl::get_running_loop(), Catch::Contains("no running event loop"));
  bool inside = false;
  sl::run([&]() -> sl::Coro<void> {
    inside = sl::running_loop() == &sl::get_running_loop();
    co_return;
  }());
  CHECK(inside);
  CHECK(sl::running_loop() == nullptr);
}

TEST_CASE("simloop::run inside a running loop is refused with a clear message [S8]", "[real_loop][S8]") {
  std::string from_real, from_sim;
  sl::run([&]() -> sl::Coro<void> {
    try {
      sl::run([]() -> sl::Coro<void> { co_return; }());
    } catch (const std::runtime_error& e) {
      from_real = e.what();
    }
    co_return;
  }());
  sl::sim::run([&]() -> sl::Coro<void> {
    try {
      sl::run([]() -> sl::Coro<void> { co_return; }());
    } catch (const std::runtime_error& e) {
      from_sim = e.what();
    }
    co_return;
  });
  CHECK_THAT(from_real, Catch::Contains("cannot be called from a running event loop"));
  CHECK_THAT(from_sim, Catch::Contains("cannot be called from a running event loop"));
}

TEST_CASE("call_soon_threadsafe from another thread wakes a sleeping real loop", "[real_loop][S1]") {
  auto wall_start = std::chrono::steady_clock::now();
  int v = sl::run([]() -> sl::Coro<int> {
    auto& loop = sl::get_running_loop();
    sl::Future<int> f;
    std::thread worker([&loop, f] {
      std::this_thread::sleep_for(10ms);
      loop.call_soon_threadsafe([f]() mutable { f.set_result(11); });
    });
    // A far timer keeps the loop's wait long; the thread's call must cut it short.
    auto far = loop.call_later(10s, [] {});
    int r = co_await f;
    far.cancel();
    worker.join();
    co_return r;
  }());
  CHECK(v == 11);
  CHECK(std::chrono::steady_clock::now() - wall_start < 5s);
}

TEST_CASE("simloop::run cancels the tasks main left behind and lets them finish", "[real_loop][S37]") {
  std::vector<std::string> log;
  sl::run([&]() -> sl::Coro<void> {
    sl::create_task([&log]() -> sl::Coro<void> {
      try {
        co_await sl::sleep(1h);
      } catch (const sl::CancelledError&) {
        log.push_back("left-behind task cancelled");
        throw;
      }
    });
    co_await sl::sleep(1ms);
  }());
  CHECK(log == std::vector<std::string>{"left-behind task cancelled"});
}
