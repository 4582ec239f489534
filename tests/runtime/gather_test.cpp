// gather, SEMANTICS.md S42-S49. Every expected log below was produced by
// running the same program on CPython 3.11.7 with tests/conformance/vloop.py's
// VirtualLoop (1 tick = 1 ms here); the Python is quoted where it helps. The
// ticker task (a sleep(0) loop) pins how many loop iterations each step takes.
#include <catch2/catch.hpp>
#include <simloop/gather.hpp>
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
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

template <class T>
sl::Coro<T> val(Log& log, std::string name, sl::Duration d, T v) {
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

sl::Coro<int> three() { co_return 3; }

std::string cancel_message(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const sl::CancelledError& c) {
    return c.message();
  } catch (...) {
    return "<not a CancelledError>";
  }
}

}  // namespace

TEST_CASE("gather returns results in argument order, whatever the completion order [S42]", "[gather][S42]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::string> {
    Log log;
    auto slow = sl::create_task(val(log, "slow", 3s, std::string("a")));
    auto fast = sl::create_task(val(log, "fast", 1s, 2));
    auto [a, b, c] = co_await sl::gather(slow, fast, val(log, "mid", 2s, 3.5));
    CHECK(log == Log{"start slow", "start fast", "start mid", "end fast", "end mid", "end slow"});
    co_return a + std::to_string(b) + std::to_string(c).substr(0, 3);
  });
  CHECK(r.value == "a23.5");
  CHECK(r.elapsed == 3s);
}

TEST_CASE("gather over coroutines: the seed's [hello-1, world-2] [S42]", "[gather][S42][S44]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::vector<std::string>> {
    auto say = [](sl::Duration d, std::string w) -> sl::Coro<std::string> {
      co_await sl::sleep(d);
      co_return w;
    };
    std::vector<sl::Coro<std::string>> cs;
    cs.push_back(say(1s, "hello-1"));
    cs.push_back(say(2s, "world-2"));
    co_return co_await sl::gather(std::move(cs));
  });
  CHECK(r.value == std::vector<std::string>{"hello-1", "world-2"});
  CHECK(r.elapsed == 2s);
}

// Python: print(await asyncio.gather()) -> [] before the ticker's first tick:
// awaiting a done future does not suspend.
TEST_CASE("gather() with no arguments is a done future with an empty result [S43]", "[gather][S43]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 3));
    auto g = sl::gather();
    CHECK(g.done());
    CHECK_FALSE(g.cancel());
    std::tuple<> r = co_await g;
    (void)r;
    std::vector<int> v = co_await sl::gather(std::vector<sl::Task<int>>{});
    log.push_back("r " + std::to_string(v.size()));
    auto ge = sl::gather(sl::return_exceptions);
    CHECK(ge.done());
    co_await t;
  });
  CHECK(log == Log{"r 0", "tick0", "tick1", "tick2"});
}

// Python (case_coros): gather(val("x",0,1), val("y",0,2)) with a ticker.
TEST_CASE("gather wraps coroutines in tasks in argument order; iterations as CPython [S44]", "[gather][S44]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 8));
    log.push_back("gather");
    auto [x, y] = co_await sl::gather(val(log, "x", 0s, 1), val(log, "y", 0s, 2));
    log.push_back("result " + std::to_string(x) + "," + std::to_string(y));
    co_await t;
  });
  CHECK(log == Log{"gather", "tick0", "start x", "start y", "tick1", "end x", "end y", "tick2", "tick3", "result 1,2",
                   "tick4", "tick5", "tick6", "tick7"});
}

// Python (case_done_children): gather(a, b, a) over tasks already done gives
// [1, 2, 1] after two ticks (the done callbacks are call_soon'ed).
TEST_CASE("the same task passed twice yields its result twice; done children take CPython's iterations [S44]",
          "[gather][S44]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 0s, 1));
    auto b = sl::create_task(val(log, "b", 0s, 2));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    auto t = sl::create_task(ticker(log, 6));
    co_await sl::sleep(0s);
    log.push_back("gather");
    auto [ra, rb, ra2] = co_await sl::gather(a, b, a);
    log.push_back("result " + std::to_string(ra) + "," + std::to_string(rb) + "," + std::to_string(ra2));
    co_await t;
  });
  CHECK(log == Log{"start a", "start b", "end a", "end b", "tick0", "gather", "tick1", "tick2", "result 1,2,1", "tick3",
                   "tick4", "tick5"});
}

