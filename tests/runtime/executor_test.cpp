// Executors (executor.hpp), SEMANTICS S24, S79, S80: run_in_executor and
// to_thread under the simulator (no threads, virtual durations) and on the
// real loop (a real thread pool).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
std::string blocking_io() {
  sl::blocking_sleep(2s);  // time.sleep(2): virtual under the simulator
  return "done";
}
sl::Duration now() { return sl::get_running_loop().time().time_since_epoch(); }
}  // namespace

TEST_CASE("run_in_executor(nullptr, fn): the default pool; a 2 s blocking call ends at virtual 2 s [S79]",
          "[executor][S79]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::string> {
    std::string a = co_await sl::run_in_executor(nullptr, blocking_io);
    CHECK(now() == 2s);
    std::string b = co_await sl::run_in_executor(nullptr, sl::simulated_duration(3s, [] { return std::string("x"); }));
    co_return a + b;
  });
  CHECK(r.value == "donex");
  CHECK(r.elapsed == 5s);
}

TEST_CASE("executor future: pending -> running -> done; cancel() fails once running [S24][S80]",
          "[executor][S24][S80]") {
  sl::sim::run([]() -> sl::Coro<void> {
    int runs = 0;
    auto f = sl::run_in_executor(nullptr, sl::simulated_duration(1s, [&runs] { return ++runs; }));
    CHECK(f.state() == sl::FutureState::pending);
    co_await sl::sleep(0s);  // the worker picks the job up in a call_soon'ed step
    CHECK(f.state() == sl::FutureState::running);
    CHECK(runs == 1);
    CHECK_FALSE(f.cancel());
    CHECK(f.state() == sl::FutureState::running);
    int v = co_await f;
    CHECK(v == 1);
    CHECK(f.state() == sl::FutureState::done);
    CHECK(now() == 1s);
  });
}

TEST_CASE("executor: a job still queued can be cancelled and never runs [S24]", "[executor][S24]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    sl::ThreadPoolExecutor pool(1);
    std::vector<int> ran;
    auto f1 = sl::run_in_executor(pool, sl::simulated_duration(1s, [&] { ran.push_back(1); }));
    auto f2 = sl::run_in_executor(pool, sl::simulated_duration(1s, [&] { ran.push_back(2); }));
    auto f3 = sl::run_in_executor(pool, sl::simulated_duration(1s, [&] { ran.push_back(3); }));
    co_await sl::sleep(0s);
    CHECK(f1.state() == sl::FutureState::running);
    CHECK(f2.state() == sl::FutureState::pending);  // the only worker is busy
    CHECK(f2.cancel());
    CHECK(f2.cancelled());
    co_await f1;
    co_await f3;
    CHECK(ran == std::vector<int>{1, 3});
    CHECK(pool.thread_count() == 0);  // the simulator never starts a thread
  });
  CHECK(r.elapsed == 2s);
}

TEST_CASE("executor: cancelling the awaiting task does not stop fn; the task sees CancelledError [S80]",
          "[executor][S80]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    bool finished = false;
    auto f = sl::run_in_executor(nullptr, sl::simulated_duration(5s, [&] { finished = true; }));
    auto t = sl::create_task([&]() -> sl::Coro<void> { co_await f; });
    co_await sl::sleep(1s);
    CHECK(t.cancel());
    bool cancelled = false;
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
      cancelled = true;
    }
    CHECK(cancelled);
    CHECK(finished);
    CHECK(f.state() == sl::FutureState::done);  // the job itself completed
    // simloop keeps one future: the awaiter is released when fn is done (5 s),
    // where asyncio's wrapper future would release it at once (1 s).
    CHECK(now() == 5s);
  });
  CHECK(r.elapsed == 5s);
}

TEST_CASE("executor: max_workers bounds concurrency in virtual time too", "[executor]") {
  auto timed = [](std::size_t workers) {
    return sl::sim::run([workers]() -> sl::Coro<void> {
             sl::ThreadPoolExecutor pool(workers);
             std::vector<sl::Future<int>> fs;
             for (int i = 0; i < 4; ++i) fs.push_back(sl::run_in_executor(pool, sl::simulated_duration(1s, [i] { return i; })));
             int sum = 0;
             for (auto& f : fs) sum += co_await f;
             CHECK(sum == 6);
           })
        .elapsed;
  };
  CHECK(timed(1) == 4s);
  CHECK(timed(2) == 2s);
  CHECK(timed(4) == 1s);
}

