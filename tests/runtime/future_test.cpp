// Future semantics, SEMANTICS.md S11-S24 (asyncio.Future, plus the "running"
// state of concurrent.futures). Cases the checklist leaves open were checked
// against CPython 3.11.7 by running python3; those are marked "CPython 3.11.7:".
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
// A loop that keeps what it reports (asyncio's exception handler messages).
struct CapturingLoop : sl::sim::SimLoop {
  std::vector<std::string>* sink;
  explicit CapturingLoop(std::vector<std::string>& s) : sink(&s) {}
  ~CapturingLoop() override { close(); }
  void report(const std::string& m) override { sink->push_back(m); }
};

// Run exactly one loop iteration: what is ready now runs, what that schedules waits.
void one_iteration(sl::sim::SimLoop& loop) {
  loop.call_soon([&loop] { loop.stop(); });
  loop.run_forever();
}

std::string cancelled_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const sl::CancelledError& e) {
    return "CancelledError(" + e.message() + ")";
  } catch (...) {
    return "other exception";
  }
  return "no exception";
}
}  // namespace

TEST_CASE("a new future is pending [S11]", "[future][S11]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  CHECK(f.state() == sl::FutureState::pending);
  CHECK_FALSE(f.done());
  CHECK_FALSE(f.cancelled());
  CHECK(&f.get_loop() == &loop);
  sl::Future<int> g(loop);
  CHECK(g.id() > f.id());  // ids are sequence numbers on the loop
}

TEST_CASE("set_result: done, result() returns it, exception() is null [S12]", "[future][S12]") {
  sl::sim::SimLoop loop;
  sl::Future<std::string> f(loop);
  f.set_result("v");
  CHECK(f.done());
  CHECK(f.state() == sl::FutureState::done);
  CHECK_FALSE(f.cancelled());
  CHECK(f.result() == "v");
  CHECK(f.result() == "v");  // as often as asked
  CHECK(f.exception() == nullptr);

  sl::Future<void> v(loop);
  v.set_result();
  CHECK(v.done());
  CHECK_NOTHROW(v.result());
}

TEST_CASE("set_exception: done, result() raises it, exception() returns it [S13]", "[future][S13]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  f.set_exception(std::runtime_error("boom"));
  CHECK(f.done());
  CHECK_FALSE(f.cancelled());
  CHECK_THROWS_AS(f.result(), std::runtime_error);
  CHECK_THROWS_WITH(f.result(), "boom");
  auto e = f.exception();
  REQUIRE(e);
  CHECK_THROWS_WITH(std::rethrow_exception(e), "boom");
}

TEST_CASE("set_result/set_exception on a done or cancelled future raise InvalidStateError [S14]",
          "[future][S14]") {
  sl::sim::SimLoop loop;
  sl::Future<int> done(loop);
  done.set_result(1);
  CHECK_THROWS_AS(done.set_result(2), sl::InvalidStateError);
  CHECK_THROWS_WITH(done.set_result(2), Catch::Contains("invalid state"));
  CHECK_THROWS_AS(done.set_exception(std::runtime_error("x")), sl::InvalidStateError);
  CHECK(done.result() == 1);  // unchanged

  sl::Future<int> failed(loop);
  failed.set_exception(std::runtime_error("first"));
  CHECK_THROWS_AS(failed.set_result(2), sl::InvalidStateError);
  CHECK_THROWS_WITH(failed.set_exception(std::runtime_error("second")), Catch::Contains("invalid state"));
  CHECK_THROWS_WITH(failed.result(), "first");

  sl::Future<int> cancelled(loop);
  cancelled.cancel();
  CHECK_THROWS_AS(cancelled.set_result(2), sl::InvalidStateError);
  CHECK_THROWS_AS(cancelled.set_exception(std::runtime_error("x")), sl::InvalidStateError);
  CHECK(cancelled.cancelled());
}

TEST_CASE("result()/exception() on a pending future raise InvalidStateError [S15]", "[future][S15]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  CHECK_THROWS_AS(f.result(), sl::InvalidStateError);
  CHECK_THROWS_WITH(f.result(), "Result is not set.");
  CHECK_THROWS_AS(f.exception(), sl::InvalidStateError);
  CHECK_THROWS_WITH(f.exception(), "Exception is not set.");
  CHECK(f.state() == sl::FutureState::pending);
}

