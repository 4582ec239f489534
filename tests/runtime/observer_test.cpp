// LoopObserver's step starts (issue 8): an observer that defers them is not
// called when a step starts; the loop keeps the start (the task and how it
// began) until the observer takes it, which it does before anything else
// it hears of. SimLoop's trace relies on this (its golden hashes pin the
// result); these tests pin the protocol itself, on the real loop.
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {

struct StepLog : sl::LoopObserver {
  sl::Loop* loop = nullptr;
  std::vector<std::string> log;
  std::map<std::uint64_t, std::string> names;  // by task id
  explicit StepLog(bool defer) { defers_step_starts_ = defer; }

  // What a deferring observer does first in every hook.
  void take_start() {
    if (!loop->has_step_start()) return;
    const std::uint64_t w = loop->take_step_start();
    const char* how = (w & sl::Loop::StepState::kThrowing)    ? "throwing"
                      : (w & sl::Loop::StepState::kLaterStep) ? "later"
                                                              : "first";
    log.push_back("start " + names.at(sl::Loop::step_start_task_id(w)) + " " + how);
  }
  void on_task_created(const sl::detail::TaskBase& t) override {
    take_start();
    names[t.task_id()] = t.name();
    log.push_back("created " + t.name());
  }
  void on_task_step(const sl::detail::TaskBase& t, bool throwing) override {
    take_start();
    log.push_back("step " + t.name() + (throwing ? " throwing" : ""));
  }
  void on_task_suspended(const sl::detail::TaskBase& t, const sl::detail::FutureBase* f) override {
    take_start();
    log.push_back((f ? "suspended " : "yielded ") + t.name());
  }
  void on_task_finished(const sl::detail::TaskBase& t) override {
    take_start();
    log.push_back("finished " + t.name());
  }
  void on_cancel_requested(const sl::detail::TaskBase& t, const std::string&) override {
    take_start();
    log.push_back("cancel " + t.name());
  }
};

sl::Coro<int> yield_once() {
  co_await sl::sleep(0s);
  co_return 1;
}

sl::Coro<void> parent() {
  auto child = sl::create_task(yield_once(), "child");
  co_await child;
}

sl::Coro<void> sleep_long() { co_await sl::sleep(1h); }

sl::Coro<void> cancelled_child() {
  auto child = sl::create_task(sleep_long(), "sleeper");
  co_await sl::sleep(0s);  // the child starts and parks on its timer
  child.cancel();
  try {
    co_await child;
  } catch (const sl::CancelledError&) {
  }
}

std::vector<std::string> run_logged(StepLog& obs, sl::Coro<void> main) {
  sl::RealLoop loop;
  obs.loop = &loop;
  loop.set_observer(&obs);
  loop.run_until_complete(std::move(main));
  loop.close();
  return obs.log;
}

}  // namespace

TEST_CASE("a deferring observer takes each step's start before anything else it hears of", "[loop][observer]") {
  StepLog obs(true);
  auto log = run_logged(obs, parent());
  const std::vector<std::string> want = {
      "created Task-1",       // run_until_complete's task, before any step
      "start Task-1 first",   // taken when the step creates the child
      "created child",        //
      "suspended Task-1",     // on the child
      "start child first",    //
      "yielded child",        // sleep(0)
      "start child later",    //
      "finished child",       //
      "start Task-1 later",   // woken by the child's end
      "finished Task-1",
  };
  CHECK(log == want);
  // Never called for a start the loop could keep.
  for (const auto& line : log) CHECK(line.rfind("step ", 0) != 0);
}

TEST_CASE("an observer that does not defer hears of every step start as it happens", "[loop][observer]") {
  StepLog obs(false);
  auto log = run_logged(obs, parent());
  const std::vector<std::string> want = {
      "created Task-1", "step Task-1",     "created child", "suspended Task-1", "step child",
      "yielded child",  "step child",      "finished child", "step Task-1",     "finished Task-1",
  };
  CHECK(log == want);
}

TEST_CASE("a step that throws in is kept as such: a cancelled task's last step", "[loop][observer]") {
  StepLog obs(true);
  auto log = run_logged(obs, cancelled_child());
  const std::vector<std::string> want = {
      "created Task-1",       "start Task-1 first",       "created sleeper", "yielded Task-1",
      "start sleeper first",  "suspended sleeper",        // on its timer
      "start Task-1 later",   "cancel sleeper",           "suspended Task-1",
      "start sleeper throwing", "finished sleeper",       // CancelledError thrown in at the await
      "start Task-1 throwing", "finished Task-1",         // awaiting it: its CancelledError too
  };
  CHECK(log == want);
}

TEST_CASE("a start still kept when the next step begins is told first, in order", "[loop][observer]") {
  // A task awaiting itself ends its step with no suspension to hear of (the
  // error is thrown in at the await by the next step), so its start is
  // still kept when that next step begins: the loop then calls on_task_step,
  // and the observer takes the older start first.
  StepLog obs(true);
  auto log = run_logged(obs, []() -> sl::Coro<void> {
    sl::Task<int> self;
    self = sl::create_task(
        [&]() -> sl::Coro<int> {
          try {
            co_await self;
          } catch (const std::runtime_error&) {
          }
          co_return 0;
        },
        "selfish");
    co_await self;
  }());
  const std::vector<std::string> want = {
      "created Task-1",       "start Task-1 first",        "created selfish", "suspended Task-1",
      "start selfish first",  "step selfish throwing",     // the kept start, then the new one
      "finished selfish",     "start Task-1 later",        "finished Task-1",
  };
  CHECK(log == want);
}
