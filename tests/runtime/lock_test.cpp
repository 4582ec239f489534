// Lock (lock.hpp), SEMANTICS S72-S73. Expected logs were produced by running
// the quoted Python on CPython 3.11.7.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

TEST_CASE("Lock: waiters acquire in FIFO order [S72]", "[lock][S72]") {
  // async def w(name): log(wants); async with lock: log(got); await sleep(0); log(releases)
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Lock lock;
    auto w = [&](std::string name) -> sl::Coro<void> {
      log.push_back(name + " wants");
      auto g = co_await lock.scoped();
      log.push_back(name + " got");
      co_await sl::sleep(0s);
      log.push_back(name + " releases");
    };
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"a", "b", "c"}) ts.push_back(sl::create_task(w(n)));
    for (auto& t : ts) co_await t;
    CHECK_FALSE(lock.locked());
  });
  CHECK(log == Log{"a wants", "a got", "b wants", "c wants", "a releases", "b got", "b releases", "c got",
                   "c releases"});
}

TEST_CASE("Lock: release() of an unlocked lock raises RuntimeError [S72]", "[lock][S72]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Lock lock;
    CHECK_THROWS_WITH(lock.release(), "Lock is not acquired.");
    bool r = co_await lock.acquire();  // (no co_await inside Catch macros: they are not coroutine-safe)
    CHECK(r);
    CHECK(lock.locked());
    lock.release();
    CHECK_FALSE(lock.locked());
    CHECK_THROWS_AS(lock.release(), std::runtime_error);
  });
}

TEST_CASE("Lock: release and cancel of the first waiter in one iteration pass the lock on [S73]",
          "[lock][S73]") {
  // python3 (3.11.7):
  //   await lock.acquire(); ts = [create_task(w(n)) for n in "abc"]; await sleep(0)
  //   lock.release(); ts[0].cancel(); await gather(*ts, return_exceptions=True)
  // -> a wants, b wants, c wants, b got, b releases, c got, c releases; locked=False
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Lock lock;
    auto w = [&](std::string name) -> sl::Coro<void> {
      log.push_back(name + " wants");
      auto g = co_await lock.scoped();
      log.push_back(name + " got");
      co_await sl::sleep(0s);
      log.push_back(name + " releases");
    };
    co_await lock.acquire();
    std::vector<sl::Task<void>> ts;
    for (std::string n : {"a", "b", "c"}) ts.push_back(sl::create_task(w(n)));
    co_await sl::sleep(0s);
    lock.release();  // resolves a's future...
    ts[0].cancel();  // ...and a is cancelled before it runs: it must hand the lock to b
    for (auto& t : ts) {
      try {
        co_await t;
      } catch (const sl::CancelledError&) {
      }
    }
    CHECK(ts[0].cancelled());
    CHECK_FALSE(ts[1].cancelled());
    CHECK_FALSE(lock.locked());
    CHECK(lock.waiter_count() == 0);
  });
  CHECK(log == Log{"a wants", "b wants", "c wants", "b got", "b releases", "c got", "c releases"});
}

TEST_CASE("Lock: a waiter cancelled while waiting never holds the lock [S73]", "[lock][S73]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Lock lock;
    bool got = false;
    co_await lock.acquire();
    auto t = sl::create_task([&]() -> sl::Coro<void> {
      co_await lock.acquire();
      got = true;
      lock.release();
    });
    co_await sl::sleep(1s);
    CHECK(lock.waiter_count() == 1);
    t.cancel();
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
    CHECK_FALSE(got);
    CHECK(lock.waiter_count() == 0);
    lock.release();
    CHECK_FALSE(lock.locked());
    // Free and without waiters: the next acquire takes it at once.
    bool r = co_await lock.acquire();
    CHECK(r);
    lock.release();
  });
}

TEST_CASE("Lock: a newcomer does not barge past a woken waiter [S72]", "[lock][S72]") {
  // python3: after release() wakes waiter a, lock.locked() is False but a
  // new acquire() queues behind a (waiters not all cancelled).
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Lock lock;
    co_await lock.acquire();
    auto a = sl::create_task([&]() -> sl::Coro<void> {
      co_await lock.acquire();
      log.push_back("a");
      lock.release();
    });
    co_await sl::sleep(0s);
    lock.release();
    CHECK_FALSE(lock.locked());
    co_await lock.acquire();  // queues: a goes first
    log.push_back("main");
    lock.release();
    co_await a;
  });
  CHECK(log == Log{"a", "main"});
}

