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

// ---------------------------------------------------------------------------
// The rest of S25-S41, reports [S36, S37], and frame lifetimes.

namespace {
// Counts constructions and destructions of frame-local objects: every
// construction matched by exactly one destruction means every coroutine frame
// holding one was destroyed exactly once (ASan catches a second destruction).
struct Counts {
  int made = 0;
  int gone = 0;
  int live() const { return made - gone; }
};
struct Token {
  Counts* c;
  explicit Token(Counts& x) : c(&x) { ++c->made; }
  Token(const Token& o) : c(o.c) { ++c->made; }
  Token& operator=(const Token&) = delete;
  ~Token() { ++c->gone; }
};

// What a loop reported (asyncio's exception handler messages).
struct Reports {
  std::vector<std::string> messages;
  int count(const std::string& what) const {
    int n = 0;
    for (auto& m : messages) n += m.find(what) != std::string::npos;
    return n;
  }
};
// Captures through Loop::report (virtual): the SimLoop keeps its own
// observer (its trace) untouched.
struct CapturingLoop : sl::sim::SimLoop {
  Reports* sink;
  explicit CapturingLoop(Reports& r) : sink(&r) {}
  ~CapturingLoop() override { close(); }  // teardown reports still reach our report()
  void report(const std::string& m) override { sink->messages.push_back(m); }
};
// Captures through a LoopObserver (on a loop that has no observer of its own).
struct ReportObserver : sl::LoopObserver {
  Reports* sink;
  explicit ReportObserver(Reports& r) : sink(&r) {}
  void on_exception_report(const std::string& m) override { sink->messages.push_back(m); }
};

sl::Coro<void> sleep_forever(Token t, std::vector<std::string>* log = nullptr) {
  (void)t;
  try {
    co_await sl::sleep(24h);
  } catch (const sl::CancelledError&) {
    if (log) log->push_back("cancelled");
    throw;
  }
}

std::string describe(const std::exception_ptr& e) { return sl::describe_exception(e); }
}  // namespace

TEST_CASE("default task names are Task-<n>; a named task uses up a number [S26]", "[task][S26]") {
  // CPython 3.11.7: asyncio.run(main) names main Task-1; create_task(c, name='x')
  // takes a number too, so the next default name skips it. Deliberate
  // difference: simloop's counter is per loop, not per process, so every
  // simulated run (and every replay) names its tasks identically.
  std::vector<std::string> names;
  sl::sim::run([&]() -> sl::Coro<void> {
    names.push_back(sl::current_task().name());
    auto x = sl::create_task([]() -> sl::Coro<void> { co_return; }, "x");
    auto y = sl::create_task([]() -> sl::Coro<void> { co_return; });
    names.push_back(x.name());
    names.push_back(y.name());
    y.set_name("renamed");
    names.push_back(y.get_name());
    co_await x;
    co_await y;
  });
  CHECK(names == std::vector<std::string>{"Task-1", "x", "Task-3", "renamed"});
}

TEST_CASE("a task's result or exception is its coroutine's return value or exception [S27]", "[task][S27]") {
  sl::sim::run([&]() -> sl::Coro<void> {
    auto ok = sl::create_task([]() -> sl::Coro<int> { co_return 5; });
    auto bad = sl::create_task([]() -> sl::Coro<int> {
      throw std::runtime_error("oops");
      co_return 0;
    });
    int v = co_await ok;  // outside CHECK(): g++ also evaluates a co_await in CHECK's unevaluated branch
    CHECK(v == 5);
    CHECK(ok.result() == 5);
    CHECK_THROWS_WITH(co_await bad, "oops");
    CHECK(bad.done());
    CHECK_FALSE(bad.cancelled());
    CHECK(describe(bad.exception()) == "std::runtime_error: oops");
  });
}