TEST_CASE("cancel: pending -> cancelled (true); done or cancelled: false, no change [S16]", "[future][S16]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  CHECK(f.cancel("first"));
  CHECK(f.cancelled());
  CHECK(f.done());
  CHECK(f.state() == sl::FutureState::cancelled);
  CHECK_FALSE(f.cancel("second"));
  CHECK(cancelled_message([&] { f.result(); }) == "CancelledError(first)");

  sl::Future<int> d(loop);
  d.set_result(3);
  CHECK_FALSE(d.cancel());
  CHECK_FALSE(d.cancelled());
  CHECK(d.result() == 3);

  sl::Future<int> e(loop);
  e.set_exception(std::runtime_error("x"));
  CHECK_FALSE(e.cancel());
  CHECK_THROWS_WITH(e.result(), "x");
}

TEST_CASE("result()/exception() on a cancelled future raise CancelledError with the message [S17]",
          "[future][S17]") {
  // CPython 3.11.7: fut.cancel("m"); fut.result() twice -> CancelledError('m') both times.
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  f.cancel("m");
  CHECK(cancelled_message([&] { f.result(); }) == "CancelledError(m)");
  CHECK(cancelled_message([&] { f.result(); }) == "CancelledError(m)");
  CHECK(cancelled_message([&] { (void)f.exception(); }) == "CancelledError(m)");

  sl::Future<void> g(loop);
  g.cancel();
  CHECK(cancelled_message([&] { g.result(); }) == "CancelledError()");
}

TEST_CASE("done callbacks are scheduled with call_soon, not called inline [S18]", "[future][S18]") {
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  sl::Future<int> f(loop);
  f.add_done_callback([&](sl::Future<int> done) { log.push_back("cb " + std::to_string(done.result())); });
  loop.call_soon([&] {
    f.set_result(5);
    log.push_back("after set_result");
  });
  sl::Future<int> c(loop);
  c.add_done_callback([&](sl::Future<int> done) { log.push_back(done.cancelled() ? "cb cancelled" : "?"); });
  loop.call_soon([&] {
    c.cancel();
    log.push_back("after cancel");
  });
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"after set_result", "after cancel"});
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"after set_result", "after cancel", "cb 5", "cb cancelled"});
}

TEST_CASE("done callbacks run in registration order, each exactly once [S19]", "[future][S19]") {
  sl::sim::SimLoop loop;
  std::vector<int> log;
  sl::Future<void> f(loop);
  for (int i = 0; i < 4; ++i) f.add_done_callback([&log, i] { log.push_back(i); });
  f.set_result();
  CHECK(log.empty());
  one_iteration(loop);
  one_iteration(loop);
  CHECK(log == std::vector<int>{0, 1, 2, 3});
  CHECK_THROWS_AS(f.set_result(), sl::InvalidStateError);  // no second completion, no second run
  one_iteration(loop);
  CHECK(log == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("add_done_callback on a done future schedules it at once, not inline [S20]", "[future][S20]") {
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  sl::Future<int> f(loop);
  f.set_result(1);
  loop.call_soon([&] { log.push_back("ready before"); });
  f.add_done_callback([&] { log.push_back("late cb"); });
  CHECK(log.empty());
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"ready before", "late cb"});
}

TEST_CASE("remove_done_callback removes a registration and says how many [S21]", "[future][S21]") {
  // asyncio removes callbacks by equality; C++ lambdas have none, so each
  // registration has an id. Registering one callable twice gives two ids.
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  sl::Future<int> f(loop);
  auto keep = f.add_done_callback([&] { log.push_back("keep"); });
  auto drop1 = f.add_done_callback([&] { log.push_back("drop"); });
  auto drop2 = f.add_done_callback([&] { log.push_back("drop"); });
  CHECK(keep != drop1);
  CHECK(f.remove_done_callback(drop1) == 1);
  CHECK(f.remove_done_callback(drop1) == 0);
  CHECK(f.remove_done_callback(drop2) == 1);
  f.set_result(1);
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"keep"});

  // CPython 3.11.7: after completion the callbacks are already scheduled, so
  // remove_done_callback returns 0 and the callback still runs.
  sl::Future<int> g(loop);
  auto id = g.add_done_callback([&] { log.push_back("scheduled"); });
  g.set_result(2);
  CHECK(g.remove_done_callback(id) == 0);
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"keep", "scheduled"});
}