TEST_CASE("a task passed twice in the range form is one child with two slots [S44]", "[gather][S44]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::vector<int>> {
    Log log;
    auto a = sl::create_task(val(log, "a", 1s, 7));
    auto b = sl::create_task(val(log, "b", 2s, 8));
    // (Named: GCC 12 cannot keep an initializer_list's array across co_await.)
    std::vector<sl::Task<int>> ts{a, b, a};
    co_return co_await sl::gather(ts);
  });
  CHECK(r.value == std::vector<int>{7, 8, 7});
  CHECK(r.elapsed == 2s);
}

TEST_CASE("the range form forgets what it saw once it returns or throws: the same tasks gather again [S44]",
          "[gather][S44]") {
  // Duplicates are found with a bit on each future (gather.hpp), which must
  // be cleared on every path: a future still marked would count as a
  // duplicate in the next gather, get no done callback, and hang it.
  sl::sim::SimLoop other;
  sl::Future<int> foreign(other);
  auto r = sl::sim::run([&]() -> sl::Coro<std::vector<int>> {
    Log log;
    auto a = sl::create_task(val(log, "a", 1s, 7));
    auto b = sl::create_task(val(log, "b", 2s, 8));
    std::vector<sl::Future<int>> with_foreign{a, b, a, foreign};
    CHECK_THROWS_AS(sl::gather(with_foreign), std::invalid_argument);  // a and b were marked first
    std::vector<sl::Task<int>> ts{a, b, a};
    auto first = co_await sl::gather(ts);
    CHECK(first == std::vector<int>{7, 8, 7});
    std::vector<sl::Task<int>> again{b, a};
    co_return co_await sl::gather(again);
  });
  CHECK(r.value == std::vector<int>{8, 7});
  CHECK(r.elapsed == 2s);
  foreign.cancel();
}

// Python (case_fail): the ValueError reaches the awaiter two ticks after the
// child raised; the sibling is neither cancelled nor done, and ends at 5.
TEST_CASE("the first exception propagates at once and siblings keep running [S45]", "[gather][S45]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 6));
    auto s = sl::create_task(val(log, "sib", 5ms, std::string("s")));
    try {
      co_await sl::gather(fail(log, "f", 0s), s);
      FAIL("gather did not raise");
    } catch (const std::runtime_error& e) {
      log.push_back(std::string("caught ") + e.what() + " sib_cancelled=" + (s.cancelled() ? "1" : "0") +
                    " sib_done=" + (s.done() ? "1" : "0"));
    }
    log.push_back("sib " + co_await s);
    co_await t;
  });
  CHECK(log == Log{"tick0", "start sib", "start f", "tick1", "raise f", "tick2", "tick3",
                   "caught f sib_cancelled=0 sib_done=0", "tick4", "tick5", "end sib", "sib s"});
  CHECK(r.elapsed == 5ms);
}

// Python (case_re): [ValueError('a'), 'B'] at t=2, after waiting for both.
TEST_CASE("return_exceptions returns exceptions in their slots and waits for all [S46]", "[gather][S46]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(fail(log, "a", 1ms));
    auto b = sl::create_task(val(log, "b", 2ms, std::string("B")));
    auto [oa, ob] = co_await sl::gather(sl::return_exceptions, a, b);
    static_assert(std::is_same_v<decltype(oa), sl::Outcome<int>>);
    CHECK_FALSE(oa.has_value());
    CHECK_FALSE(oa.cancelled());
    CHECK_THROWS_WITH(oa.value(), "a");
    REQUIRE(ob.has_value());
    CHECK(ob.value() == "B");
    CHECK(ob.exception() == nullptr);
    CHECK(now_ms() == 2);
    // The range form, with a void child.
    auto v = sl::create_task([]() -> sl::Coro<void> {
      co_await sl::sleep(1ms);
      throw std::logic_error("v");
    });
    auto w = sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(2ms); });
    std::vector<sl::Task<void>> vw{v, w};
    std::vector<sl::Outcome<void>> ov = co_await sl::gather(sl::return_exceptions, vw);
    REQUIRE(ov.size() == 2);
    CHECK_THROWS_AS(ov[0].value(), std::logic_error);
    CHECK(ov[1].has_value());
  });
  CHECK(log == Log{"start a", "start b", "raise a", "end b"});
  CHECK(r.elapsed == 4ms);
}