TEST_CASE("a task cancelled before its first step never runs its body [S28]", "[task][S28]") {
  // CPython 3.11.7: t.cancel() -> True, t.cancelled() -> False; after one
  // iteration t.cancelled() -> True and the body never ran.
  Counts c;
  bool ran = false;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([&ran](Token tok) -> sl::Coro<void> {
      (void)tok;
      ran = true;
      co_return;
    }(Token(c)));
    CHECK(t.cancel());
    CHECK_FALSE(t.cancelled());
    CHECK(t.state() == sl::FutureState::pending);
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
  });
  CHECK_FALSE(ran);
  CHECK(c.made > 0);
  CHECK(c.live() == 0);  // the unstarted frame (holding its argument) was destroyed
}

TEST_CASE("cancelling a task cancels the future it waits on; the error arrives next iteration [S29]",
          "[task][S29]") {
  std::vector<std::string> log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Future<int> f;
    auto t = sl::create_task([&log, f]() -> sl::Coro<void> {
      try {
        co_await f;
      } catch (const sl::CancelledError& e) {
        log.push_back("child got CancelledError(" + e.message() + ")");
        throw;
      }
    });
    co_await sl::sleep(0s);  // t is now suspended on f
    CHECK(t.task()->waiting_on() == f.base());
    CHECK(t.cancel("m"));
    CHECK(f.cancelled());  // at once
    log.push_back("cancel returned");
    co_await sl::sleep(0s);  // f's done callback (t's wakeup) is scheduled ...
    co_await sl::sleep(0s);  // ... and has run
    CHECK(t.cancelled());
  });
  CHECK(log == std::vector<std::string>{"cancel returned", "child got CancelledError(m)"});
}

TEST_CASE("a task may catch CancelledError and return normally: done, not cancelled [S30]", "[task][S30]") {
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto t = sl::create_task([]() -> sl::Coro<int> {
      try {
        co_await sl::sleep(10s);
      } catch (const sl::CancelledError&) {
        co_return -1;
      }
      co_return 1;
    });
    co_await sl::sleep(1s);
    t.cancel();
    int v = co_await t;
    CHECK_FALSE(t.cancelled());
    CHECK(t.done());
    CHECK(t.cancelling() == 1);  // still counted: the task did not uncancel()
    co_return v;
  });
  CHECK(r.value == -1);
  CHECK(r.elapsed == 1s);
}

TEST_CASE("cancel twice before delivery: true both times, cancelling()==2, one CancelledError [S31]",
          "[task][S31]") {
  int deliveries = 0;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([&]() -> sl::Coro<int> {
      try {
        co_await sl::sleep(10s);
      } catch (const sl::CancelledError&) {
        ++deliveries;
      }
      co_await sl::sleep(1s);  // a second delivery would interrupt this
      co_return 3;
    });
    co_await sl::sleep(0s);
    CHECK(t.cancel());
    CHECK(t.cancel());
    CHECK(t.cancelling() == 2);
    int v = co_await t;
    CHECK(v == 3);
  });
  CHECK(deliveries == 1);
}

TEST_CASE("cancel on a done task returns false [S32]", "[task][S32]") {
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([]() -> sl::Coro<int> { co_return 1; });
    co_await t;
    CHECK_FALSE(t.cancel());
    CHECK(t.cancelling() == 0);
    CHECK(t.result() == 1);
  });
}

TEST_CASE("uncancel decrements cancelling(); a task that caught and uncancelled reaches 0 [S33]",
          "[task][S33]") {
  int seen = -1;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      try {
        co_await sl::sleep(10s);
      } catch (const sl::CancelledError&) {
        seen = sl::current_task().uncancel();
      }
    });
    co_await sl::sleep(0s);
    t.cancel();
    CHECK(t.cancelling() == 1);
    co_await t;
    CHECK(t.cancelling() == 0);
    CHECK(t.uncancel() == 0);  // never below 0
  });
  CHECK(seen == 0);
}

