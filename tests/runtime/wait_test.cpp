// wait, SEMANTICS.md S50-S56. Every expected log below was produced by running
// the same program on CPython 3.11.7 with tests/conformance/vloop.py's
// VirtualLoop (1 tick = 1 ms here, except the seed walk-through). CPython
// returns sets; simloop lists `done`/`pending` in input order, so the Python
// printed them sorted by input position. The ticker task (a sleep(0) loop)
// pins how many loop iterations each step takes.
#include <catch2/catch.hpp>
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>
#include <simloop/wait.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

namespace {

long now_ms() {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(sl::get_running_loop().time().time_since_epoch()).count());
}

sl::Coro<void> ticker(Log& log, int n) {
  for (int i = 0; i < n; ++i) {
    log.push_back("tick" + std::to_string(i));
    co_await sl::sleep(0s);
  }
}

sl::Coro<int> val(Log& log, std::string name, sl::Duration d, int v) {
  log.push_back("start " + name);
  co_await sl::sleep(d);
  log.push_back("end " + name);
  co_return v;
}

sl::Coro<int> fail(Log& log, std::string name, sl::Duration d) {
  log.push_back("start " + name);
  co_await sl::sleep(d);
  log.push_back("raise " + name);
  throw std::runtime_error(name);
}

// "[a, b]": the names of `part`, each found in `all` (the inputs) by identity.
template <class F>
std::string names(const std::vector<F>& part, const std::vector<F>& all, const std::vector<std::string>& labels) {
  std::string s = "[";
  for (const auto& f : part) {
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i] == f) s += (s.size() > 1 ? ", " : "") + labels[i];
  }
  return s + "]";
}

}  // namespace

// S54 is a compile-time check: a Coro has no base(), so wait() refuses it.
static_assert(!sl::detail::Waitable<sl::Coro<int>>, "wait() must refuse coroutines [S54]");
static_assert(sl::detail::Waitable<sl::Task<int>> && sl::detail::Waitable<sl::Future<void>> &&
              sl::detail::Waitable<sl::AnyTask>);

TEST_CASE("wait(ALL_COMPLETED) never raises the tasks' exceptions [S50][S52]", "[wait][S50][S52]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 6));
    auto a = sl::create_task(val(log, "a", 1ms, 1));
    auto b = sl::create_task(fail(log, "b", 2ms));
    std::vector<sl::Task<int>> ts{a, b};
    auto [done, pending] = co_await sl::wait(ts);
    log.push_back("done " + names(done, ts, {"a", "b"}) + " pending " + names(pending, ts, {"a", "b"}) +
                  " t=" + std::to_string(now_ms()));
    CHECK_THROWS_WITH(std::rethrow_exception(b.exception()), "b");
    co_await t;
  });
  CHECK(log == Log{"tick0", "start a", "start b", "tick1", "tick2", "tick3", "tick4", "tick5", "end a", "raise b",
                   "done [a, b] pending [] t=2"});
  CHECK(r.elapsed == 2ms);
}

TEST_CASE("wait(FIRST_COMPLETED) returns when at least one is done [S52]", "[wait][S52]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 4));
    std::vector<sl::Task<int>> ts{sl::create_task(val(log, "a", 3ms, 1)), sl::create_task(val(log, "b", 2ms, 2)),
                                  sl::create_task(val(log, "c", 2ms, 3))};
    const std::vector<std::string> abc{"a", "b", "c"};
    auto [done, pending] = co_await sl::wait(ts, {.return_when = sl::FIRST_COMPLETED});
    log.push_back("done " + names(done, ts, abc) + " pending " + names(pending, ts, abc) +
                  " t=" + std::to_string(now_ms()));
    auto again = co_await sl::wait(ts, {.return_when = sl::FIRST_COMPLETED});
    log.push_back("again done " + names(again.done, ts, abc) + " pending " + names(again.pending, ts, abc) +
                  " t=" + std::to_string(now_ms()));
    co_await t;
  });
  CHECK(log == Log{"tick0", "start a", "start b", "start c", "tick1", "tick2", "tick3", "end b", "end c",
                   "done [b, c] pending [a] t=2", "again done [b, c] pending [a] t=2"});
}