TEST_CASE("void children give std::monostate slots", "[gather][S42]") {
  auto r = sl::sim::run([]() -> sl::Coro<std::size_t> {
    auto v = sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(1s); });
    auto [m, i] = co_await sl::gather(v, three());
    static_assert(std::is_same_v<decltype(m), std::monostate>);
    CHECK(i == 3);
    std::vector<sl::Task<void>> vv{v, v};
    std::vector<std::monostate> ms = co_await sl::gather(vv);
    co_return ms.size();
  });
  CHECK(r.value == 2);
}

// Python (case_cancel): cancel -> True; CancelledError('stop') three ticks
// later; the child is cancelled; the gather is done but not cancelled().
TEST_CASE("cancelling the gather cancels its children; the awaiter gets CancelledError [S47][S49]",
          "[gather][S47][S49]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 6));
    auto a = sl::create_task(val(log, "a", 10ms, 1));
    auto g = sl::gather(a, val(log, "b", 10ms, 2));
    co_await sl::sleep(0s);
    log.push_back(std::string("cancel ") + (g.cancel("stop") ? "True" : "False"));
    try {
      co_await g;
      FAIL("no CancelledError");
    } catch (const sl::CancelledError& e) {
      log.push_back("CE " + e.message() + " a=" + (a.cancelled() ? "1" : "0") +
                    " g.cancelled=" + (g.cancelled() ? "1" : "0") + " g.done=" + (g.done() ? "1" : "0"));
    }
    co_await t;
  });
  CHECK(log == Log{"tick0", "start a", "start b", "cancel True", "tick1", "tick2", "tick3",
                   "CE stop a=1 g.cancelled=0 g.done=1", "tick4", "tick5"});
}

// Python (case_re_cancel): with return_exceptions a cancelled gather still
// raises CancelledError; its message is the *last* child's (CPython reuses
// the loop variable `fut`): none when that child was not cancelled.
TEST_CASE("a cancelled gather raises CancelledError also with return_exceptions [S47]", "[gather][S47][S49]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    for (int round = 0; round < 2; ++round) {
      auto a = sl::create_task(val(log, "a", 10ms, 1));
      auto b = sl::create_task(val(log, "b", 0ms, 2));
      co_await sl::sleep(0s);
      co_await sl::sleep(0s);
      auto g = round == 0 ? sl::gather(sl::return_exceptions, std::vector<sl::Task<int>>{a, b})
                          : sl::gather(sl::return_exceptions, std::vector<sl::Task<int>>{b, a, a});
      bool ok = g.cancel(round == 0 ? "zz" : "yy");
      log.push_back(std::string("cancel ") + (ok ? "True" : "False") + " cancelling=" + std::to_string(a.cancelling()));
      try {
        co_await g;
        log.push_back("no CE");
      } catch (const sl::CancelledError& e) {
        log.push_back("CE (" + e.message() + ")");
      }
    }
  });
  CHECK(log == Log{"start a", "start b", "end b", "cancel True cancelling=1", "CE ()", "start a", "start b", "end b",
                   "cancel True cancelling=2", "CE (yy)"});
}