TEST_CASE("done listeners (task wake-ups, gathers) share the callbacks' order and are removed by identity [S18] [S21]",
          "[future][S18][S21]") {
  // What a task registers when it awaits a future: the object itself
  // (detail::DoneListener), as asyncio registers the bound method
  // self.__wakeup, and remove_done_listener removes every registration of it,
  // as asyncio's remove_done_callback(self.__wakeup) removes by equality.
  struct Listener : sl::detail::DoneListener {
    std::vector<std::string>* log;
    std::string tag;
    Listener(std::vector<std::string>& l, std::string t) : log(&l), tag(std::move(t)) {}
    void on_future_done(sl::detail::FutureBase* f) override { log->push_back(tag + (f->done() ? " done" : " ?")); }
  };
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  sl::Future<int> f(loop);
  sl::detail::Ref<Listener> a(new Listener(log, "a")), b(new Listener(log, "b"));
  f.base()->add_done_listener(a);
  f.add_done_callback([&] { log.push_back("fn"); });
  f.base()->add_done_listener(a);
  f.base()->add_done_listener(b);
  CHECK(a->ref_count() == 3);  // ours and two registrations
  CHECK(f.base()->remove_done_listener(a.get()) == 2);
  CHECK(a->ref_count() == 1);  // the registrations are dropped at once
  CHECK(f.base()->remove_done_listener(a.get()) == 0);
  f.set_result(1);
  CHECK(log.empty());  // [S19] never inline
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"fn", "b done"});
  CHECK(b->ref_count() == 1);  // the ready item released it once it ran
}

TEST_CASE("callback ids are one sequence per loop: another future's id, or 0, removes nothing [S21]",
          "[future][S21]") {
  // The id lives in the wrapped callback, not in the future (a future keeps
  // no counter), so ids never repeat across the futures of a loop.
  sl::sim::SimLoop loop;
  std::vector<std::string> log;
  sl::Future<int> f(loop), g(loop);
  auto fa = f.add_done_callback([&] { log.push_back("fa"); });
  auto ga = g.add_done_callback([&] { log.push_back("ga"); });
  auto fb = f.add_done_callback([&] { log.push_back("fb"); });
  CHECK(fa != 0);
  CHECK(ga != fa);
  CHECK(fb != fa);
  CHECK(fb != ga);
  CHECK(f.remove_done_callback(ga) == 0);  // g's registration, not f's
  CHECK(g.remove_done_callback(fa) == 0);
  CHECK(f.remove_done_callback(0) == 0);
  struct Listener : sl::detail::DoneListener {
    std::vector<std::string>* log;
    explicit Listener(std::vector<std::string>& l) : log(&l) {}
    void on_future_done(sl::detail::FutureBase*) override { log->push_back("listener"); }
  };
  f.base()->add_done_listener(sl::detail::Ref<Listener>(new Listener(log)));
  CHECK(f.remove_done_callback(0) == 0);  // a listener registered as itself has no id
  CHECK(f.base()->done_callback_count() == 3);
  CHECK(f.remove_done_callback(fa) == 1);
  f.set_result(1);
  g.set_result(2);
  one_iteration(loop);
  CHECK(log == std::vector<std::string>{"fb", "listener", "ga"});
}

TEST_CASE("set_exception with an empty exception_ptr is refused [S22]", "[future][S22]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  CHECK_THROWS_AS(f.set_exception(std::exception_ptr()), std::invalid_argument);
  CHECK_FALSE(f.done());
  f.set_result(1);
  CHECK(f.result() == 1);
}

TEST_CASE("awaiting a pending future suspends; a done one returns at once [S23]", "[future][S23]") {
  std::vector<std::string> log;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    sl::Future<int> done;
    done.set_result(1);
    sl::create_task([&]() -> sl::Coro<void> {
      log.push_back("other task");
      co_return;
    });
    int a = co_await done;  // no suspension: the other task has not run yet
    log.push_back("after done await");

    sl::Future<int> pending;
    sl::get_running_loop().call_later(1s, [pending]() mutable { pending.set_result(41); });
    int b = co_await pending;
    log.push_back("after pending await");

    sl::Future<int> failed;
    failed.set_exception(std::runtime_error("bad"));
    try {
      co_await failed;
    } catch (const std::runtime_error& e) {
      log.push_back(std::string("raised ") + e.what());
    }
    co_return a + b;
  });
  CHECK(r.value == 42);
  CHECK(r.elapsed == 1s);
  CHECK(log == std::vector<std::string>{"after done await", "other task", "after pending await", "raised bad"});
}