TEST_CASE("a task cancelled while running gets CancelledError at its next suspension [S34]", "[task][S34]") {
  std::vector<std::string> log;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      sl::current_task().cancel("self");
      log.push_back("still running after cancel()");
      try {
        co_await sl::sleep(1s);
      } catch (const sl::CancelledError& e) {
        log.push_back("CancelledError(" + e.message() + ") at the await");
        throw;
      }
    });
    // CPython 3.11.7: a coroutine that cancels itself and returns without
    // awaiting ends cancelled (the request is delivered as it stops).
    auto u = sl::create_task([]() -> sl::Coro<int> {
      sl::current_task().cancel();
      co_return 5;
    });
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
    }
    try {
      co_await u;
    } catch (const sl::CancelledError&) {
      log.push_back("u cancelled");
    }
    CHECK(t.cancelled());
    CHECK(u.cancelled());
  });
  CHECK(log == std::vector<std::string>{"still running after cancel()", "CancelledError(self) at the await",
                                        "u cancelled"});
}

TEST_CASE("a task cancelled by another callback in its step's iteration is cancelled at its yield [S34]",
          "[task][S34]") {
  std::vector<std::string> log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::AnyTask victim;
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      try {
        for (int i = 0; i < 3; ++i) {
          log.push_back("step " + std::to_string(i));
          co_await sl::sleep(0s);
        }
      } catch (const sl::CancelledError&) {
        log.push_back("cancelled");
        throw;
      }
    });
    victim = t;
    co_await sl::sleep(0s);  // t ran step 0 and is yielding bare: must_cancel path
    CHECK(t.task()->waiting_on() == nullptr);
    victim.cancel();
    CHECK(t.task()->must_cancel());
    try {
      co_await t;
    } catch (const sl::CancelledError&) {
    }
  });
  CHECK(log == std::vector<std::string>{"step 0", "cancelled"});
}

TEST_CASE("awaiting a cancelled task raises CancelledError with its message, then without [S35]",
          "[task][S35]") {
  // CPython 3.11.7: after t.cancel("stop"), the first `await t` raises
  // CancelledError('stop') (the coroutine's own error), later ones CancelledError().
  std::vector<std::string> seen;
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(10s); });
    co_await sl::sleep(0s);
    t.cancel("stop");
    for (int i = 0; i < 2; ++i) {
      try {
        co_await t;
      } catch (const sl::CancelledError& e) {
        seen.push_back("CancelledError(" + e.message() + ")");
      }
    }
  });
  CHECK(seen == std::vector<std::string>{"CancelledError(stop)", "CancelledError()"});
}

TEST_CASE("an exception nobody retrieved is reported when the task goes [S36]", "[task][S36]") {
  Reports reports;
  {
    CapturingLoop loop(reports);
    sl::detail::run_main(loop, []() -> sl::Coro<void> {
      sl::create_task([]() -> sl::Coro<void> {
        throw std::runtime_error("nobody looks");
        co_return;
      }, "lonely");
      auto seen = sl::create_task([]() -> sl::Coro<void> {
        throw std::runtime_error("awaited");
        co_return;
      });
      co_await sl::sleep(1s);
      try {
        co_await seen;
      } catch (const std::runtime_error&) {
      }
    }());
  }
  REQUIRE(reports.count("Task exception was never retrieved") == 1);
  CHECK(reports.count("lonely") == 1);
  CHECK(reports.count("nobody looks") == 1);
  CHECK(reports.count("awaited") == 0);
}

TEST_CASE("a task still pending when its loop closes is reported and its frame destroyed [S37]",
          "[task][S37]") {
  Reports reports;
  Counts c;
  {
    CapturingLoop loop(reports);
    loop.run_until_complete([&]() -> sl::Coro<void> {
      sl::create_task(sleep_forever(Token(c)), "stuck");
      co_await sl::sleep(1s);
    }());
    CHECK(c.live() > 0);
    // No cancel_all_tasks: the loop closes with "stuck" pending.
  }
  CHECK(reports.count("Task was destroyed but it is pending!") == 1);
  CHECK(reports.count("stuck") == 1);
  CHECK(c.live() == 0);
}