TEST_CASE("Lock: scoped() guard releases at scope exit, on exception and on cancellation", "[lock][guard]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Lock lock;
    {
      auto g = co_await lock.scoped();
      CHECK(g.owns());
      CHECK(lock.locked());
    }
    CHECK_FALSE(lock.locked());

    try {
      auto g = co_await lock.scoped();
      throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(lock.locked());

    auto t = sl::create_task([&]() -> sl::Coro<void> {
      auto g = co_await lock.scoped();
      co_await sl::sleep(10s);  // cancelled here, holding the lock
    });
    co_await sl::sleep(1s);
    CHECK(lock.locked());
    t.cancel();
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
    CHECK_FALSE(lock.locked());

    auto g = co_await lock.scoped();
    g.release();  // early release
    CHECK_FALSE(g.owns());
    CHECK_FALSE(lock.locked());
  });
}

TEST_CASE("Lock: aenter/aexit make `async with lock` (async_with) release on exit, exception, cancellation",
          "[lock][async_with]") {
  auto r = sl::sim::run([]() -> sl::Coro<int> {
    sl::Lock lock;
    co_await lock.aenter();
    CHECK(lock.locked());
    co_await lock.aexit(nullptr);
    CHECK_FALSE(lock.locked());

    // aexit never suppresses (asyncio's returns None): the body's value comes back as is.
    int n = co_await sl::async_with(lock, [&]() -> sl::Coro<int> {
      CHECK(lock.locked());
      co_return 7;
    });
    CHECK_FALSE(lock.locked());

    std::string what;
    try {
      co_await sl::async_with(lock, [&]() -> sl::Coro<void> {
        throw std::runtime_error("in body");
        co_return;
      });
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "in body");
    CHECK_FALSE(lock.locked());

    auto t = sl::create_task([&]() -> sl::Coro<void> {
      co_await sl::async_with(lock, [&]() -> sl::Coro<void> { co_await sl::sleep(10s); });
    });
    co_await sl::sleep(1s);
    CHECK(lock.locked());
    t.cancel();
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
    CHECK_FALSE(lock.locked());
    co_return n;
  });
  CHECK(r.value == 7);
  CHECK(r.elapsed == 1s);
}

// Exhaustive exploration of a two-task handoff: A holds the lock across two
// yields, B waits for it (and C, never cancelled, behind B, so that a lost
// hand-off shows as a deadlock); a canceller cancels A, B or both after k loop
// iterations, for every k until the scenario is over. At every iteration a
// monitor checks that the lock is held exactly when some task owns it, and at
// the end nothing holds it and a B that was not cancelled got it. (A
// scheduler-driven dfs can replay the same space once sim::explore exists;
// here the cancellation instant is the only choice, enumerated directly.)
namespace {
enum class Target { a, b, both };

// Marks the owner while in scope; declared after the guard, so it is cleared
// before the guard releases (also when the scope is left by a cancellation).
struct Owning {
  std::optional<char>& owner;
  Owning(std::optional<char>& o, char who) : owner(o) { owner = who; }
  ~Owning() { owner.reset(); }
};

struct Outcome {
  bool b_got = false;
  bool c_got = false;
  bool b_cancelled = false;
  bool a_cancelled = false;
  int violations = 0;
};

Outcome handoff(Target target, int k) {
  Outcome out;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Lock lock;
    std::optional<char> owner;
    bool done = false;
    auto holder = sl::create_task([&]() -> sl::Coro<void> {
      auto g = co_await lock.scoped();
      Owning mark(owner, 'A');
      co_await sl::sleep(0s);
      co_await sl::sleep(0s);
    });
    auto waiter = sl::create_task([&]() -> sl::Coro<void> {
      auto g = co_await lock.scoped();
      Owning mark(owner, 'B');
      out.b_got = true;
      co_await sl::sleep(0s);
    });
    // A third party, never cancelled: a lock handed to a cancelled B must
    // reach it (with only two tasks a lost hand-off would go unnoticed).
    auto third = sl::create_task([&]() -> sl::Coro<void> {
      auto g = co_await lock.scoped();
      Owning mark(owner, 'C');
      out.c_got = true;
    });
    auto monitor = sl::create_task([&]() -> sl::Coro<void> {
      while (!done) {
        if (lock.locked() != owner.has_value()) ++out.violations;
        co_await sl::sleep(0s);
      }
    });
    for (int i = 0; i < k; ++i) co_await sl::sleep(0s);
    if (target != Target::b) holder.cancel();
    if (target != Target::a) waiter.cancel();
    try {
      co_await holder;
    } catch (const sl::CancelledError&) {
    }
    try {
      co_await waiter;
    } catch (const sl::CancelledError&) {
    }
    co_await third;
    out.a_cancelled = holder.cancelled();
    out.b_cancelled = waiter.cancelled();
    if (lock.locked() || owner || lock.waiter_count() != 0) ++out.violations;
    done = true;
    co_await monitor;
  });
  return out;
}
}  // namespace