TEST_CASE("executor: exceptions from fn reach the awaiter; to_thread uses the default pool", "[executor]") {
  sl::sim::run([]() -> sl::Coro<void> {
    std::string what;
    try {
      co_await sl::to_thread([](int x) -> int { throw std::runtime_error("bad " + std::to_string(x)); }, 7);
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "bad 7");
    int v = co_await sl::to_thread([](int a, int b) { return a * b; }, 6, 7);
    CHECK(v == 42);
    // Arguments are moved into fn: move-only ones work.
    int w = co_await sl::to_thread([](std::unique_ptr<int> p) { return *p; }, std::make_unique<int>(5));
    CHECK(w == 5);
  });
}

namespace {
// A simulated loop whose decision source always answers the last option, and
// records what it was asked.
class LastChoiceLoop : public sl::sim::SimLoop {
 public:
  std::vector<std::pair<std::size_t, sl::ChoicePoint>> asked;

 protected:
  std::size_t choose(std::size_t n, sl::ChoicePoint why, std::span<const std::uint64_t>) override {
    asked.emplace_back(n, why);
    return why == sl::ChoicePoint::executor_latency ? n - 1 : 0;
  }
};

sl::Coro<sl::Duration> undeclared_job() {
  sl::ThreadPoolExecutor pool(2, sl::SimulatedLatency{.max = 5ms, .choices = 6});
  co_await sl::run_in_executor(pool, [] { return 1; });
  co_return now();
}
}  // namespace

TEST_CASE("executor: undeclared work gets a latency drawn through the decision source, within the bound",
          "[executor][sim]") {
  LastChoiceLoop loop;
  auto t = sl::create_task(loop, undeclared_job());
  sl::Duration took = loop.run_until_complete(sl::Future<sl::Duration>(t));
  CHECK(took == 5ms);  // choice 5 of 0..5: the bound
  CHECK(std::count(loop.asked.begin(), loop.asked.end(),
                   std::pair<std::size_t, sl::ChoicePoint>{6, sl::ChoicePoint::executor_latency}) == 1);

  // Under plain sim::run (fifo: choice 0) the same job takes no virtual time.
  auto r = sl::sim::run([]() -> sl::Coro<void> { co_await sl::run_in_executor(nullptr, [] { return 1; }); });
  CHECK(r.elapsed == 0s);
}

TEST_CASE("executor on the real loop: a worker thread, running state, result handed back [S79][S80]",
          "[executor][real][S79][S80]") {
  std::atomic<bool> go{false};
  auto loop_thread = std::this_thread::get_id();
  std::thread::id worker_thread;
  int v = sl::run([&]() -> sl::Coro<int> {
    auto f = sl::run_in_executor(nullptr, [&] {
      worker_thread = std::this_thread::get_id();
      for (int i = 0; i < 5000 && !go.load(); ++i) std::this_thread::sleep_for(1ms);  // bounded wait
      return 42;
    });
    for (int i = 0; i < 5000 && f.state() == sl::FutureState::pending; ++i) co_await sl::sleep(1ms);
    CHECK(f.state() == sl::FutureState::running);
    CHECK_FALSE(f.cancel());  // [S80] a running job cannot be cancelled
    go = true;
    co_return co_await f;
  }());
  CHECK(v == 42);
  CHECK(worker_thread != loop_thread);
}

TEST_CASE("executor on the real loop: a custom pool, exceptions, default pool size", "[executor][real]") {
  CHECK(sl::ThreadPoolExecutor::default_max_workers() ==
        std::min<std::size_t>(32, std::max(1u, std::thread::hardware_concurrency()) + 4));
  std::size_t threads = 0;
  int sum = sl::run([&]() -> sl::Coro<int> {
    sl::ThreadPoolExecutor pool(2);
    std::vector<sl::Future<int>> fs;
    for (int i = 1; i <= 6; ++i) fs.push_back(sl::run_in_executor(pool, [](int x) { return x * x; }, i));
    int s = 0;
    for (auto& f : fs) s += co_await f;
    threads = pool.thread_count();
    std::string what;
    try {
      co_await sl::run_in_executor(pool, []() -> int { throw std::runtime_error("worker failed"); });
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "worker failed");
    co_return s;
  }());
  CHECK(sum == 91);
  CHECK(threads >= 1);
  CHECK(threads <= 2);
}
