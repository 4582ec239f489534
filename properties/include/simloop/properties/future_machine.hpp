#pragma once
// Model-based test of the Future state machine (rapidcheck/state.h).
//
// Model: pending -> running (set_running_or_notify_cancel) -> done; pending
// -> done (set_result / set_exception) | cancelled (cancel). Terminal states
// absorb; an illegal call raises InvalidStateError; done callbacks run once
// each, in registration order, and only when the loop runs a step [S18-S24].
//
// The system under test is a FutureSut, so a deliberately wrong future
// (mutants_props.cpp) goes through the same commands.
#include <simloop/errors.hpp>
#include <simloop/future.hpp>
#include <simloop/sim/sim_loop.hpp>

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <vector>

namespace simloop::properties {

// A SimLoop whose iterations the test runs one at a time.
class StepLoop : public sim::SimLoop {
 public:
  // Runs one iteration if anything is ready (never waits: nothing else is scheduled).
  void step() {
    if (ready_count() > 0) run_once();
  }

 protected:
  // Unretrieved exceptions of the futures the test drops are expected.
  void report(const std::string&) override {}
};

// The calls the commands make. ran() is the log of callback ids run.
struct FutureSut {
  virtual ~FutureSut() = default;
  virtual void set_result(int v) = 0;
  virtual void set_exception(int v) = 0;
  virtual bool cancel() = 0;
  virtual bool set_running_or_notify_cancel() = 0;
  virtual void add_done_callback(int id) = 0;
  virtual std::size_t remove_done_callback(int id) = 0;
  virtual int result() = 0;                   // throws what Future::result throws
  virtual std::exception_ptr exception() = 0;
  virtual void step() = 0;
  virtual FutureState state() const = 0;
  std::vector<int> ran;
};

class RealFutureSut : public FutureSut {
 public:
  RealFutureSut() : fut_(loop_) {}
  void set_result(int v) override { fut_.set_result(v); }
  void set_exception(int v) override { fut_.set_exception(std::runtime_error("e" + std::to_string(v))); }
  bool cancel() override { return fut_.cancel(); }
  bool set_running_or_notify_cancel() override { return fut_.set_running_or_notify_cancel(); }
  void add_done_callback(int id) override { ids_[id] = fut_.add_done_callback([this, id]() { ran.push_back(id); }); }
  std::size_t remove_done_callback(int id) override { return fut_.remove_done_callback(ids_[id]); }
  int result() override { return fut_.result(); }
  std::exception_ptr exception() override { return fut_.exception(); }
  void step() override { loop_.step(); }
  FutureState state() const override { return fut_.state(); }