TEST_CASE("Lock: cancellation at every point of a two-task handoff never strands the lock [S73]",
          "[lock][S73][exhaustive]") {
  for (Target target : {Target::a, Target::b, Target::both}) {
    for (int k = 0; k <= 8; ++k) {
      CAPTURE(static_cast<int>(target), k);
      Outcome o = handoff(target, k);
      CHECK(o.violations == 0);
      CHECK(o.c_got);
      if (target == Target::a) {
        CHECK(o.b_got);  // B is never cancelled: it must get the lock
        CHECK_FALSE(o.b_cancelled);
      }
      if (!o.b_cancelled) CHECK(o.b_got);
    }
  }
  // Late cancellations hit finished tasks: nothing is cancelled.
  Outcome late = handoff(Target::both, 8);
  CHECK_FALSE(late.a_cancelled);
  CHECK_FALSE(late.b_cancelled);
  // Early ones hit both before they took anything.
  Outcome early = handoff(Target::both, 0);
  CHECK(early.a_cancelled);
  CHECK(early.b_cancelled);
  CHECK_FALSE(early.b_got);
}

namespace {
// The same handoff as a test for the scheduler: which task is cancelled and
// after how many iterations are choices (decide), and with ready-order
// exploration the cancel may land between any two callbacks. Throws on an
// ownerless lock, so that sim::explore reports the schedule.
sl::Coro<void> handoff_under_scheduler() {
  sl::Loop& loop = sl::get_running_loop();
  sl::Lock lock;
  std::optional<char> owner;
  auto check = [&] {
    if (lock.locked() != owner.has_value()) throw std::logic_error("lock held with no owner (or owner without lock)");
  };
  auto holder = sl::create_task([&]() -> sl::Coro<void> {
    auto g = co_await lock.scoped();
    Owning mark(owner, 'A');
    check();
    co_await sl::sleep(0s);
    co_await sl::sleep(0s);
  });
  auto waiter = sl::create_task([&]() -> sl::Coro<void> {
    auto g = co_await lock.scoped();
    Owning mark(owner, 'B');
    check();
    co_await sl::sleep(0s);
  });
  auto third = sl::create_task([&]() -> sl::Coro<void> {  // never cancelled: must get the lock
    auto g = co_await lock.scoped();
    Owning mark(owner, 'C');
    check();
  });
  std::size_t target = loop.decide(3, sl::ChoicePoint::buggify);  // 0: A, 1: B, 2: both
  std::size_t k = loop.decide(8, sl::ChoicePoint::buggify);       // iterations before the cancel
  for (std::size_t i = 0; i < k; ++i) {
    check();
    co_await sl::sleep(0s);
  }
  if (target != 1) holder.cancel();
  if (target != 0) waiter.cancel();
  for (auto* t : {&holder, &waiter}) {
    try {
      co_await *t;
    } catch (const sl::CancelledError&) {
    }
  }
  co_await third;  // a lost hand-off leaves C waiting forever: the run fails with a deadlock
  check();
  if (lock.locked() || lock.waiter_count() != 0) throw std::logic_error("lock left held after the handoff");
  if (target == 0 && !waiter.done()) throw std::logic_error("the waiter never got the lock");
}
}  // namespace

TEST_CASE("Lock: dfs over cancellation instant, target and ready order never strands the lock [S73]",
          "[lock][S73][dfs]") {
  auto report = sl::sim::explore(handoff_under_scheduler, {.runs = 20'000,
                                                           .strategy = sl::sim::Strategy::dfs,
                                                           .explore_ready_order = true,
                                                           .dfs_deviations_max = 3});
  INFO(report.to_string());
  CHECK_FALSE(report.failure);
  CHECK(report.exhausted);
  CHECK(report.runs > 24);  // at least every (target, k) pair was run
}
