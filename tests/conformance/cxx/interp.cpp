// The scenario interpreter on simloop (see interp.hpp). Structure follows
// interp.py's Run class so the two can be read side by side.
#include "interp.hpp"

#include <simloop/as_completed.hpp>
#include <simloop/async_with.hpp>
#include <simloop/gather.hpp>
#include <simloop/shield.hpp>
#include <simloop/sim/failure.hpp>
#include <simloop/sim/sim_loop.hpp>
#include <simloop/sleep.hpp>
#include <simloop/task.hpp>
#include <simloop/task_group.hpp>
#include <simloop/timeout.hpp>
#include <simloop/wait.hpp>
#include <simloop/wait_for.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

// GCC 12 reports a false "maybe-uninitialized" inside std::vector's move
// constructor when a Value (a variant holding a vector of itself) is built
// from a temporary at -O1; clang and GCC at -O0 do not.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace conformance {

namespace sl = simloop;
using sl::Coro;
using sl::Future;
using sl::Task;
using sl::detail::FutureBase;
using sl::detail::Ref;
using sl::detail::TaskBase;

namespace {

sl::Duration ticks(std::int64_t t) { return std::chrono::nanoseconds(t); }
std::optional<sl::Duration> ticks(std::optional<std::int64_t> t) {
  if (!t) return std::nullopt;
  return ticks(*t);
}

// Every labelled body is a Coro<Value>, so every task of a scenario is a
// Task<Value>; these recover the typed handle from the untyped core.
Task<Value> as_task(TaskBase* t) {
  return Task<Value>(Ref<sl::detail::TaskImpl<Value>>(static_cast<sl::detail::TaskImpl<Value>*>(t)));
}

// gather(*args, return_exceptions=RE) over arguments of mixed kinds. simloop's
// gather() takes one C++ type per vector, while a scenario mixes task
// references, coroutines (wrapped into tasks by the gather, in argument order,
// interleaved with the registration of its callbacks exactly as CPython's
// loop) and nested gathers. This is gather_vector() of simloop/gather.hpp with
// the element type left open: the same ensure_future, gather_add, seal and
// GatheringCore (CPython's _GatheringFuture and _done_callback), and the same
// gather_slot for each result; only the result container is a Value.
template <bool RE>
class ValueGathering final : public sl::detail::GatheringCore, public sl::detail::ValueSlot<Value> {
 public:
  explicit ValueGathering(sl::Loop& loop) : GatheringCore(loop, RE) { bind_value_slot<Value>(this); }

 protected:
  void store_results() override {
    std::vector<Value> r;
    for (std::size_t i = 0; i < children().size(); ++i) {
      FutureBase& child = *children()[i];
      bool cancelled_child = child.cancelled();
      auto slot = sl::detail::gather_slot<RE, Value>(child, sl::detail::slot_of<Value>(child));
      if constexpr (RE) {
        if (slot.has_value()) {
          r.push_back(std::move(slot).value());
        } else {
          // CPython: CancelledError('' if fut._cancel_message is None else ...)
          // for a cancelled child: printed with its message even when empty.
          r.push_back(Value{ExcValue{slot.exception(), cancelled_child}});
        }
      } else {
        r.push_back(std::move(slot));
      }
    }
    this->value.emplace();
    this->value->v.template emplace<std::vector<Value>>(std::move(r));
  }
};

// A resolved item: a future (task reference, nested gather) or a coroutine
// not yet wrapped (inline body), with its label.
struct Arg {
  std::optional<Coro<Value>> coro;
  Future<Value> fut{Ref<FutureBase>()};
  std::string label;
};

}  // namespace

