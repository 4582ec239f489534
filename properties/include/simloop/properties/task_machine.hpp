#pragma once
// Model-based test of the Task state machine (rapidcheck/state.h), as
// future_machine.hpp does for Future.
//
// System under test: one Task on a SimLoop that the commands drive one
// iteration at a time. Its coroutine (a TaskProgram) awaits n <= 3 futures
// that only the commands complete, in order; at await i it may catch
// CancelledError and go on (suppression [S30]); after the last await it
// returns a value or raises. Everything it does is logged, and so is every
// done callback run, in one log, so the model checks their relative order too.
//
// Model (CPython 3.11.7 tasks.py, Task.cancel / __step / __wakeup):
//   not started --first step--> started --coroutine returns--> done (value)
//                                       --raises e-----------> done (error e)
//                                       --raises Cancelled---> cancelled
//   not started --first step with a cancel requested--> cancelled, body never ran [S28]
// "running" is modelled as started-and-pending: asyncio keeps a running
// task's _state PENDING, and task.hpp records that decision (CPython wins over
// DESIGN.md's "running" state, which belongs to executor futures).
//   cancel(msg)  done: False, nothing changes [S32]. Else cancelling()+1 and
//                True [S31]; if the task is suspended on a pending future
//                that future is cancelled with msg (its wake-up is scheduled)
//                [S29]; otherwise must_cancel: the next step throws
//                CancelledError(msg) in, replacing what the wake-up carried
//                [S34]. A second cancel() while one is undelivered still
//                returns True and counts (3.11: the "controversial" early
//                return is commented out; checked with python3: cancel twice
//                -> True True, cancelling() == 2).
//   uncancel()   cancelling()-1, never below 0 [S33]; it does not clear
//                must_cancel (3.11.7: a task cancelled then uncancelled before
//                its first step is still cancelled, checked with python3).
//   result()/exception()  pending: InvalidStateError [S15]; cancelled:
//                CancelledError, the first retrieval carrying the message the
//                coroutine died with, later ones none (_make_cancelled_error
//                hands out _cancelled_exc once; python3: ('p',) then ()) [S17].
//   done callbacks  scheduled with call_soon when the task ends (or at once
//                when added to a done task), run once each, in registration
//                order, only by the loop [S18-S21].
//
// The SUT is a TaskSut, so deliberately wrong tasks (mutants_props.cpp) go
// through the same commands.
#include <simloop/properties/future_machine.hpp>
#include <simloop/task.hpp>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <array>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace simloop::properties {

// A SimLoop whose iterations the test runs one at a time, as the running loop
// (a task's awaits need get_running_loop()). The stop callback goes last in
// the batch, so the iteration runs exactly what was ready when it started [S2].
class RunningStepLoop : public sim::SimLoop {
 public:
  RunningStepLoop() : sim::SimLoop(sim::SimConfig{.quiet = true}) {}
  // Teardown while this class's report() is still the one called.
  ~RunningStepLoop() override { close(); }
  void step() {
    if (ready_count() == 0) return;
    call_soon([this] { stop(); });
    run_forever();
  }

 protected:
  // Expected: "Task was destroyed but it is pending!" for the task left at
  // teardown, unretrieved errors of futures the task never awaited.
  void report(const std::string&) override {}
};

// What the task's coroutine does.
struct TaskProgram {
  int awaits = 0;                          // futures awaited, in order (<= 3)
  std::array<bool, 3> catches{};           // await i catches CancelledError and goes on
  bool raises = false;                     // after the awaits: raise e<value> ...
  int value = 100;                         // ... or return value (100..199: not a future's value)
};

inline void showValue(const TaskProgram& p, std::ostream& os) {
  os << "task{";
  for (int i = 0; i < p.awaits; ++i) os << " await f" << i << (p.catches[std::size_t(i)] ? " (catch Cancelled);" : ";");
  os << (p.raises ? " raise e" : " return ") << p.value << " }";
}