TEST_CASE("a LoopObserver sees the reports too (real loop) [S37][S36]", "[task][S37][S36]") {
  Reports reports;
  ReportObserver observer(reports);
  {
    sl::RealLoop loop;
    loop.set_observer(&observer);
    loop.run_until_complete([]() -> sl::Coro<void> {
      sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(1h); });
      sl::create_task([]() -> sl::Coro<void> {
        throw std::runtime_error("unseen");
        co_return;
      });
      co_await sl::sleep(0s);
      co_await sl::sleep(0s);
    }());
    loop.close();
  }
  REQUIRE(reports.messages.size() == 2);
  CHECK_THAT(reports.messages[0], Catch::Contains("Task exception was never retrieved") && Catch::Contains("Task-3"));
  CHECK_THAT(reports.messages[1], Catch::Contains("Task was destroyed but it is pending!") && Catch::Contains("Task-2"));
}

TEST_CASE("asyncio.run-style teardown cancels remaining tasks and runs them to completion", "[task][S37]") {
  // CPython 3.11.7: asyncio.run cancels every task left when main returns and
  // runs the loop until they finish (a task may still await in its handler).
  Counts c;
  Reports reports;
  std::vector<std::string> log;
  CapturingLoop loop(reports);
  int value = sl::detail::run_main(loop, [&]() -> sl::Coro<int> {
    sl::create_task(sleep_forever(Token(c), &log));
    sl::create_task([&log]() -> sl::Coro<void> {
      std::exception_ptr cancelled;
      try {
        co_await sl::sleep(1h);
      } catch (const sl::CancelledError&) {
        cancelled = std::current_exception();  // C++ cannot co_await inside a handler
      }
      co_await sl::sleep(1s);  // cleanup that takes time
      log.push_back("slow cleanup done");
      std::rethrow_exception(cancelled);
    });
    co_await sl::sleep(0s);
    co_return 1;
  }());
  CHECK(value == 1);
  CHECK(loop.time() == sl::TimePoint(1s));
  CHECK(loop.all_tasks().empty());
  CHECK(log == std::vector<std::string>{"cancelled", "slow cleanup done"});
  CHECK(c.live() == 0);
  CHECK(reports.messages.empty());
}

TEST_CASE("await coro() runs inline in the current task: no new task, no scheduling point [S38]",
          "[task][S38]") {
  std::vector<std::string> log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::AnyTask outer = sl::current_task();
    sl::create_task([&]() -> sl::Coro<void> {
      log.push_back("other");
      co_return;
    });
    auto c = [&]() -> sl::Coro<int> {
      log.push_back(sl::current_task() == outer ? "c in the same task" : "c in another task");
      co_return 1;
    };
    co_await c();
    log.push_back("after c");
    co_await sl::sleep(0s);
  });
  CHECK(log == std::vector<std::string>{"c in the same task", "after c", "other"});
}

TEST_CASE("sleep(0) yields exactly one iteration: two tasks interleave [S39]", "[task][S39]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<void> {
    auto worker = [&log](std::string name) -> sl::Coro<void> {
      for (int i = 0; i < 3; ++i) {
        log.push_back(name + std::to_string(i));
        co_await sl::sleep(0s);
      }
    };
    auto a = sl::create_task(worker("a"));
    auto b = sl::create_task(worker("b"));
    co_await a;
    co_await b;
  });
  CHECK(log == std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2"});
  CHECK(r.elapsed == 0s);
}

TEST_CASE("current_task() is the running task, or empty outside one [S41]", "[task][S41]") {
  CHECK_FALSE(sl::current_task());
  sl::sim::run([&]() -> sl::Coro<void> {
    auto main = sl::current_task();
    REQUIRE(main);
    CHECK(main.name() == "Task-1");
    sl::AnyTask inside;
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      inside = sl::current_task();
      co_return;
    });
    bool in_callback_empty = false;
    sl::get_running_loop().call_soon([&] { in_callback_empty = !sl::current_task(); });
    co_await t;
    CHECK(inside == sl::AnyTask(t));
    CHECK(in_callback_empty);
    CHECK(sl::current_task() == main);
  });
  CHECK_FALSE(sl::current_task());
}