// A cancelled input does not count as an exception (CPython checks
// `not f.cancelled() and f.exception() is not None`).
TEST_CASE("wait(FIRST_EXCEPTION) returns at the first exception, or when all are done [S52]", "[wait][S52]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 1ms, 1));
    auto b = sl::create_task(fail(log, "b", 2ms));
    auto c = sl::create_task(val(log, "c", 3ms, 3));
    auto x = sl::create_task(val(log, "x", 10ms, 1));
    auto k = sl::create_task([x]() mutable -> sl::Coro<void> {
      co_await sl::sleep(1ms);
      x.cancel();
    });
    std::vector<sl::Task<int>> ts{a, b, c, x};
    const std::vector<std::string> labels{"a", "b", "c", "x"};
    auto [done, pending] = co_await sl::wait(ts, {.return_when = sl::FIRST_EXCEPTION});
    log.push_back("done " + names(done, ts, labels) + " pending " + names(pending, ts, labels) +
                  " t=" + std::to_string(now_ms()));
    std::vector<sl::Task<int>> ac{a, c};
    auto r2 = co_await sl::wait(ac, {.return_when = sl::FIRST_EXCEPTION});
    log.push_back("no exc: done " + names(r2.done, ts, labels) + " pending " + names(r2.pending, ts, labels) +
                  " t=" + std::to_string(now_ms()));
    co_await k;
  });
  CHECK(log == Log{"start a", "start b", "start c", "start x", "end a", "raise b", "done [a, b, x] pending [c] t=2",
                   "end c", "no exc: done [a, c] pending [] t=3"});
  CHECK(r.elapsed == 3ms);
}

TEST_CASE("a timeout returns what is done so far and cancels nothing [S51]", "[wait][S51]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 1ms, 1));
    auto b = sl::create_task(val(log, "b", 5ms, 2));
    std::vector<sl::Task<int>> ts{a, b};
    auto [done, pending] = co_await sl::wait(ts, {.timeout = 2ms});
    log.push_back("done " + names(done, ts, {"a", "b"}) + " pending " + names(pending, ts, {"a", "b"}) +
                  " t=" + std::to_string(now_ms()) + " b.cancelled=" + (b.cancelled() ? "1" : "0"));
    log.push_back("b " + std::to_string(co_await b) + " t=" + std::to_string(now_ms()));
  });
  CHECK(log == Log{"start a", "start b", "end a", "done [a] pending [b] t=2 b.cancelled=0", "end b", "b 2 t=5"});
  CHECK(r.elapsed == 5ms);
}

TEST_CASE("empty input and an invalid return_when throw invalid_argument when awaited [S53]", "[wait][S53]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto empty = sl::wait(std::vector<sl::Task<int>>{});  // nothing happens until awaited, as in CPython
    try {
      co_await empty;
    } catch (const std::invalid_argument& e) {
      log.push_back(e.what());
    }
    auto a = sl::create_task(val(log, "a", 0s, 1));
    std::vector<sl::Task<int>> ts{a};
    try {
      co_await sl::wait(ts, {.return_when = static_cast<sl::ReturnWhen>(7)});
    } catch (const std::invalid_argument& e) {
      log.push_back(std::string(e.what()).substr(0, 28));
    }
    co_await a;
  });
  CHECK(log == Log{"Set of Tasks/Futures is empty.", "Invalid return_when value: 7", "start a", "end a"});
}