// Python (case_child_cancel): CancelledError('outside') at t=1; b runs on.
TEST_CASE("a child cancelled from outside: the gather raises CancelledError at once [S48]", "[gather][S48]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task(ticker(log, 8));
    auto a = sl::create_task(val(log, "a", 10ms, 1));
    auto b = sl::create_task(val(log, "b", 2ms, std::string("B")));
    auto c = sl::create_task([&log, a]() mutable -> sl::Coro<void> {
      co_await sl::sleep(1ms);
      log.push_back("cancel a");
      a.cancel("outside");
    });
    try {
      co_await sl::gather(a, b);
      FAIL("no CancelledError");
    } catch (const sl::CancelledError& e) {
      log.push_back("CE " + e.message() + " t=" + std::to_string(now_ms()) + " b.done=" + (b.done() ? "1" : "0"));
    }
    log.push_back("b " + co_await b + " t=" + std::to_string(now_ms()));
    co_await c;
    co_await t;
  });
  CHECK(log == Log{"tick0", "start a", "start b", "tick1", "tick2", "tick3", "tick4", "tick5", "tick6", "tick7",
                   "cancel a", "CE outside t=1 b.done=0", "end b", "b B t=2"});
  CHECK(r.elapsed == 2ms);
}

// Python (case_child_cancel_re): [CancelledError(''), 'B'] at t=2.
TEST_CASE("a child cancelled from outside with return_exceptions: a CancelledError in its slot [S48]",
          "[gather][S48][S46]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    Log log;
    auto a = sl::create_task(val(log, "a", 10ms, 1));
    auto b = sl::create_task(val(log, "b", 2ms, std::string("B")));
    auto c = sl::create_task([a]() mutable -> sl::Coro<void> {
      co_await sl::sleep(1ms);
      a.cancel("outside");
    });
    auto [oa, ob] = co_await sl::gather(sl::return_exceptions, a, b);
    CHECK(oa.cancelled());
    CHECK(cancel_message(oa.exception()).empty());  // CancelledError(''): a task's own cancel message is not kept
    CHECK_THROWS_AS(oa.value(), sl::CancelledError);
    CHECK(ob.value() == "B");
    CHECK(now_ms() == 2);
    co_await c;
    // A plain future cancelled with a message keeps it in its slot.
    sl::Future<int> f;
    auto g = sl::gather(sl::return_exceptions, f);
    f.cancel("fm");
    auto [of] = co_await g;
    CHECK(cancel_message(of.exception()) == "fm");
  });
  CHECK(r.elapsed == 2ms);
}

// Python (case_cancel_false).
TEST_CASE("gather.cancel() returns whether any child was cancelled [S49]", "[gather][S49]") {
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 0s, 1));
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
    auto g = sl::gather(a);
    // Every child done, the gather not yet: nothing to cancel.
    log.push_back(std::string("cancel all-done-children ") + (g.cancel() ? "True" : "False") +
                  " g.done=" + (g.done() ? "1" : "0"));
    auto [r1] = co_await g;
    log.push_back("r " + std::to_string(r1));
    log.push_back(std::string("cancel done gather ") + (g.cancel() ? "True" : "False"));
    // A child that swallows the cancellation: the gather still raises
    // CancelledError (bpo-32684), with no message (the last child was not cancelled).
    auto s = sl::create_task([&log]() -> sl::Coro<std::string> {
      try {
        co_await sl::sleep(5s);
      } catch (const sl::CancelledError&) {
        log.push_back("swallowed");
      }
      co_return "S";
    });
    co_await sl::sleep(0s);
    auto g2 = sl::gather(s);
    log.push_back(std::string("cancel ") + (g2.cancel("x") ? "True" : "False"));
    try {
      auto [r2] = co_await g2;
      log.push_back("r2 " + r2);
    } catch (const sl::CancelledError& e) {
      log.push_back("CE2 (" + e.message() + ") s=" + s.result());
    }
  });
  CHECK(log == Log{"start a", "end a", "cancel all-done-children False g.done=0", "r 1", "cancel done gather False",
                   "cancel True", "swallowed", "CE2 () s=S"});
}