 protected:
  StepLoop loop_;
  Future<int> fut_;
  std::uint64_t ids_[8] = {};
};

struct FutureModel {
  enum class S { pending, running, value, error, cancelled } s = S::pending;
  int v = 0;
  std::vector<int> registered;  // callbacks waiting for done
  std::vector<int> scheduled;   // callbacks the loop will run at its next step
  std::vector<int> ran;
  bool done() const { return s == S::value || s == S::error || s == S::cancelled; }
  void finish(S to) {
    s = to;
    scheduled.insert(scheduled.end(), registered.begin(), registered.end());
    registered.clear();
  }
};

using FutureCmd = rc::state::Command<FutureModel, FutureSut>;

namespace cmd {
// Null-safe: RC_ASSERT decomposes `e && f(e)`, which then evaluates both sides.
inline bool is_invalid_state(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const InvalidStateError&) {
    return true;
  } catch (...) {
    return false;
  }
}
template <class F>
std::exception_ptr capture(F&& f) {
  try {
    f();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}
inline int error_value(const std::exception_ptr& e) {
  if (!e) return -1;
  try {
    std::rethrow_exception(e);
  } catch (const std::runtime_error& r) {
    return std::stoi(std::string(r.what()).substr(1));
  } catch (...) {
  }
  return -1;
}
inline bool is_cancelled(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

struct SetResult : FutureCmd {
  int v = *rc::gen::inRange(0, 100);
  bool exc = *rc::gen::arbitrary<bool>();
  void apply(FutureModel& m) const override {
    if (!m.done()) { m.v = v; m.finish(exc ? FutureModel::S::error : FutureModel::S::value); }
  }
  void run(const FutureModel& m, FutureSut& s) const override {
    auto e = capture([&] { exc ? s.set_exception(v) : s.set_result(v); });
    if (m.done()) RC_ASSERT(e && is_invalid_state(e));  // a second set_result raises InvalidStateError [S14]
    else RC_ASSERT(!e);
    RC_ASSERT(s.ran == m.ran);  // callbacks never run inline [S18]
  }
  void show(std::ostream& os) const override { os << (exc ? "set_exception(" : "set_result(") << v << ")"; }
};
struct Cancel : FutureCmd {
  void apply(FutureModel& m) const override {
    if (m.s == FutureModel::S::pending) m.finish(FutureModel::S::cancelled);
  }
  void run(const FutureModel& m, FutureSut& s) const override {
    RC_ASSERT(s.cancel() == (m.s == FutureModel::S::pending));  // never once running or done [S16] [S24]
    RC_ASSERT(s.ran == m.ran);
  }
  void show(std::ostream& os) const override { os << "cancel()"; }
};
struct SetRunning : FutureCmd {
  void apply(FutureModel& m) const override {
    if (m.s == FutureModel::S::pending) m.s = FutureModel::S::running;
  }
  void run(const FutureModel& m, FutureSut& s) const override {
    bool r = false;
    auto e = capture([&] { r = s.set_running_or_notify_cancel(); });
    if (m.s == FutureModel::S::pending) RC_ASSERT(!e && r);
    else if (m.s == FutureModel::S::cancelled) RC_ASSERT(!e && !r);
    else RC_ASSERT(e && is_invalid_state(e));
  }
  void show(std::ostream& os) const override { os << "set_running_or_notify_cancel()"; }
};
struct AddCallback : FutureCmd {
  int id = *rc::gen::inRange(0, 8);
  void checkPreconditions(const FutureModel& m) const override {
    // Each id registered once (so the log names each registration).
    auto used = [&](const std::vector<int>& v) { return std::find(v.begin(), v.end(), id) != v.end(); };
    RC_PRE(!used(m.registered) && !used(m.scheduled) && !used(m.ran));
  }
  void apply(FutureModel& m) const override { (m.done() ? m.scheduled : m.registered).push_back(id); }  // [S20]
  void run(const FutureModel& m, FutureSut& s) const override {
    s.add_done_callback(id);
    RC_ASSERT(s.ran == m.ran);
  }
  void show(std::ostream& os) const override { os << "add_done_callback(cb" << id << ")"; }
};
struct RemoveCallback : FutureCmd {
  int id = *rc::gen::inRange(0, 8);
  void checkPreconditions(const FutureModel& m) const override {
    RC_PRE(std::find(m.registered.begin(), m.registered.end(), id) != m.registered.end());
  }
  void apply(FutureModel& m) const override { std::erase(m.registered, id); }
  void run(const FutureModel&, FutureSut& s) const override { RC_ASSERT(s.remove_done_callback(id) == 1u); }  // [S21]
  void show(std::ostream& os) const override { os << "remove_done_callback(cb" << id << ")"; }
};
struct Result : FutureCmd {
  void apply(FutureModel&) const override {}
  void run(const FutureModel& m, FutureSut& s) const override {
    int r = -1;
    auto e = capture([&] { r = s.result(); });
    switch (m.s) {
      case FutureModel::S::value: RC_ASSERT(!e && r == m.v); break;
      case FutureModel::S::error: RC_ASSERT(e && error_value(e) == m.v); break;
      case FutureModel::S::cancelled: RC_ASSERT(e && is_cancelled(e)); break;
      default: RC_ASSERT(e && is_invalid_state(e));
    }
  }
  void show(std::ostream& os) const override { os << "result()"; }
};
struct Exception : FutureCmd {
  void apply(FutureModel&) const override {}
  void run(const FutureModel& m, FutureSut& s) const override {
    std::exception_ptr got;
    auto e = capture([&] { got = s.exception(); });
    switch (m.s) {
      case FutureModel::S::value: RC_ASSERT(!e && !got); break;
      case FutureModel::S::error: RC_ASSERT(!e && got && error_value(got) == m.v); break;
      case FutureModel::S::cancelled: RC_ASSERT(e && is_cancelled(e)); break;
      default: RC_ASSERT(e && is_invalid_state(e));
    }
  }
  void show(std::ostream& os) const override { os << "exception()"; }
};
struct Step : FutureCmd {
  void apply(FutureModel& m) const override {
    m.ran.insert(m.ran.end(), m.scheduled.begin(), m.scheduled.end());
    m.scheduled.clear();
  }
  void run(const FutureModel& m, FutureSut& s) const override {
    s.step();
    FutureModel after = m;
    apply(after);
    RC_ASSERT(s.ran == after.ran);  // once each, in registration order [S19]
  }
  void show(std::ostream& os) const override { os << "step()"; }
};
}  // namespace cmd

// The property, for a SUT made by `make`.
template <class MakeSut>
auto future_machine_property(MakeSut make) {
  return [make] {
    auto sut = make();
    rc::state::check(FutureModel{}, *sut,
                     rc::state::gen::execOneOfWithArgs<cmd::SetResult, cmd::Cancel, cmd::SetRunning, cmd::AddCallback,
                                                       cmd::RemoveCallback, cmd::Result, cmd::Exception, cmd::Step>());
    // Drain: whatever is still scheduled runs at the next step, exactly once.
    sut->step();
  };
}

}  // namespace simloop::properties