// Python (case_timeout0): `done ['a'] pending ['b']` two ticks after the call.
TEST_CASE("timeout 0 returns with whatever is already done [S55]", "[wait][S55]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 0s, 1));
    auto b = sl::create_task(val(log, "b", 5ms, 2));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    auto t = sl::create_task(ticker(log, 6));
    std::vector<sl::Task<int>> ts{a, b};
    co_await sl::sleep(0s);
    log.push_back("wait");
    auto [done, pending] = co_await sl::wait(ts, {.timeout = 0s});
    log.push_back("done " + names(done, ts, {"a", "b"}) + " pending " + names(pending, ts, {"a", "b"}) +
                  " t=" + std::to_string(now_ms()));
    co_await t;
    b.cancel();
  });
  CHECK(log == Log{"start a", "start b", "end a", "tick0", "wait", "tick1", "tick2", "done [a] pending [b] t=0",
                   "tick3", "tick4", "tick5"});
}

// Python (case_done_already): wait([a, a]) -> one done, after two ticks.
TEST_CASE("an input given twice counts once; done inputs take CPython's iterations [S50]", "[wait][S50]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 0s, 1));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    auto t = sl::create_task(ticker(log, 5));
    std::vector<sl::Task<int>> ts{a, a};
    co_await sl::sleep(0s);
    log.push_back("wait");
    auto [done, pending] = co_await sl::wait(ts);
    log.push_back("done " + std::to_string(done.size()) + " " + std::to_string(pending.size()));
    co_await t;
  });
  CHECK(log == Log{"start a", "end a", "tick0", "wait", "tick1", "tick2", "done 1 0", "tick3", "tick4"});
}

// The seed walk-through. Python (case_seed, 1 tick = 1 ms): done [0..4] at
// 500; the task due exactly at the timeout is pending because the timeout was
// registered first [S5]. CPython cancels the pending ones in set order
// (5, 7, 8, 6, 9 in that run); simloop's pending list is in input order.
TEST_CASE("seed walk-through: ten tasks sleeping i*0.1s, wait with timeout 0.5s [S56]", "[wait][S56][S51]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    std::vector<sl::Task<int>> ts;
    for (int i = 0; i < 10; ++i) {
      ts.push_back(sl::create_task([&log, i]() -> sl::Coro<int> {
        try {
          co_await sl::sleep(i * 100ms);
        } catch (const sl::CancelledError&) {
          log.push_back("cancelled " + std::to_string(i));
          throw;
        }
        co_return i;
      }));
    }
    auto [done, pending] = co_await sl::wait(ts, {.timeout = 500ms});
    std::string d = "done";
    for (auto& t : done) d += " " + std::to_string(t.result());
    log.push_back(d + " t=" + std::to_string(now_ms()));
    for (auto& t : pending) t.cancel();
    co_await sl::wait(pending);
  });
  CHECK(log == Log{"done 0 1 2 3 4 t=500", "cancelled 5", "cancelled 6", "cancelled 7", "cancelled 8", "cancelled 9"});
  CHECK(r.elapsed == 500ms);
}

// Python (case_cancel_waiter): the awaiting task is cancelled; the input is not.
TEST_CASE("cancelling the task awaiting wait() leaves the inputs running [S51]", "[wait][S51]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 5ms, 1));
    auto w = sl::create_task([a]() -> sl::Coro<void> {
      std::vector<sl::Task<int>> ts{a};
      co_await sl::wait(ts);
    });
    co_await sl::sleep(1ms);
    w.cancel();
    try {
      co_await w;
    } catch (const sl::CancelledError&) {
      log.push_back(std::string("wt cancelled; a.cancelled=") + (a.cancelled() ? "1" : "0"));
    }
    // wait's done callback was removed from the input when its waiter was cancelled.
    CHECK(a.base()->done_callback_count() == 0);
    log.push_back("a=" + std::to_string(co_await a) + " t=" + std::to_string(now_ms()));
  });
  CHECK(log == Log{"start a", "wt cancelled; a.cancelled=0", "end a", "a=1 t=5"});
  CHECK(r.elapsed == 5ms);
}

