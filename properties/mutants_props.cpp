// Strength: deliberately wrong variants, written here (never as hooks in the
// library), each run through the property it should break. Every one must
// fail, with a shrunk counterexample (scenario + schedule, or the command
// sequence) and a reproduce line.
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/combinator_property.hpp>
#include <simloop/properties/future_machine.hpp>
#include <simloop/properties/gather_property.hpp>
#include <simloop/properties/task_group_property.hpp>
#include <simloop/properties/task_machine.hpp>

#include <iostream>

namespace sl = simloop;
namespace sp = simloop::properties;

namespace {

void expect_caught(const std::string& id, const sp::PropOutcome& r, bool needs_schedule = true) {
  INFO(r.message);
  CHECK_FALSE(r.passed);
  CHECK_FALSE(r.gave_up);
  CHECK_FALSE(r.counterexample.empty());
  CHECK_THAT(r.reproduce, Catch::Matchers::StartsWith("RC_PARAMS=\"reproduce="));
  if (needs_schedule) {
    bool has_schedule = false;
    for (const auto& [type, value] : r.counterexample) has_schedule |= value.rfind("schedule[", 0) == 0;
    CHECK(has_schedule);
  }
  std::cout << "mutant " << id << " caught after " << r.num_success << " passing cases; shrunk to:\n";
  for (const auto& [type, value] : r.counterexample) std::cout << "  " << value << "\n";
}

// 1. gather returning results in completion order.
sl::Coro<std::vector<sl::Outcome<int>>> gather_completion_order(sp::Live& live) {
  auto r = co_await sl::gather(sl::return_exceptions, live.tasks);
  std::vector<sl::Outcome<int>> out;
  for (int i : live.order) out.push_back(r[std::size_t(i)]);
  co_return out;
}

// 2. wait cancelling what is pending on timeout.
sl::Coro<sl::WaitResult<sl::Task<int>>> wait_cancelling(std::vector<sl::Task<int>> fs, sl::WaitOptions o) {
  auto r = co_await sl::wait(std::move(fs), o);
  for (auto& t : r.pending) t.cancel();
  co_return r;
}

// 3. as_completed dropping the second of two results completed at one instant.
sl::Coro<std::vector<sl::Outcome<int>>> as_completed_dropping_tie(std::vector<sl::Task<int>> fs,
                                                                   std::optional<sl::Duration> timeout, bool& timed_out) {
  std::vector<sl::Outcome<int>> out;
  long last = -1;
  bool dropped = false;
  for (auto next : sl::as_completed(std::move(fs), {.timeout = timeout})) {
    std::optional<sl::Outcome<int>> o;
    try {
      o = sl::Outcome<int>::from_value(co_await next);
    } catch (const sl::TimeoutError&) {
      timed_out = true;
      break;
    } catch (...) {
      o = sl::Outcome<int>::from_exception(std::current_exception());
    }
    long now = sp::now_ms();
    if (now == last && !dropped) {
      dropped = true;
      continue;
    }
    last = now;
    out.push_back(std::move(*o));
  }
  co_return out;
}

// 4. wait_for raising TimeoutError right after cancel(), before the inner finished.
sl::Coro<int> wait_for_eager(sl::Task<int> t, sl::Duration d) {
  std::vector<sl::Task<int>> one;
  one.push_back(t);
  sl::WaitOptions o;
  o.timeout = d;
  (void)co_await sl::wait(std::move(one), o);
  if (!t.done()) {
    t.cancel();
    throw sl::TimeoutError(std::string("eager timeout"));
  }
  co_return co_await t;
}

// 5. done callbacks run inline by the setter instead of through the loop.
class InlineCallbacksSut : public sp::RealFutureSut {
 public:
  void set_result(int v) override { RealFutureSut::set_result(v); run_inline(); }
  void set_exception(int v) override { RealFutureSut::set_exception(v); run_inline(); }
  bool cancel() override {
    bool r = RealFutureSut::cancel();
    run_inline();
    return r;
  }
  void add_done_callback(int id) override {
    if (fut_.done()) ran.push_back(id);
    else mine_.push_back(id);
  }
  std::size_t remove_done_callback(int id) override { return std::erase(mine_, id); }

 private:
  void run_inline() {
    if (!fut_.done()) return;
    for (int id : mine_) ran.push_back(id);
    mine_.clear();
  }
  std::vector<int> mine_;
};

// 6. a second set_result accepted (silently ignored).
class SecondSetResultSut : public sp::RealFutureSut {
 public:
  void set_result(int v) override {
    if (!fut_.done()) RealFutureSut::set_result(v);
  }
  void set_exception(int v) override {
    if (!fut_.done()) RealFutureSut::set_exception(v);
  }
};

// 7. cancel() succeeding on a running executor future.
class CancelRunningSut : public sp::RealFutureSut {
 public:
  bool cancel() override { return fut_.state() == sl::FutureState::running ? true : RealFutureSut::cancel(); }
};

// 8. a task whose uncancel() does not decrement the cancel requests.
class UncancelKeepsCountSut : public sp::RealTaskSut {
 public:
  using RealTaskSut::RealTaskSut;
  int uncancel() override { return task_.cancelling(); }
};

// 9. a task whose cancel() reports success on a task that is already done.
class CancelDoneTaskSut : public sp::RealTaskSut {
 public:
  using RealTaskSut::RealTaskSut;
  bool cancel(const std::string& msg) override { return task_.done() ? true : RealTaskSut::cancel(msg); }
};

// 10. a "TaskGroup" that awaits every child but cancels nothing on a failure
// (nor on the parent's cancellation): what gather(return_exceptions) gives.
sl::Coro<void> group_without_abort(sp::GroupBody body) {
  std::vector<sl::Task<int>> kids;
  co_await body([&kids](sl::Coro<int> c) {
    kids.push_back(sl::create_task(std::move(c)));
    return kids.back();
  });
  std::vector<std::exception_ptr> errors;
  for (auto& t : kids) {
    try {
      (void)co_await t;
    } catch (...) {
      if (!t.done()) throw;  // our own cancellation
      if (!t.cancelled()) errors.push_back(std::current_exception());
    }
  }
  if (!errors.empty()) throw sl::ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors));
}

