// Loop semantics, SEMANTICS.md S1-S10: asyncio's BaseEventLoop._run_once,
// driven directly on a SimLoop (virtual clock). Orders marked "CPython 3.11.7:"
// were checked by running the equivalent Python with python3.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
// A loop that keeps what it reports (asyncio's exception handler messages).
// report() is virtual on Loop; the SimLoop's own observer slot stays untouched.
struct CapturingLoop : sl::sim::SimLoop {
  std::vector<std::string>* sink;
  explicit CapturingLoop(std::vector<std::string>& s) : sink(&s) {}
  ~CapturingLoop() override { close(); }  // teardown reports still reach our report()
  void report(const std::string& m) override { sink->push_back(m); }
};

sl::TimePoint at(sl::Duration d) { return sl::TimePoint(d); }
}  // namespace

TEST_CASE("call_soon runs callbacks in registration order, once each, never inline [S1]", "[loop][S1]") {
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  loop.call_soon([&] {
    log.push_back("a");
    loop.call_soon([&] { log.push_back("a's child"); });
    log.push_back("a after call_soon");  // the child did not run inline
  });
  loop.call_soon([&] { log.push_back("b"); });
  loop.call_soon([&] { log.push_back("c"); });
  loop.call_later(1s, [&] { loop.stop(); });
  CHECK(log.empty());  // nothing runs before the loop does
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"a", "a after call_soon", "b", "c", "a's child"});
}

TEST_CASE("an iteration runs exactly the callbacks ready when it started [S2]", "[loop][S2]") {
  sl::sim::SimLoop loop;
  std::vector<std::pair<std::string, std::uint64_t>> log;  // (callback, iteration it ran in)
  auto note = [&](std::string s) { log.emplace_back(std::move(s), loop.iterations()); };
  loop.call_soon([&] {
    note("a");
    loop.call_soon([&] {
      note("c");
      loop.call_soon([&] {
        note("e");
        loop.stop();
      });
    });
  });
  loop.call_soon([&] {
    note("b");
    loop.call_soon([&] { note("d"); });
  });
  loop.run_forever();
  using P = std::pair<std::string, std::uint64_t>;
  CHECK(log == std::vector<P>{{"a", 1}, {"b", 1}, {"c", 2}, {"d", 2}, {"e", 3}});
  CHECK(loop.iterations() == 3);
}

TEST_CASE("stop() ends run_forever after the current iteration's batch [S2]", "[loop][S2]") {
  // CPython 3.11.7: loop.stop() inside a callback still lets the rest of the
  // batch run; callbacks scheduled meanwhile wait for the next run_forever.
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  loop.call_soon([&] {
    log.push_back("a");
    loop.stop();
    loop.call_soon([&] { log.push_back("c"); });
  });
  loop.call_soon([&] { log.push_back("b"); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"a", "b"});
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("timers fire at or after their deadline; a cancelled timer never runs [S3]", "[loop][S3]") {
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  std::vector<sl::TimePoint> fired_at;
  loop.call_later(2s, [&] {
    log.push_back("later 2s");
    fired_at.push_back(loop.time());
  });
  loop.call_at(at(1500ms), [&] {
    log.push_back("at 1.5s");
    fired_at.push_back(loop.time());
  });
  auto doomed = loop.call_later(1s, [&] { log.push_back("cancelled timer"); });
  auto doomed_soon = loop.call_soon([&] { log.push_back("cancelled call_soon"); });
  CHECK(doomed.when() == at(1s));
  doomed.cancel();
  doomed_soon.cancel();
  CHECK(doomed.cancelled());
  CHECK(doomed_soon.cancelled());
  loop.call_later(3s, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"at 1.5s", "later 2s"});
  CHECK(fired_at == std::vector<sl::TimePoint>{at(1500ms), at(2s)});
}

TEST_CASE("a timer cancelled by an earlier callback of the same batch does not run [S3]", "[loop][S3]") {
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  sl::TimerHandle victim;
  loop.call_later(1s, [&] {
    log.push_back("first");
    victim.cancel();  // already moved to the ready queue: it must still be skipped
  });
  victim = loop.call_later(1s, [&] { log.push_back("victim"); });
  loop.call_later(2s, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"first"});
}

TEST_CASE("cancelling a timer releases what its callback captured [S3]", "[loop][S3]") {
  // asyncio's TimerHandle.cancel drops the callback and its arguments at once.
  sl::sim::SimLoop loop;
  auto payload = std::make_shared<int>(1);
  auto h = loop.call_later(10s, [p = payload] { (void)p; });
  CHECK(payload.use_count() == 2);
  h.cancel();
  CHECK(payload.use_count() == 1);
}

