// Every diagnostic of a simulated run, triggered, with its report's text.
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <stdexcept>

namespace sl = simloop;
namespace sim = simloop::sim;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

sl::Coro<void> deadlocked() {
  sl::Future<int> never(sl::get_running_loop());
  auto waiter = sl::create_task([&]() -> sl::Coro<void> { (void)co_await never; }, "waiter");
  co_await waiter;
}

sl::Coro<void> spinning() {
  auto spinner = sl::create_task(
      []() -> sl::Coro<void> {
        while (true) co_await sl::sleep(0s);
      },
      "spinner");
  co_await spinner;
}

sl::Coro<void> ticking() {
  auto ticker = sl::create_task(
      []() -> sl::Coro<void> {
        while (true) co_await sl::sleep(1s);
      },
      "ticker");
  co_await ticker;
}

sl::Coro<void> forgets_a_task() {
  sl::create_task([]() -> sl::Coro<void> { co_await sl::sleep(10s); }, "forgotten");
  co_await sl::sleep(1s);
}

sl::Coro<void> drops_an_exception() {
  {
    auto t = sl::create_task([]() -> sl::Coro<void> {
      co_await sl::sleep(1ms);
      throw std::runtime_error("boom");
    }, "thrower");
    co_await sl::sleep(1s);
  }  // the last handle goes: nobody looked at the exception
  co_await sl::sleep(1s);
}

}  // namespace

TEST_CASE("deadlock: every pending task and what it awaits", "[diagnostics]") {
  CHECK_THROWS_AS(sim::run(deadlocked, {.quiet = true}), sim::Deadlock);
  auto r = sim::explore(deadlocked, {.runs = 5});
  REQUIRE(r.failure);
  const auto& f = *r.failure;
  CHECK(f.kind == sim::FailureKind::deadlock);
  CHECK(f.runs == 1);
  CHECK_THAT(f.message, Contains("deadlock at t=0.000000s: no callback is ready and no timer is pending"));
  CHECK_THAT(f.message, Contains("Task-1: awaits task waiter"));
  CHECK_THAT(f.message, Contains("waiter: awaits future #"));
  CHECK(f.reproduced);
  CHECK_THAT(f.to_string(), Contains("simloop: deadlock found by random after 1 run (seed 0)"));
}

TEST_CASE("hang on the step budget names the running task", "[diagnostics]") {
  CHECK_THROWS_AS(sim::run(spinning, {.steps_max = 1000, .quiet = true}), sim::Hang);
  auto r = sim::explore(spinning, {.runs = 3, .steps_max = 1000});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::hang);
  CHECK_THAT(r.failure->message, Contains("step budget of 1000 callbacks exceeded"));
  CHECK_THAT(r.failure->message, Contains("The task that was running: spinner"));
  CHECK(r.failure->reproduced);
}

TEST_CASE("hang on the virtual-time budget", "[diagnostics]") {
  auto r = sim::try_run(ticking, {.virtual_time_max = 10s, .quiet = true});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::hang);
  CHECK_THAT(r.failure->message, Contains("virtual-time budget of 10.000000s exceeded"));
  CHECK_THAT(r.failure->message, Contains("The task that was running: ticker"));
  CHECK(r.elapsed == 10s);
}

TEST_CASE("a task still pending when main returns: reported, a failure on request", "[diagnostics][S37]") {
  auto ok = sim::try_run(forgets_a_task, {.quiet = true});
  CHECK(!ok.failure);
  REQUIRE(ok.pending_at_end.size() == 1);
  CHECK_THAT(ok.pending_at_end[0], Contains("forgotten was still pending when main returned (awaits future #"));
  auto r = sim::explore(forgets_a_task, {.runs = 3, .fail_on_pending_tasks = true});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::pending_task);
  CHECK_THAT(r.failure->message, Contains("1 task(s) still pending when main returned"));
  CHECK(r.failure->reproduced);  // the token carries fail_on_pending_tasks
  CHECK_THROWS_AS(sim::run(forgets_a_task, {.fail_on_pending_tasks = true, .quiet = true}), sim::LeakError);
}

TEST_CASE("an exception never retrieved: reported, a failure on request", "[diagnostics][S36]") {
  auto ok = sim::try_run(drops_an_exception, {.quiet = true});
  CHECK(!ok.failure);
  REQUIRE(!ok.reports.empty());
  CHECK_THAT(ok.reports[0], Contains("exception was never retrieved"));
  CHECK_THAT(ok.reports[0], Contains("boom"));
  auto r = sim::explore(drops_an_exception, {.runs = 3, .fail_on_unretrieved_exceptions = true});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::unretrieved_exception);
  CHECK_THAT(r.failure->message, Contains("thrower"));
}

TEST_CASE("nondeterminism: the same schedule twice, two hashes, the first differing event", "[diagnostics]") {
  int calls = 0;  // state that leaks from one run into the next
  auto test = [&]() -> sl::Coro<void> {
    ++calls;
    co_await sl::sleep(calls % 2 ? 1s : 2s);
  };
  auto plain = sim::explore(test, {.runs = 4});
  CHECK(!plain.failure);
  auto r = sim::explore(test, {.runs = 4, .check_determinism = true});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::nondeterminism);
  CHECK_THAT(r.failure->message, Contains("the same schedule gave two different runs"));
  CHECK_THAT(r.failure->message, Contains("first difference at event"));
  CHECK_THAT(r.failure->message, Contains("first run:  t=1.000000s"));
  CHECK_THAT(r.failure->message, Contains("second run: t=2.000000s"));
}

TEST_CASE("the test's own exception is a failure with the exception's text", "[diagnostics]") {
  auto test = []() -> sl::Coro<void> {
    co_await sl::sleep(1s);
    throw std::logic_error("invariant broken");
  };
  auto r = sim::explore(test, {.runs = 3});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::exception);
  CHECK_THAT(r.failure->message, Contains("invariant broken"));
  CHECK_THROWS_WITH(sim::run(test), Contains("invariant broken"));
}