TEST_CASE("a task awaiting itself gets a clear error at the await", "[task][S23]") {
  // CPython 3.11.7: RuntimeError("Task cannot await on itself: ...") thrown in at the await.
  std::string msg;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Task<int> self;
    self = sl::create_task([&]() -> sl::Coro<int> {
      try {
        co_await self;
      } catch (const std::runtime_error& e) {
        msg = e.what();
      }
      co_return 0;
    });
    co_await self;
  });
  CHECK_THAT(msg, Catch::Contains("cannot await itself"));
}

TEST_CASE("a task refuses set_result and set_exception", "[task][S27]") {
  // CPython 3.11.7: RuntimeError('Task does not support set_result operation').
  sl::sim::run([&]() -> sl::Coro<void> {
    auto t = sl::create_task([]() -> sl::Coro<int> { co_return 2; });
    CHECK_THROWS_WITH(t.set_result(1), Catch::Contains("Task does not support set_result"));
    CHECK_THROWS_WITH(t.set_exception(std::runtime_error("x")), Catch::Contains("Task does not support set_exception"));
    int v = co_await t;
    CHECK(v == 2);
  });
  sl::Task<int> empty;  // a default Task is an empty handle, usable outside a loop
  CHECK_FALSE(empty.base());
}

TEST_CASE("every coroutine frame is destroyed exactly once on every path", "[task][S28][S29][S37]") {
  Counts c;
  Reports reports;
  {
    CapturingLoop loop(reports);
    loop.run_until_complete([&]() -> sl::Coro<void> {
      auto child = [](Token t, int mode) -> sl::Coro<int> {
        (void)t;
        Token local(*t.c);
        if (mode == 0) co_return 0;
        if (mode == 1) throw std::runtime_error("exception path");
        co_await sl::sleep(1h);
        co_return 2;
      };
      auto nested = [&child](Token t) -> sl::Coro<int> {
        (void)t;
        co_return co_await child(Token(*t.c), 2);  // inline child frame inside a task
      };
      auto done = sl::create_task(child(Token(c), 0));
      auto failed = sl::create_task(child(Token(c), 1));
      auto before_start = sl::create_task(child(Token(c), 2));
      before_start.cancel();
      auto suspended = sl::create_task(nested(Token(c)));
      sl::create_task(nested(Token(c)), "left pending");  // torn down by close()
      { auto never_awaited = child(Token(c), 0); }
      co_await sl::sleep(0s);
      suspended.cancel();
      co_await done;
      try {
        co_await failed;
      } catch (const std::runtime_error&) {
      }
      try {
        co_await suspended;
      } catch (const sl::CancelledError&) {
      }
      CHECK(before_start.cancelled());
    }());
  }
  CHECK(c.made >= 12);
  CHECK(c.live() == 0);
  CHECK(reports.count("Task was destroyed but it is pending!") == 1);
}

TEST_CASE("teardown does not leak a task waiting on a future whose callback holds the task", "[task][S37]") {
  // Cycle: task -> awaited future -> its done callback -> task. Closing the
  // loop must break it (ASan's leak check runs this too).
  Counts c;
  auto sentinel = std::make_shared<int>(0);
  {
    Reports quiet;
    CapturingLoop loop(quiet);
    loop.run_until_complete([&]() -> sl::Coro<void> {
      sl::Future<int> f;
      sl::Task<void> t = sl::create_task([](Token tok, sl::Future<int> fut) -> sl::Coro<void> {
        (void)tok;
        co_await fut;
      }(Token(c), f));
      f.add_done_callback([t, s = sentinel] { (void)t; });
      // A task whose own done callback holds itself.
      t.add_done_callback([t] { (void)t; });
      co_await sl::sleep(0s);
    }());
    CHECK(sentinel.use_count() == 2);
  }
  CHECK(sentinel.use_count() == 1);  // the future and its callback were freed
  CHECK(c.live() == 0);
}