TEST_CASE("wait accepts plain futures and tasks of mixed types as AnyTask [S50]", "[wait][S50]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Future<void> f;
    sl::get_running_loop().call_later(1ms, [f]() mutable { f.set_exception(std::runtime_error("f")); });
    std::vector<sl::Future<void>> fs{f};
    auto [done, pending] = co_await sl::wait(fs);
    REQUIRE(done.size() == 1);
    CHECK(done[0].exception() != nullptr);
    Log log;
    auto i = sl::create_task(val(log, "i", 1ms, 1));
    auto s = sl::create_task([]() -> sl::Coro<std::string> {
      co_await sl::sleep(2ms);
      co_return "s";
    });
    std::vector<sl::AnyTask> mixed{i, s};
    auto r = co_await sl::wait(mixed, {.return_when = sl::FIRST_COMPLETED});
    REQUIRE(r.done.size() == 1);
    CHECK(r.done[0] == sl::AnyTask(i));
    CHECK(r.pending[0] == sl::AnyTask(s));
    co_await s;
  });
}

// ---------------------------------------------------------------------------
// Frame lifetimes (run under ASan): the waiting frame ends exactly once on the
// timeout path, on cancellation, and at loop teardown with wait still pending.
namespace {
struct Counted {
  static inline int alive = 0;
  static inline int made = 0;
  Counted() {
    ++alive;
    ++made;
  }
  Counted(const Counted&) = delete;
  ~Counted() { --alive; }
};
sl::Coro<int> counted_sleep(sl::Duration d, int v) {
  Counted c;
  co_await sl::sleep(d);
  co_return v;
}
}  // namespace

TEST_CASE("every frame is destroyed exactly once on wait's timeout and cancellation paths", "[wait][S51]") {
  Counted::alive = Counted::made = 0;
  sl::sim::run([]() -> sl::Coro<void> {
    std::vector<sl::Task<int>> ts{sl::create_task(counted_sleep(1ms, 1)), sl::create_task(counted_sleep(1h, 2))};
    co_await sl::wait(ts, {.timeout = 2ms});
    auto w = sl::create_task([ts]() -> sl::Coro<void> {
      Counted c;
      co_await sl::wait(ts, {.timeout = 1h});
    });
    co_await sl::sleep(1ms);
    w.cancel();
    try {
      co_await w;
    } catch (const sl::CancelledError&) {
    }
    // A waiter left pending when main returns: run() cancels it.
    auto left = sl::create_task([ts]() -> sl::Coro<void> {
      Counted c;
      co_await sl::wait(ts);
    });
    co_await sl::sleep(0s);
  });
  CHECK(Counted::made == 4);
  CHECK(Counted::alive == 0);
}

// The duplicate check marks each future with a scratch bit (DistinctFutures).
// No mark may outlive the check: not after it throws, and not while the wait
// it started is waiting (another task may check the same future meanwhile).
namespace {
sl::Coro<std::size_t> done_count_of_twice(sl::Task<int> a) {
  std::vector<sl::Task<int>> twice{a, a};  // named: GCC 12 rejects a braced temporary in co_await
  auto w = co_await sl::wait(std::move(twice));
  co_return w.done.size();
}
}  // namespace

TEST_CASE("wait's duplicate check leaves no mark behind: after a throw, and while it waits [S50]", "[wait][S50]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    auto a = sl::create_task([]() -> sl::Coro<int> {
      co_await sl::sleep(10ms);
      co_return 1;
    });
    auto b = sl::create_task([]() -> sl::Coro<int> {
      co_await sl::sleep(20ms);
      co_return 2;
    });
    bool threw = false;
    std::vector<sl::Task<int>> bad{a, sl::Task<int>{}};  // a is marked, then the empty handle throws
    try {
      co_await sl::wait(std::move(bad));
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    // Starts while the wait below is waiting on {a, b}; it must still see a.
    auto other = sl::create_task(done_count_of_twice(a));
    std::vector<sl::Task<int>> both{a, b};
    auto w = co_await sl::wait(std::move(both));
    const std::size_t other_done = co_await other;
    co_return (threw ? 100 : 0) + static_cast<int>(w.done.size()) * 10 + static_cast<int>(other_done);
  });
  CHECK(r.value == 121);  // threw; a and b done; the other wait saw a, once
}