TEST_CASE("a future awaited after cancellation raises CancelledError in the awaiter [S23][S17]",
          "[future][S23][S17]") {
  std::string seen;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Future<int> f;
    sl::get_running_loop().call_later(1s, [f]() mutable { f.cancel("gone"); });
    try {
      co_await f;
    } catch (const sl::CancelledError& e) {
      seen = "CancelledError(" + e.message() + ")";
    }
  });
  CHECK(seen == "CancelledError(gone)");
}

TEST_CASE("set_running_or_notify_cancel: pending -> running; cancelled -> false [S24]", "[future][S24]") {
  sl::sim::SimLoop loop;
  sl::Future<int> f(loop);
  CHECK(f.set_running_or_notify_cancel());
  CHECK(f.state() == sl::FutureState::running);
  CHECK_FALSE(f.done());
  CHECK_FALSE(f.cancel());  // a running future cannot be cancelled
  CHECK(f.state() == sl::FutureState::running);
  // Called twice, or on a done future: an error (concurrent.futures raises RuntimeError).
  CHECK_THROWS_AS(f.set_running_or_notify_cancel(), sl::InvalidStateError);
  f.set_result(7);  // running -> done
  CHECK(f.result() == 7);
  CHECK_THROWS_AS(f.set_running_or_notify_cancel(), sl::InvalidStateError);

  sl::Future<int> c(loop);
  CHECK(c.cancel());
  CHECK_FALSE(c.set_running_or_notify_cancel());
  CHECK(c.cancelled());

  sl::Future<int> e(loop);
  CHECK(e.set_running_or_notify_cancel());
  e.set_exception(std::runtime_error("job failed"));  // running -> done with exception
  CHECK_THROWS_WITH(e.result(), "job failed");
}

TEST_CASE("a future's exception nobody retrieved is reported when it is destroyed", "[future][S36]") {
  // CPython 3.11.7: "Future exception was never retrieved" from Future.__del__.
  std::vector<std::string> reports;
  CapturingLoop loop(reports);
  {
    sl::Future<int> f(loop);
    f.set_exception(std::runtime_error("lost"));
  }
  {
    sl::Future<int> g(loop);
    g.set_exception(std::runtime_error("seen"));
    (void)g.exception();  // retrieved: no report
  }
  REQUIRE(reports.size() == 1);
  CHECK_THAT(reports[0], Catch::Contains("Future exception was never retrieved") && Catch::Contains("lost"));
}

TEST_CASE("awaiting a future of another loop is a clear error, never a hang", "[future][S23]") {
  // CPython 3.11.7: RuntimeError "Task ... got Future ... attached to a different loop",
  // thrown into the coroutine at its await.
  sl::sim::SimLoop other;
  std::string msg;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    sl::Future<int> foreign(other);
    try {
      co_await foreign;
    } catch (const std::runtime_error& e) {
      msg = e.what();
    }
    co_return 1;
  });
  CHECK(r.value == 1);
  CHECK_THAT(msg, Catch::Contains("attached to a different loop"));
}

TEST_CASE("Future<T> holds move-only values", "[future][S12]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    sl::Future<std::unique_ptr<int>> f;
    sl::get_running_loop().call_soon([f]() mutable { f.set_result(std::make_unique<int>(9)); });
    std::unique_ptr<int> p = co_await f;
    co_return *p;
  });
  CHECK(r.value == 9);
}

namespace {
// Counts its copies, so a test can tell a moved value from a copied one.
struct CopyCounter {
  int* copies;
  int value;
  CopyCounter(int* c, int v) : copies(c), value(v) {}
  CopyCounter(const CopyCounter& o) : copies(o.copies), value(o.value) { ++*copies; }
  CopyCounter(CopyCounter&& o) noexcept = default;
  CopyCounter& operator=(const CopyCounter&) = delete;
};
}  // namespace