class Run final : private sl::LoopObserver {
 public:
  explicit Run(const Scenario& sc) : sc_(sc) {
    sl::sim::SimConfig config;
    config.quiet = true;              // GC-time reports are not behaviour
    config.steps_max = 20'000'000;    // a runaway scenario becomes an error, not a hang
    loop_ = std::make_unique<sl::sim::SimLoop>(config);
    inner_ = loop_->observer();
    loop_->set_observer(this);
  }
  ~Run() override {
    loop_->close();  // destroys the frames of tasks still pending
    loop_->set_observer(inner_);
    label_task_.clear();
    task_label_.clear();
    created_.clear();
    loop_.reset();
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  std::vector<std::string> go();

 private:
  struct Frame {
    std::string label;
    sl::TaskGroup* tg = nullptr;
    std::exception_ptr exc;  // the exception the enclosing catch handler handles
  };
  using Result = std::optional<Value>;  // a `return` op ran: its value

  // --- trace -----------------------------------------------------------------
  void emit(const std::string& label, const std::string& event) {
    lines_.push_back("t=" + std::to_string(loop_->time().time_since_epoch().count()) + " " + label + " " + event);
  }

  // --- tasks and labels --------------------------------------------------------
  [[noreturn]] void scenario_error(const std::string& msg) {
    if (!error_) error_ = msg;
    throw ScenarioError{msg};
  }
  // Untyped: on_task_created runs inside TaskBase's constructor, before the
  // Task<Value> exists; the typed handle is made when the label is used.
  void register_label(const std::string& label, TaskBase* t) {
    if (label_task_.count(label)) scenario_error("label '" + label + "' started twice");
    label_task_.emplace(label, Ref<TaskBase>(t));
    task_label_.emplace(t, label);
  }
  Task<Value> lookup(const std::string& ref) {
    auto it = label_task_.find(ref);
    if (it == label_task_.end()) scenario_error("no task named '" + ref + "' exists yet");
    return as_task(it->second.get());
  }
  Task<Value> lookup_awaitable(const std::string& ref) {
    Task<Value> t = lookup(ref);
    if (sl::current_task().base() == t.task()) scenario_error("task '" + ref + "' awaits itself");
    return t;
  }

  // LoopObserver: every task, in creation order (kept alive, as interp.py
  // does, so that the end of the run and the final report see them all), and
  // the label of a task that asyncio creates inside wait_for / shield from an
  // inline body (the hint is set just before the call, by the task making it).
  void on_task_created(const TaskBase& t) override {
    auto* task = const_cast<TaskBase*>(&t);
    created_.emplace_back(task);
    if (hint_ && loop_->current_task() == hint_->owner) {
      std::string label = std::move(hint_->label);
      hint_.reset();
      register_label(label, task);
    }
    if (inner_) inner_->on_task_created(t);
  }
  void on_task_step(const TaskBase& t, bool throwing) override {
    if (inner_) inner_->on_task_step(t, throwing);
  }
  void on_task_suspended(const TaskBase& t, const FutureBase* f) override {
    if (inner_) inner_->on_task_suspended(t, f);
  }
  void on_task_finished(const TaskBase& t) override {
    if (inner_) inner_->on_task_finished(t);
  }
  void on_cancel_requested(const TaskBase& t, const std::string& msg) override {
    if (inner_) inner_->on_cancel_requested(t, msg);
  }
  void on_timer_fired(std::uint64_t owner, std::uint64_t seq) override {
    if (inner_) inner_->on_timer_fired(owner, seq);
  }
  void on_callback(std::uint64_t owner) override {
    if (inner_) inner_->on_callback(owner);
  }
  void on_exception_report(const std::string& m) override {
    if (inner_) inner_->on_exception_report(m);
  }
  void set_hint(const std::string& label) { hint_ = Hint{label, loop_->current_task()}; }

  // --- items -----------------------------------------------------------------
  Arg resolve_item(const Item& item) {
    Arg a;
    switch (item.kind) {
      case Item::Kind::ref: a.fut = Future<Value>(lookup_awaitable(item.name)); break;
      case Item::Kind::gather: a.fut = make_gather(item.items, item.return_exceptions); break;
      case Item::Kind::inline_body:
        a.coro.emplace(body(item.name, &item.body));
        a.label = item.name;
        break;
    }
    return a;
  }

  Future<Value> make_gather(const std::vector<Item>& items, bool return_exceptions) {
    // Items are evaluated left to right, depth first: a nested gather is
    // created (its coroutines wrapped) before this one is.
    std::vector<Arg> args;
    for (const auto& it : items) args.push_back(resolve_item(it));
    return return_exceptions ? build_gather<true>(std::move(args)) : build_gather<false>(std::move(args));
  }

  template <bool RE>
  Future<Value> build_gather(std::vector<Arg> args) {
    if (args.empty()) {  // [S43] a plain done future with an empty list
      Future<Value> done(sl::get_running_loop());
      done.set_result(Value{std::vector<Value>{}});
      return done;
    }
    sl::Loop* loop = nullptr;
    Ref<ValueGathering<RE>> impl;
    std::vector<FutureBase*> seen;
    for (auto& a : args) {
      Future<Value> f = a.coro ? sl::detail::ensure_future(loop, std::move(*a.coro))
                               : sl::detail::ensure_future(loop, a.fut);
      if (a.coro) register_label(a.label, static_cast<TaskBase*>(f.base()));
      sl::detail::gather_add(impl, loop, seen, f.base());
    }
    impl->seal();
    return Future<Value>(Ref<FutureBase>(std::move(impl)));
  }

  // Tasks for wait / as_completed: references, or inline bodies turned into
  // tasks here, in argument order (S65).
  std::vector<Task<Value>> task_items(const std::vector<Item>& items) {
    std::vector<Task<Value>> out;
    for (const auto& it : items) {
      if (it.kind == Item::Kind::ref) {
        out.push_back(lookup_awaitable(it.name));
      } else {
        Task<Value> t = sl::create_task(body(it.name, &it.body), it.name);
        register_label(it.name, t.task());
        out.push_back(t);
      }
    }
    return out;
  }

  std::string names(const std::vector<Task<Value>>& ts) const {
    std::vector<std::string> n;
    for (const auto& t : ts) n.push_back(task_label_.at(t.task()));
    std::sort(n.begin(), n.end());
    std::string out;
    for (std::size_t k = 0; k < n.size(); ++k) out += (k ? "," : "") + n[k];
    return out;
  }

  static std::string state_of(const Task<Value>& t) {
    if (!t.done()) return "pending";
    if (t.cancelled()) return "cancelled";
    if (std::exception_ptr e = t.exception()) return "raise " + fmt_exc(e);
    return "done " + fmt_value(t.result());
  }

  // --- bodies ----------------------------------------------------------------
  Coro<Value> body(std::string label, const Body* ops);
  Coro<Result> exec_ops(Frame f, const Body* ops);
  Coro<Result> exec_op(Frame f, const Op* op);
  Coro<Result> exec_try(Frame f, const Op* op);
  Coro<void> exec_as_completed(Frame f, const Op* op);

  const Scenario& sc_;
  std::unique_ptr<sl::sim::SimLoop> loop_;
  sl::LoopObserver* inner_ = nullptr;
  std::vector<std::string> lines_;
  std::vector<Ref<TaskBase>> created_;
  std::map<std::string, Ref<TaskBase>> label_task_;  // ordered: the final report is in label order
  std::map<const TaskBase*, std::string> task_label_;
  struct Hint {
    std::string label;
    const TaskBase* owner;
  };
  std::optional<Hint> hint_;
  std::optional<std::string> error_;  // the first scenario error
};

Coro<Value> Run::body(std::string label, const Body* ops) {
  emit(label, "start");
  Result r;
  std::exception_ptr exc;
  // Named, not a temporary inside the co_await expression: GCC 12 destroys
  // such temporaries twice (a known coroutine bug).
  Frame frame{label, nullptr, nullptr};
  try {
    r = co_await exec_ops(frame, ops);
  } catch (const ScenarioError&) {
    throw;
  } catch (...) {
    exc = std::current_exception();
  }
  if (exc) {
    emit(label, "end raise " + fmt_exc(exc));
    std::rethrow_exception(exc);
  }
  Value v = r ? std::move(*r) : Value{};
  emit(label, "end return " + fmt_value(v));
  co_return v;
}

Coro<Run::Result> Run::exec_ops(Frame f, const Body* ops) {
  for (const Op& op : *ops) {
    Result r = co_await exec_op(f, &op);
    if (r) co_return r;
  }
  co_return std::nullopt;
}

Coro<Run::Result> Run::exec_try(Frame f, const Op* op) {
  std::exception_ptr e;
  try {
    co_return co_await exec_ops(f, &op->body);
  } catch (const ScenarioError&) {
    throw;
  } catch (...) {
    e = std::current_exception();
  }
  // C++ cannot co_await in a handler: the clause runs after it, with the
  // exception kept (for reraise) as Python's `except ... as e` keeps it.
  for (const auto& clause : op->catches) {
    if (catch_matches(clause.kind, e)) {
      emit(f.label, "catch " + fmt_exc(e));
      Frame handler{f.label, f.tg, e};
      co_return co_await exec_ops(handler, &clause.body);
    }
  }
  std::rethrow_exception(e);
}

Coro<void> Run::exec_as_completed(Frame f, const Op* op) {
  std::vector<Task<Value>> tasks = task_items(op->items);
  auto ac = sl::as_completed(std::move(tasks), sl::AsCompletedOptions{ticks(op->ticks)});
  for (auto it = ac.begin(); it != ac.end(); ++it) {
    Coro<Value> aw = *it;
    if (!op->flag) {
      Value v = co_await std::move(aw);
      emit(f.label, "as_completed -> " + fmt_value(v));
      continue;
    }
    std::exception_ptr e;
    Value v;
    try {
      v = co_await std::move(aw);
    } catch (const ScenarioError&) {
      throw;
    } catch (...) {
      e = std::current_exception();
    }
    if (e) {
      if (!catch_matches("Exception", e)) std::rethrow_exception(e);  // CancelledError propagates
      emit(f.label, "as_completed raise " + fmt_exc(e));
      continue;
    }
    emit(f.label, "as_completed -> " + fmt_value(v));
  }
}

Coro<Run::Result> Run::exec_op(Frame f, const Op* op) {
  const std::string& label = f.label;
  switch (op->kind) {
    case OpKind::sleep: co_await sl::sleep(ticks(*op->ticks)); break;
    case OpKind::log: emit(label, "log " + fmt_str(*op->msg)); break;
    case OpKind::return_: co_return Result{op->value};
    case OpKind::raise:
      if (op->error_kind == "CancelledError") {
        if (op->msg) throw sl::CancelledError(*op->msg);
        throw sl::CancelledError();
      }
      if (op->error_kind == "TimeoutError") throw ScenarioTimeoutError(op->msg);
      throw UserError(op->error_kind, op->msg);
    case OpKind::reraise: std::rethrow_exception(f.exc);
    case OpKind::await: {
      Task<Value> t = lookup_awaitable(op->task);
      Value v = co_await t;
      emit(label, "await " + op->task + " -> " + fmt_value(v));
      break;
    }
    case OpKind::cancel: {
      Task<Value> t = lookup(op->task);
      bool r = t.cancel(op->msg.value_or(""));
      emit(label, "cancel " + op->task + " -> " + (r ? "true" : "false"));
      break;
    }
    case OpKind::spawn: {
      const std::string& name = op->task;
      Coro<Value> coro = body(name, op->has_body ? &op->body : sc_.definition(name));
      Task<Value> t;
      if (op->flag) {
        try {
          t = f.tg->create_task(std::move(coro), name);
        } catch (const std::runtime_error&) {
          // "TaskGroup <repr> is shutting down": the repr is not portable.
          throw std::runtime_error("TaskGroup is shutting down");
        }
      } else {
        t = sl::create_task(std::move(coro), name);
      }
      register_label(name, t.task());
      emit(label, "spawn " + name);
      break;
    }
    case OpKind::gather: {
      Future<Value> fut = make_gather(op->items, op->flag);
      Value v = co_await fut;
      emit(label, "gather -> " + fmt_value(v));
      break;
    }
    case OpKind::wait: {
      std::vector<Task<Value>> tasks = task_items(op->items);
      sl::WaitOptions options;
      options.timeout = ticks(op->ticks);
      switch (op->return_when) {
        case ReturnWhenKind::all_completed: options.return_when = sl::ALL_COMPLETED; break;
        case ReturnWhenKind::first_completed: options.return_when = sl::FIRST_COMPLETED; break;
        case ReturnWhenKind::first_exception: options.return_when = sl::FIRST_EXCEPTION; break;
      }
      auto r = co_await sl::wait(std::move(tasks), options);
      emit(label, "wait -> done=[" + names(r.done) + "] pending=[" + names(r.pending) + "]");
      break;
    }
    case OpKind::wait_for: {
      Arg a = resolve_item(op->items[0]);
      std::optional<sl::Duration> timeout = ticks(op->ticks);
      Value v;
      if (a.coro) {
        // With a timeout, wait_for wraps the coroutine in a task (ensure_future);
        // without one it awaits the coroutine inline: no task, no label.
        if (timeout) set_hint(a.label);
        std::exception_ptr e;
        try {
          v = co_await sl::wait_for(std::move(*a.coro), timeout);
        } catch (...) {
          e = std::current_exception();
        }
        hint_.reset();
        if (e) std::rethrow_exception(e);
      } else {
        v = co_await sl::wait_for(a.fut, timeout);
      }
      emit(label, "wait_for -> " + fmt_value(v));
      break;
    }
    case OpKind::as_completed: co_await exec_as_completed(f, op); break;
    case OpKind::shield: {
      Arg a = resolve_item(op->items[0]);
      Future<Value> outer{Ref<FutureBase>()};
      if (a.coro) {
        set_hint(a.label);  // shield wraps it in a task (ensure_future) at once
        try {
          outer = sl::shield(std::move(*a.coro));
        } catch (...) {
          hint_.reset();
          throw;
        }
        hint_.reset();
      } else {
        outer = sl::shield(a.fut);
      }
      Value v = co_await outer;
      emit(label, "shield -> " + fmt_value(v));
      break;
    }
    case OpKind::timeout: {
      sl::Timeout cm = sl::timeout(ticks(op->ticks));
      Result r = co_await sl::async_with(cm, [this, &f, op]() -> Coro<Result> {
        co_return co_await exec_ops(f, &op->body);
      });
      emit(label, std::string("timeout -> ") + (cm.expired() ? "expired" : "ok"));
      co_return r;
    }
    case OpKind::taskgroup: {
      sl::TaskGroup tg;
      Result r = co_await sl::async_with(tg, [this, &f, op](sl::TaskGroup& g) -> Coro<Result> {
        Frame inner{f.label, &g, f.exc};
        co_return co_await exec_ops(inner, &op->body);
      });
      emit(label, "taskgroup -> ok");
      co_return r;
    }
    case OpKind::try_: co_return co_await exec_try(f, op);
    case OpKind::uncancel: emit(label, "uncancel -> " + std::to_string(sl::current_task().uncancel())); break;
    case OpKind::cancelling:
      emit(label, "cancelling -> " + std::to_string(sl::current_task().cancelling()));
      break;
    case OpKind::state: emit(label, "state " + op->task + " -> " + state_of(lookup(op->task))); break;
    case OpKind::call: {
      Frame inner{label, nullptr, nullptr};
      Result r = co_await exec_ops(inner, &op->body);
      emit(label, "call -> " + fmt_value(r ? *r : Value{}));
      break;
    }
  }
  co_return std::nullopt;
}

std::vector<std::string> Run::go() {
  // asyncio.run, made deterministic (README "End of run").
  Task<Value> main = sl::create_task(*loop_, body("main", &sc_.main), "main");
  register_label("main", main.task());
  try {
    loop_->run_until_complete(Future<Value>(main));
  } catch (const sl::sim::SimulationError& e) {  // Deadlock, Hang
    if (!error_) error_ = e.what();
  } catch (...) {
    // main's outcome is in its end line and in the final report
  }
  if (!error_) {
    std::vector<Future<Value>> leftovers;
    for (const auto& t : created_)
      if (!t->done()) leftovers.push_back(Future<Value>(as_task(t.get())));
    if (!leftovers.empty()) {
      for (auto& t : leftovers) t.cancel();
      try {
        loop_->run_until_complete(sl::gather(sl::return_exceptions, leftovers));
      } catch (const sl::sim::SimulationError& e) {
        if (!error_) error_ = e.what();
      }
    }
  }
  if (error_) throw ScenarioError{*error_};
  for (const auto& [label, task] : label_task_) emit(label, "final " + state_of(as_task(task.get())));
  return lines_;
}

std::vector<std::string> run_scenario(const Scenario& sc) {
  Run run(sc);
  return run.go();
}

std::string trace_text(const std::string& json_text) {
  try {
    Json doc = parse_json(json_text);
    Scenario sc = load_scenario(doc);
    std::string out;
    for (const auto& line : run_scenario(sc)) out += line + "\n";
    return out;
  } catch (const ScenarioError& e) {
    return "#error " + e.message + "\n";
  } catch (const JsonError& e) {
    return std::string("#error cannot read scenario: ") + e.what() + "\n";
  }
}

}  // namespace conformance