namespace gen {
inline rc::Gen<TaskProgram> task_program() {
  return rc::gen::exec([] {
    TaskProgram p;
    p.awaits = *rc::gen::inRange(0, 4);
    for (auto& c : p.catches) c = *rc::gen::arbitrary<bool>();
    p.raises = *rc::gen::inRange(0, 3) == 2;  // shrinks toward "returns"
    p.value = *rc::gen::inRange(100, 200);
    return p;
  });
}
}  // namespace gen

// The calls the commands make. log(): "start", "got i v", "caught i msg" from
// the coroutine, "cb<id>" from done callbacks, in the order they happened.
struct TaskSut {
  virtual ~TaskSut() = default;
  virtual bool cancel(const std::string& msg) = 0;
  virtual int uncancel() = 0;
  virtual int cancelling() = 0;
  virtual void step() = 0;
  virtual void set_future(int j, bool exc, int v) = 0;
  virtual bool done() = 0;
  virtual bool cancelled() = 0;
  virtual FutureState state() = 0;
  virtual bool started() = 0;
  virtual int result() = 0;  // throws what Task::result throws
  virtual std::exception_ptr exception() = 0;
  virtual void add_done_callback(int id) = 0;
  virtual std::size_t remove_done_callback(int id) = 0;
  std::vector<std::string> log;
};

namespace detail {
inline Coro<int> task_program_body(TaskProgram p, std::vector<Future<int>> futs, std::vector<std::string>* log) {
  log->push_back("start");
  for (int i = 0; i < p.awaits; ++i) {
    try {
      int v = co_await futs[std::size_t(i)];
      log->push_back("got " + std::to_string(i) + " " + std::to_string(v));
    } catch (const CancelledError& e) {
      if (!p.catches[std::size_t(i)]) throw;
      log->push_back("caught " + std::to_string(i) + " " + e.message());
    }
  }
  if (p.raises) throw std::runtime_error("e" + std::to_string(p.value));
  co_return p.value;
}
}  // namespace detail

class RealTaskSut : public TaskSut {
 public:
  explicit RealTaskSut(const TaskProgram& p) {
    for (int j = 0; j < p.awaits; ++j) futs_.emplace_back(loop_);
    task_ = create_task(loop_, detail::task_program_body(p, futs_, &log));
  }
  bool cancel(const std::string& msg) override { return task_.cancel(msg); }
  int uncancel() override { return task_.uncancel(); }
  int cancelling() override { return task_.cancelling(); }
  void step() override { loop_.step(); }
  void set_future(int j, bool exc, int v) override {
    auto& f = futs_[std::size_t(j)];
    if (exc) f.set_exception(std::runtime_error("e" + std::to_string(v)));
    else f.set_result(v);
  }
  bool done() override { return task_.done(); }
  bool cancelled() override { return task_.cancelled(); }
  FutureState state() override { return task_.state(); }
  bool started() override { return task_.task()->started(); }
  int result() override { return task_.result(); }
  std::exception_ptr exception() override { return task_.exception(); }
  void add_done_callback(int id) override {
    ids_[id] = task_.add_done_callback([this, id]() { log.push_back("cb" + std::to_string(id)); });
  }
  std::size_t remove_done_callback(int id) override { return task_.remove_done_callback(ids_[id]); }

 protected:
  RunningStepLoop loop_;  // first member: outlives the task and futures
  std::vector<Future<int>> futs_;
  Task<int> task_;
  std::uint64_t ids_[8] = {};
};

struct TaskModel {
  enum class Phase { not_started, started, value, error, cancelled };
  struct Fut {
    enum class S { pending, value, error, cancelled } s = S::pending;
    int v = 0;
    std::string msg;
  };
  struct Item {
    bool is_step = true;  // the task's next step (first step or wake-up), else a done callback
    int cb = 0;
  };

  TaskProgram prog;
  Phase phase = Phase::not_started;
  int at = 0;  // started: the await the task is suspended on
  std::vector<Fut> futs;
  int cancelling = 0;
  bool must_cancel = false;
  std::string cancel_msg;
  int error_v = 0;              // error: e<error_v>
  std::string delivered_msg;    // cancelled: the message the coroutine died with
  bool cancel_retrieved = false;
  std::vector<Item> ready{Item{}};  // create_task schedules the first step [S25]
  std::vector<int> registered;
  std::vector<int> used_ids;
  std::vector<std::string> log;