// 11. a TaskGroup that keeps only the first error.
sl::Coro<void> group_first_error_only(sp::GroupBody body) {
  try {
    co_await sp::real_group_impl(std::move(body));
  } catch (const sl::ExceptionGroup& eg) {
    throw sl::ExceptionGroup(eg.message(), {eg.exceptions().front()});
  }
}

}  // namespace

TEST_CASE("mutant: gather returning in completion order breaks the slots property [S42]", "[mutants][S42]") {
  sp::GatherRe impl = [](sp::Live& l) { return gather_completion_order(l); };
  expect_caught("gather-completion-order", sp::check("mutant.gather_order", sp::gather_slots_property(impl), {.max_success = 300}));
}

TEST_CASE("mutant: wait cancelling on timeout breaks the wait property [S51]", "[mutants][S51]") {
  sp::WaitImpl impl = [](std::vector<sl::Task<int>> fs, sl::WaitOptions o) { return wait_cancelling(std::move(fs), o); };
  expect_caught("wait-cancels", sp::check("mutant.wait_cancels", sp::wait_property(impl), {.max_success = 300}));
}

TEST_CASE("mutant: as_completed dropping one of two ties breaks the as_completed property [S62]", "[mutants][S62]") {
  sp::AsCompletedImpl impl = [](std::vector<sl::Task<int>> fs, std::optional<sl::Duration> t, bool& to) {
    return as_completed_dropping_tie(std::move(fs), t, to);
  };
  expect_caught("as-completed-drops-tie", sp::check("mutant.as_completed_tie", sp::as_completed_property(impl), {.max_success = 300}));
}

TEST_CASE("mutant: wait_for raising before the cancelled inner finished breaks the wait_for property [S57]", "[mutants][S57]") {
  sp::WaitForImpl impl = [](sl::Task<int> t, sl::Duration d) { return wait_for_eager(std::move(t), d); };
  expect_caught("wait-for-eager", sp::check("mutant.wait_for_eager", sp::wait_for_property(impl), {.max_success = 300}));
}

TEST_CASE("mutant: shield forwarding cancellation breaks the shield property [S67]", "[mutants][S67]") {
  sp::ShieldImpl impl = [](sl::Task<int> t) { return sl::Future<int>(t); };  // no shield at all
  expect_caught("shield-forwards", sp::check("mutant.shield_forwards", sp::shield_property(impl), {.max_success = 300}));
}

TEST_CASE("mutant: done callbacks run inline break the Future state machine [S18]", "[mutants][S18]") {
  auto p = sp::future_machine_property([] { return std::make_unique<InlineCallbacksSut>(); });
  expect_caught("callbacks-inline", sp::check("mutant.callbacks_inline", p, {.max_success = 300}), false);
}

TEST_CASE("mutant: a second set_result accepted breaks the Future state machine [S14]", "[mutants][S14]") {
  auto p = sp::future_machine_property([] { return std::make_unique<SecondSetResultSut>(); });
  expect_caught("second-set-result", sp::check("mutant.second_set_result", p, {.max_success = 300}), false);
}

TEST_CASE("mutant: cancel succeeding on a running executor future breaks the Future state machine [S24]", "[mutants][S24]") {
  auto p = sp::future_machine_property([] { return std::make_unique<CancelRunningSut>(); });
  expect_caught("cancel-running", sp::check("mutant.cancel_running", p, {.max_success = 300}), false);
}

TEST_CASE("mutant: uncancel() not decrementing breaks the Task state machine [S33]", "[mutants][S33]") {
  auto p = sp::task_machine_property([](const sp::TaskProgram& pr) { return std::make_unique<UncancelKeepsCountSut>(pr); });
  expect_caught("uncancel-keeps-count", sp::check("mutant.uncancel_keeps_count", p, {.max_success = 300}), false);
}

TEST_CASE("mutant: cancel() returning true on a done task breaks the Task state machine [S32]", "[mutants][S32]") {
  auto p = sp::task_machine_property([](const sp::TaskProgram& pr) { return std::make_unique<CancelDoneTaskSut>(pr); });
  expect_caught("cancel-done-task", sp::check("mutant.cancel_done_task", p, {.max_success = 300}), false);
}

TEST_CASE("mutant: a TaskGroup that cancels no sibling on the first failure breaks the TaskGroup property [S69]",
          "[mutants][S69]") {
  sp::GroupImpl impl = [](sp::GroupBody b) { return group_without_abort(std::move(b)); };
  expect_caught("task-group-no-abort", sp::check("mutant.task_group_no_abort", sp::task_group_property(impl), {.max_success = 300}));
}

TEST_CASE("mutant: a TaskGroup keeping only the first error breaks the TaskGroup property [S69]", "[mutants][S69]") {
  sp::GroupImpl impl = [](sp::GroupBody b) { return group_first_error_only(std::move(b)); };
  expect_caught("task-group-first-error", sp::check("mutant.task_group_first_error", sp::task_group_property(impl), {.max_success = 300}));
}