TEST_CASE("due timers join the ready queue after what is already ready [S4]", "[loop][S4]") {
  // SEMANTICS' example: call_later(1, f) x8 then call_soon(g) -> g, then the
  // f's in registration order (deadline order; here all equal).
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  for (int i = 0; i < 8; ++i) loop.call_later(1s, [&log, i] { log.push_back("f" + std::to_string(i)); });
  loop.call_soon([&] { log.push_back("g"); });
  loop.call_later(2s, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"g", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"});
}

TEST_CASE("call_later(0) made by a runs before what a's call_soon successors schedule [S4]", "[loop][S4]") {
  // CPython 3.11.7 (python3): a: call_soon(b), call_later(0, c); b: call_soon(d)
  // prints a b c d. The loop works in iterations: c is moved to the ready
  // queue at the start of the iteration that runs b, after b.
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  loop.call_soon([&] {
    log.push_back("a");
    loop.call_soon([&] {
      log.push_back("b");
      loop.call_soon([&] { log.push_back("d"); });
    });
    loop.call_later(0s, [&] { log.push_back("c"); });
  });
  loop.call_later(1s, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("due timers are moved in deadline order, whatever the registration order [S4]", "[loop][S4]") {
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  loop.call_at(at(3s), [&] { log.push_back("t3"); });
  loop.call_at(at(1s), [&] { log.push_back("t1"); });
  loop.call_at(at(2s), [&] { log.push_back("t2"); });
  loop.call_later(4s, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"t1", "t2", "t3"});

  // Timers already overdue when an iteration starts fire together, in
  // deadline order, in that one iteration.
  std::vector<std::pair<std::string, std::uint64_t>> batch;
  loop.call_soon([&] {
    auto now = loop.time();
    loop.call_at(now - 1s, [&] { batch.emplace_back("-1s", loop.iterations()); });
    loop.call_at(now - 3s, [&] { batch.emplace_back("-3s", loop.iterations()); });
    loop.call_at(now - 2s, [&] { batch.emplace_back("-2s", loop.iterations()); });
  });
  loop.call_later(1s, [&] { loop.stop(); });
  loop.run_forever();
  REQUIRE(batch.size() == 3);
  CHECK(batch[0].first == "-3s");
  CHECK(batch[1].first == "-2s");
  CHECK(batch[2].first == "-1s");
  CHECK(batch[0].second == batch[2].second);  // one iteration
}

TEST_CASE("timers with equal deadlines fire in registration order under fifo [S5]", "[loop][S5]") {
  sl::sim::SimLoop loop;
  std::vector<int> log;
  for (int i = 0; i < 5; ++i) loop.call_at(at(1s), [&log, i] { log.push_back(i); });
  loop.call_later(500ms, [&] {
    // Registered later, same deadline: after the five above.
    loop.call_at(at(1s), [&log] { log.push_back(5); });
  });
  loop.call_later(2s, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(log == std::vector<int>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("when nothing is ready the virtual clock jumps to the earliest timer [S6]", "[loop][S6]") {
  sl::sim::SimLoop loop;
  std::vector<sl::TimePoint> seen;
  loop.call_later(1h, [&] {
    seen.push_back(loop.time());
    loop.stop();
  });
  loop.call_later(30min, [&] { seen.push_back(loop.time()); });
  auto before = loop.iterations();
  loop.run_forever();
  CHECK(seen == std::vector<sl::TimePoint>{at(30min), at(1h)});
  CHECK(loop.iterations() - before == 2);  // one iteration per jump, no busy loop
}

TEST_CASE("get_running_loop outside a running loop is a clear error [S7]", "[loop][S7]") {
  CHECK(sl::running_loop() == nullptr);
  CHECK_THROWS_WITH(sl::get_running_loop(), Catch::Contains("no running event loop"));
  sl::sim::SimLoop loop;
  // A loop that exists but is not running is not "the running loop".
  CHECK_THROWS_WITH(sl::get_running_loop(), Catch::Contains("no running event loop"));
  sl::Loop* inside = nullptr;
  loop.call_soon([&] {
    inside = &sl::get_running_loop();
    loop.stop();
  });
  loop.run_forever();
  CHECK(inside == &loop);
  CHECK(sl::running_loop() == nullptr);  // restored afterwards
}

TEST_CASE("running a loop inside a running loop is refused with a clear message [S8]", "[loop][S8]") {
  sl::sim::SimLoop loop;
  sl::sim::SimLoop other;
  std::string same, nested, sim_run;
  loop.call_soon([&] {
    try {
      loop.run_forever();
    } catch (const std::runtime_error& e) {
      same = e.what();
    }
    try {
      other.run_forever();
    } catch (const std::runtime_error& e) {
      nested = e.what();
    }
    try {
      sl::sim::run([]() -> sl::Coro<void> { co_return; });
    } catch (const std::runtime_error& e) {
      sim_run = e.what();
    }
    loop.stop();
  });
  loop.run_forever();
  CHECK_THAT(same, Catch::Contains("already running"));
  CHECK_THAT(nested, Catch::Contains("another loop is running"));
  CHECK_THAT(sim_run, Catch::Contains("cannot be called from a running event loop"));
}

TEST_CASE("run_until_complete returns the future's result or raises its exception [S9]", "[loop][S9]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  loop.call_later(1s, [f]() mutable { f.set_result(42); });
  CHECK(loop.run_until_complete(f) == 42);
  CHECK(loop.time() == at(1s));

  sl::Future<void> g(loop);
  loop.call_soon([g]() mutable { g.set_exception(std::runtime_error("boom")); });
  CHECK_THROWS_WITH(loop.run_until_complete(g), "boom");

  // An already-done future: one iteration (its done callback stops the loop).
  auto it = loop.iterations();
  CHECK(loop.run_until_complete(f) == 42);
  CHECK(loop.iterations() - it == 1);
}

TEST_CASE("run_until_complete wraps a coroutine in a task [S9]", "[loop][S9]") {
  sl::sim::SimLoop loop;
  bool in_task = false;
  auto coro = [&]() -> sl::Coro<std::string> {
    in_task = static_cast<bool>(sl::current_task());
    co_await sl::sleep(2s);
    co_return "done";
  };
  CHECK(loop.run_until_complete(coro()) == "done");
  CHECK(in_task);
  CHECK(loop.time() == at(2s));
}

TEST_CASE("loop.time() is monotonic and starts at 0 on the virtual clock [S10]", "[loop][S10]") {
  sl::sim::SimLoop loop;
  CHECK(loop.time() == sl::TimePoint{});
  std::vector<sl::TimePoint> seen;
  for (auto d : {3s, 1s, 2s, 1s}) loop.call_later(d, [&] { seen.push_back(loop.time()); });
  loop.call_later(5s, [&] { loop.stop(); });
  loop.run_forever();
  REQUIRE(seen.size() == 4);
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i - 1] <= seen[i]);
  CHECK(loop.time() == at(5s));
}

TEST_CASE("an exception in a callback is reported and the loop goes on", "[loop][S1]") {
  // CPython 3.11.7: Handle._run catches it, calls the exception handler
  // ("Exception in callback ..."), and the next callbacks still run.
  std::vector<std::string> reports;
  CapturingLoop loop(reports);
  std::vector<std::string> log;
  loop.call_soon([] { throw std::runtime_error("bad callback"); });
  loop.call_soon([&] {
    log.push_back("next");
    loop.stop();
  });
  loop.run_forever();
  CHECK(log == std::vector<std::string>{"next"});
  REQUIRE(reports.size() == 1);
  CHECK_THAT(reports[0], Catch::Contains("Exception in callback") && Catch::Contains("bad callback"));
}

TEST_CASE("cancelled timers are purged from the heap once they are most of it [S3]", "[loop][S3]") {
  // asyncio's _run_once rebuilds its heap when > 100 timers and over half are
  // cancelled; long timeouts that never fire must not pile up.
  sl::sim::SimLoop loop;
  std::vector<sl::TimerHandle> hs;
  int fired = 0;
  for (int i = 0; i < 200; ++i) hs.push_back(loop.call_later(1h + sl::Duration(i), [&] { ++fired; }));
  for (int i = 0; i < 150; ++i) hs[static_cast<std::size_t>(i)].cancel();
  CHECK(loop.timer_count() == 200);
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  CHECK(loop.timer_count() == 50);
  loop.call_later(2h, [&] { loop.stop(); });
  loop.run_forever();
  CHECK(fired == 50);
  hs.clear();
}

TEST_CASE("a timer handle outliving its loop can still be cancelled safely [S3]", "[loop][S3]") {
  sl::TimerHandle h;
  {
    sl::sim::SimLoop loop;
    h = loop.call_later(1s, [] {});
  }
  h.cancel();
  CHECK(h.cancelled());
}