  explicit TaskModel(const TaskProgram& p) : prog(p), futs(std::size_t(p.awaits)) {}
  bool done() const { return phase == Phase::value || phase == Phase::error || phase == Phase::cancelled; }

  void finish(Phase to) {
    phase = to;
    for (int id : registered) ready.push_back(Item{false, id});
    registered.clear();
  }

  // One loop iteration: exactly the items ready when it starts [S2].
  void step() {
    auto batch = std::move(ready);
    ready.clear();
    for (const auto& it : batch) {
      if (it.is_step) task_step();
      else log.push_back("cb" + std::to_string(it.cb));
    }
  }

 private:
  enum class Exc { none, error, cancel };
  // Task.__step: what is thrown in, then the coroutine until it suspends or ends.
  void task_step() {
    Exc exc = Exc::none;
    int v = 0;
    std::string msg;
    if (phase == Phase::started) {
      const Fut& f = futs[std::size_t(at)];  // the wake-up reads the awaited future
      if (f.s == Fut::S::value) v = f.v;
      else if (f.s == Fut::S::error) { exc = Exc::error; v = f.v; }
      else { exc = Exc::cancel; msg = f.msg; }
    }
    if (must_cancel) {
      if (exc != Exc::cancel) { exc = Exc::cancel; msg = cancel_msg; }
      must_cancel = false;
    }
    int i = 0;
    if (phase == Phase::not_started) {
      if (exc == Exc::cancel) { delivered_msg = msg; finish(Phase::cancelled); return; }  // [S28]
      phase = Phase::started;
      log.push_back("start");
      if (!advance(i, exc, v, msg)) return;
    } else {
      i = at;
    }
    while (true) {
      // The await i completes with (exc, v, msg).
      if (exc == Exc::error) { error_v = v; finish(Phase::error); return; }
      if (exc == Exc::cancel) {
        if (!prog.catches[std::size_t(i)]) { delivered_msg = msg; finish(Phase::cancelled); return; }
        log.push_back("caught " + std::to_string(i) + " " + msg);  // [S30]
      } else {
        log.push_back("got " + std::to_string(i) + " " + std::to_string(v));
      }
      ++i;
      if (!advance(i, exc, v, msg)) return;
    }
  }
  // Runs the coroutine up to await i: false if it suspended or ended, else
  // the outcome of the already-done future it awaits (no suspension [S23]).
  bool advance(int i, Exc& exc, int& v, std::string& msg) {
    if (i == prog.awaits) {
      if (prog.raises) { error_v = prog.value; finish(Phase::error); }
      else finish(Phase::value);
      return false;
    }
    const Fut& f = futs[std::size_t(i)];
    if (f.s == Fut::S::pending) { at = i; return false; }
    exc = f.s == Fut::S::value ? Exc::none : f.s == Fut::S::error ? Exc::error : Exc::cancel;
    v = f.v;
    msg = f.msg;
    return true;
  }
};

using TaskCmd = rc::state::Command<TaskModel, TaskSut>;

namespace task_cmd {
using cmd::capture;
using cmd::error_value;
using cmd::is_invalid_state;

// The message of a CancelledError, or "<not cancelled>".
inline std::string cancelled_message(const std::exception_ptr& e) {
  if (!e) return "<none>";
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError& c) {
    return c.message();
  } catch (...) {
  }
  return "<not cancelled>";
}