TEST_CASE("awaiting an rvalue handle that is the future's only one moves the value out; otherwise it is copied",
          "[future][S12]") {
  // asyncio's await returns the very object; C++ copies it unless nobody can
  // read it again. That is so only when the awaited handle is an rvalue
  // (a temporary, or std::move) and no other handle exists.
  int copies = 0;
  auto r = sl::sim::run([&]() -> sl::Coro<int> {
    auto make = [&](int v) {
      sl::Future<CopyCounter> f;
      f.set_result(CopyCounter(&copies, v));
      return f;
    };
    int sum = 0;
    // An lvalue: the handle can be read again, so the value is copied.
    sl::Future<CopyCounter> a = make(1);
    sum += (co_await a).value;
    CHECK(copies == 1);
    CHECK(a.result().value == 1);
    // A temporary: moved out.
    sum += (co_await make(2)).value;
    CHECK(copies == 1);
    // std::move of the only handle: moved out.
    sl::Future<CopyCounter> b = make(3);
    sum += (co_await std::move(b)).value;
    CHECK(copies == 1);
    // std::move of one of two handles: the other still reads the value, so copied.
    sl::Future<CopyCounter> c = make(4);
    sl::Future<CopyCounter> c2 = c;
    sum += (co_await std::move(c)).value;
    CHECK(copies == 2);
    CHECK(c2.result().value == 4);
    // A pending future awaited as a temporary (a task's own reference to it
    // is gone by the time the value is taken).
    sum += (co_await sl::create_task([&]() -> sl::Coro<CopyCounter> {
              co_await sl::sleep(1ms);
              co_return CopyCounter(&copies, 5);
            }())).value;
    CHECK(copies == 2);
    co_return sum;
  });
  CHECK(r.value == 15);
}

TEST_CASE("registration order holds when the first callback is removed and more are added [S19][S21]",
          "[future][S19][S21]") {
  sl::sim::SimLoop loop;
  std::vector<int> log;
  sl::Future<void> f(loop);
  auto first = f.add_done_callback([&] { log.push_back(1); });
  f.add_done_callback([&] { log.push_back(2); });
  CHECK(f.remove_done_callback(first) == 1);
  f.add_done_callback([&] { log.push_back(3); });
  auto fourth = f.add_done_callback([&] { log.push_back(4); });
  f.add_done_callback([&] { log.push_back(5); });
  CHECK(f.remove_done_callback(fourth) == 1);
  CHECK(f.base()->done_callback_count() == 3);
  f.set_result();
  one_iteration(loop);
  CHECK(log == std::vector<int>{2, 3, 5});

  // Only one callback, removed, then another: it still runs.
  sl::Future<void> g(loop);
  CHECK(g.remove_done_callback(g.add_done_callback([&] { log.push_back(6); })) == 1);
  g.add_done_callback([&] { log.push_back(7); });
  g.set_result();
  one_iteration(loop);
  CHECK(log == std::vector<int>{2, 3, 5, 7});
}

TEST_CASE("a Future or Task handle is one pointer; the value is found through the base, whatever made it",
          "[future][S12]") {
  // The handle keeps only the reference (FutureBase::value_slot finds the
  // value): 8 bytes per handle in a user's vector of tasks, none per child in
  // a gather. Each kind of typed future must bind its slot.
  STATIC_REQUIRE(sizeof(sl::Future<long>) == sizeof(void*));
  STATIC_REQUIRE(sizeof(sl::Task<std::string>) == sizeof(void*));
  auto r = sl::sim::run([]() -> sl::Coro<std::string> {
    sl::Future<char> fc;  // a value of alignment 1 right after the base
    fc.set_result('x');
    sl::Future<std::string> fs;  // a value with a destructor (std::optional inside)
    sl::get_running_loop().call_soon([fs]() mutable { fs.set_result(std::string("future")); });
    auto tc = sl::create_task([]() -> sl::Coro<char> { co_return 'y'; });
    auto ts = sl::create_task([]() -> sl::Coro<std::string> {
      co_await sl::sleep(1s);
      co_return std::string("task");
    });
    sl::Future<std::string> as_future = ts;  // a task seen as a plain future
    auto ex = sl::run_in_executor(nullptr, [] { return std::string("executor"); });
    auto t = co_await sl::gather(fc, fs, tc, as_future, ex);  // a tuple gather
    std::vector<sl::Task<char>> twice(2, tc);
    auto v = co_await sl::gather(std::move(twice));  // a vector gather, a duplicate
    auto nested = co_await sl::gather(sl::gather(fc, tc));  // a gather's own value
    std::string seen;
    fs.add_done_callback([&seen](sl::Future<std::string> f) { seen = f.result(); });  // the callback's handle
    co_await sl::sleep(0s);
    const bool callback_saw_value = seen == "future";
    CHECK(callback_saw_value);
    CHECK(std::get<0>(std::get<0>(nested)) == 'x');
    CHECK(std::get<1>(std::get<0>(nested)) == 'y');
    CHECK(fc.result() == 'x');
    const char again = co_await tc;  // a done task awaited again
    CHECK(again == 'y');
    co_return std::string(1, std::get<0>(t)) + std::get<1>(t) + std::get<2>(t) + std::get<3>(t) + std::get<4>(t) +
        v[0] + v[1];
  });
  CHECK(r.value == "xfutureytaskexecutoryy");
}