// Python (case_cancel_awaiter, case_nested).
TEST_CASE("cancelling the task awaiting a gather cancels the children, through nested gathers [S47]",
          "[gather][S47]") {
  Log log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto a = sl::create_task(val(log, "a", 10s, 1));
    auto w = sl::create_task([&log, a]() -> sl::Coro<void> {
      try {
        co_await sl::gather(a);
      } catch (const sl::CancelledError& e) {
        log.push_back("waiter CE " + e.message());
        throw;
      }
    });
    co_await sl::sleep(1s);
    w.cancel("m");
    try {
      co_await w;
    } catch (const sl::CancelledError&) {
      log.push_back(std::string("w cancelled ") + (w.cancelled() ? "1" : "0") + " a " + (a.cancelled() ? "1" : "0"));
    }
    auto c = sl::create_task(val(log, "c", 10s, 1));
    auto d = sl::create_task(val(log, "d", 10s, 2));
    auto inner = sl::gather(c);
    auto outer = sl::gather(inner, d);
    co_await sl::sleep(1s);
    CHECK(outer.cancel());
    try {
      co_await outer;
    } catch (const sl::CancelledError&) {
      log.push_back(std::string("CE c=") + (c.cancelled() ? "1" : "0") + " d=" + (d.cancelled() ? "1" : "0") +
                    " inner.done=" + (inner.done() ? "1" : "0"));
    }
  });
  CHECK(log == Log{"start a", "waiter CE m", "w cancelled 1 a 1", "start c", "start d", "CE c=1 d=1 inner.done=1"});
  CHECK(r.elapsed == 2s);
}

TEST_CASE("gather accepts Future<T> children and refuses futures of another loop", "[gather]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Future<int> f;
    sl::get_running_loop().call_soon([f]() mutable { f.set_result(5); });
    auto [v] = co_await sl::gather(f);
    CHECK(v == 5);
    co_return;
  });
  // A future of another (closed) loop.
  std::unique_ptr<sl::sim::SimLoop> other = std::make_unique<sl::sim::SimLoop>();
  sl::Future<int> foreign(*other);
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Future<int> mine;
    CHECK_THROWS_AS(sl::gather(mine, foreign), std::invalid_argument);
    mine.cancel();
    co_return;
  });
  foreign.cancel();
}

TEST_CASE("move-only results are moved out of the children", "[gather][S42]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    auto mk = [](int v) -> sl::Coro<std::unique_ptr<int>> { co_return std::make_unique<int>(v); };
    auto [p, q] = co_await sl::gather(mk(1), mk(2));
    co_return *p + *q;
  });
  CHECK(r.value == 3);
}

// ---------------------------------------------------------------------------
// Frame lifetimes on every cancellation path (run under ASan: a frame
// destroyed twice or leaked fails there; here each counted object that is
// constructed must be destroyed exactly once).

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
sl::Coro<int> counted_fail(sl::Duration d) {
  Counted c;
  co_await sl::sleep(d);
  throw std::runtime_error("boom");
}
}  // namespace

TEST_CASE("every frame is destroyed exactly once on gather's cancellation paths", "[gather][S45][S47][S48]") {
  Counted::alive = Counted::made = 0;
  sl::sim::run([]() -> sl::Coro<void> {
    // S47: cancel the gather.
    auto g = sl::gather(counted_sleep(1s, 1), counted_sleep(2s, 2));
    co_await sl::sleep(0s);
    g.cancel();
    try {
      co_await g;
    } catch (const sl::CancelledError&) {
    }
    // S45: a failure; the sibling keeps running until the end of main,
    // where run() cancels it.
    try {
      co_await sl::gather(counted_fail(1ms), counted_sleep(1h, 3));
    } catch (const std::runtime_error&) {
    }
    // The awaiter cancelled while the gather waits.
    auto w = sl::create_task([]() -> sl::Coro<void> {
      co_await sl::gather(sl::return_exceptions, counted_sleep(1s, 4), counted_sleep(1s, 5));
    });
    co_await sl::sleep(1ms);
    w.cancel();
    try {
      co_await w;
    } catch (const sl::CancelledError&) {
    }
    // A gather nobody awaits, left pending at the end of main.
    auto orphan = sl::gather(counted_sleep(1h, 6));
    (void)orphan;
  });
  CHECK(Counted::made == 7);
  CHECK(Counted::alive == 0);
}