struct Cancel : TaskCmd {
  std::string msg = "m" + std::to_string(*rc::gen::inRange(0, 10));
  void apply(TaskModel& m) const override {
    if (m.done()) return;
    ++m.cancelling;
    if (m.phase == TaskModel::Phase::started && m.futs[std::size_t(m.at)].s == TaskModel::Fut::S::pending) {
      m.futs[std::size_t(m.at)] = {TaskModel::Fut::S::cancelled, 0, msg};  // [S29]
      m.ready.push_back({});  // the future's done callback: the task's wake-up
    } else {
      m.must_cancel = true;  // [S28] [S34]
      m.cancel_msg = msg;
    }
  }
  void run(const TaskModel& m, TaskSut& s) const override {
    RC_ASSERT(s.cancel(msg) == !m.done());  // [S31] [S32]
    RC_ASSERT(s.cancelled() == (m.phase == TaskModel::Phase::cancelled));  // not cancelled until a step [S28]
    RC_ASSERT(s.log == m.log);
  }
  void show(std::ostream& os) const override { os << "cancel(\"" << msg << "\")"; }
};
struct Uncancel : TaskCmd {
  void apply(TaskModel& m) const override {
    if (m.cancelling > 0) --m.cancelling;
  }
  void run(const TaskModel& m, TaskSut& s) const override {
    RC_ASSERT(s.uncancel() == std::max(0, m.cancelling - 1));  // [S33]
  }
  void show(std::ostream& os) const override { os << "uncancel()"; }
};
struct Cancelling : TaskCmd {
  void apply(TaskModel&) const override {}
  void run(const TaskModel& m, TaskSut& s) const override { RC_ASSERT(s.cancelling() == m.cancelling); }  // [S31]
  void show(std::ostream& os) const override { os << "cancelling()"; }
};
struct SetFuture : TaskCmd {
  int j = *rc::gen::inRange(0, 3);
  bool exc = *rc::gen::inRange(0, 3) == 2;  // shrinks toward set_result
  int v = *rc::gen::inRange(0, 100);
  void checkPreconditions(const TaskModel& m) const override {
    RC_PRE(j < m.prog.awaits);
    RC_PRE(m.futs[std::size_t(j)].s == TaskModel::Fut::S::pending);
  }
  void apply(TaskModel& m) const override {
    m.futs[std::size_t(j)] = {exc ? TaskModel::Fut::S::error : TaskModel::Fut::S::value, v, {}};
    if (m.phase == TaskModel::Phase::started && m.at == j) m.ready.push_back({});  // wake-up
  }
  void run(const TaskModel& m, TaskSut& s) const override {
    s.set_future(j, exc, v);
    RC_ASSERT(s.log == m.log);  // nothing runs inline [S18]
  }
  void show(std::ostream& os) const override { os << "f" << j << (exc ? ".set_exception(e" : ".set_result(") << v << ")"; }
};
struct Step : TaskCmd {
  void apply(TaskModel& m) const override { m.step(); }
  void run(const TaskModel& m, TaskSut& s) const override {
    s.step();
    TaskModel after = m;
    after.step();
    RC_ASSERT(s.log == after.log);  // the body's progress and callbacks once each, in order [S19]
    RC_ASSERT(s.done() == after.done());
    RC_ASSERT(s.cancelled() == (after.phase == TaskModel::Phase::cancelled));
  }
  void show(std::ostream& os) const override { os << "step()"; }
};
struct Done : TaskCmd {
  void apply(TaskModel&) const override {}
  void run(const TaskModel& m, TaskSut& s) const override { RC_ASSERT(s.done() == m.done()); }
  void show(std::ostream& os) const override { os << "done()"; }
};
struct Cancelled : TaskCmd {
  void apply(TaskModel&) const override {}
  void run(const TaskModel& m, TaskSut& s) const override {
    RC_ASSERT(s.cancelled() == (m.phase == TaskModel::Phase::cancelled));
  }
  void show(std::ostream& os) const override { os << "cancelled()"; }
};
// state() stays pending while the coroutine has started and not ended (the
// "running" of the model is started-and-pending, as CPython).
struct State : TaskCmd {
  void apply(TaskModel&) const override {}
  void run(const TaskModel& m, TaskSut& s) const override {
    using P = TaskModel::Phase;
    const auto want = m.phase == P::cancelled ? FutureState::cancelled : m.done() ? FutureState::done : FutureState::pending;
    RC_ASSERT(s.state() == want);
    if (!m.done()) RC_ASSERT(s.started() == (m.phase == P::started));
  }
  void show(std::ostream& os) const override { os << "state()"; }
};
struct Result : TaskCmd {
  void apply(TaskModel& m) const override {
    if (m.phase == TaskModel::Phase::cancelled) m.cancel_retrieved = true;
  }
  void run(const TaskModel& m, TaskSut& s) const override {
    int r = -1;
    auto e = capture([&] { r = s.result(); });
    switch (m.phase) {
      case TaskModel::Phase::value: RC_ASSERT(!e && r == m.prog.value); break;  // [S27]
      case TaskModel::Phase::error: RC_ASSERT(e && error_value(e) == m.error_v); break;
      case TaskModel::Phase::cancelled:  // [S17] [S35]
        RC_ASSERT(cancelled_message(e) == (m.cancel_retrieved ? std::string() : m.delivered_msg));
        break;
      default: RC_ASSERT(e && is_invalid_state(e));  // [S15]
    }
  }
  void show(std::ostream& os) const override { os << "result()"; }
};
struct Exception : TaskCmd {
  void apply(TaskModel& m) const override {
    if (m.phase == TaskModel::Phase::cancelled) m.cancel_retrieved = true;
  }
  void run(const TaskModel& m, TaskSut& s) const override {
    std::exception_ptr got;
    auto e = capture([&] { got = s.exception(); });
    switch (m.phase) {
      case TaskModel::Phase::value: RC_ASSERT(!e && !got); break;
      case TaskModel::Phase::error: RC_ASSERT(!e && got && error_value(got) == m.error_v); break;
      case TaskModel::Phase::cancelled:
        RC_ASSERT(cancelled_message(e) == (m.cancel_retrieved ? std::string() : m.delivered_msg));
        break;
      default: RC_ASSERT(e && is_invalid_state(e));
    }
  }
  void show(std::ostream& os) const override { os << "exception()"; }
};
struct AddCallback : TaskCmd {
  int id = *rc::gen::inRange(0, 8);
  void checkPreconditions(const TaskModel& m) const override {
    RC_PRE(std::find(m.used_ids.begin(), m.used_ids.end(), id) == m.used_ids.end());  // each id once: the log names it
  }
  void apply(TaskModel& m) const override {
    m.used_ids.push_back(id);
    if (m.done()) m.ready.push_back({false, id});  // [S20]
    else m.registered.push_back(id);
  }
  void run(const TaskModel& m, TaskSut& s) const override {
    s.add_done_callback(id);
    RC_ASSERT(s.log == m.log);
  }
  void show(std::ostream& os) const override { os << "add_done_callback(cb" << id << ")"; }
};
struct RemoveCallback : TaskCmd {
  int id = *rc::gen::inRange(0, 8);
  void checkPreconditions(const TaskModel& m) const override {
    RC_PRE(std::find(m.registered.begin(), m.registered.end(), id) != m.registered.end());
  }
  void apply(TaskModel& m) const override { std::erase(m.registered, id); }
  void run(const TaskModel&, TaskSut& s) const override { RC_ASSERT(s.remove_done_callback(id) == 1u); }  // [S21]
  void show(std::ostream& os) const override { os << "remove_done_callback(cb" << id << ")"; }
};
}  // namespace task_cmd

// The property, for a SUT made by `make(program)`.
template <class MakeSut>
auto task_machine_property(MakeSut make) {
  return [make] {
    const TaskProgram p = *gen::task_program();
    auto sut = make(p);
    rc::state::check(TaskModel(p), *sut,
                     rc::state::gen::execOneOfWithArgs<task_cmd::Cancel, task_cmd::Uncancel, task_cmd::Cancelling,
                                                       task_cmd::SetFuture, task_cmd::SetFuture, task_cmd::Step,
                                                       task_cmd::Step, task_cmd::Done, task_cmd::Cancelled,
                                                       task_cmd::State, task_cmd::Result, task_cmd::Exception,
                                                       task_cmd::AddCallback, task_cmd::RemoveCallback>());
  };
}

}  // namespace simloop::properties
