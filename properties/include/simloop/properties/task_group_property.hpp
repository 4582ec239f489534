#pragma once
// TaskGroup over random programs [S69] [S70] (shield's property is in
// combinator_property.hpp).
//
// A GroupCase is a gen::scenario() whose tasks are the children of one
// `async with TaskGroup() as tg` block, run by a parent task; the block's body
// creates them (in index order), sleeps B ms and returns, or raises
// runtime_error("body"). Optionally the parent is cancelled from outside at C
// ms. B and C are in {3, 7, 11} and differ, so they tie with nothing (child
// completions are at even instants, the scenario's injected cancels at 1/5/9).
//
// Model (predict() of the scenario, then CPython 3.11 taskgroups.py):
//   F = first instant a child ends with an error, A = min(F, B if the body
//   raises): the group aborts at A. E = max(B, every child's finish): the
//   group would end normally at E.
//   - no abort before C and E: every child ends as predicted, the group
//     exits normally at E [S70];
//   - abort at A (before C): every child that was unfinished at A is
//     cancelled at A, the body too if it still ran (B > A); children ending at
//     A itself tie with the first failure (schedule-dependent): each ends as
//     predicted or cancelled, at A. The group raises an ExceptionGroup of
//     exactly the errors the children ended with, each once, then the body's
//     own [S69]; with FIFO callbacks in the order the children ended. The
//     parent's cancel request made by the abort is withdrawn (cancelling()
//     == 0 after the block), except when the body had already ended: then
//     3.11.7's aexit has passed its uncancel() and cancelling() stays 1;
//   - cancelled from outside at C (before A and E): every child unfinished at
//     C is cancelled, the body too if B > C, the block raises CancelledError
//     and the parent ends cancelled.
// Children finished before the decisive instant end exactly as predicted
// (a child cancelled by the scenario is no error: it aborts nothing).
//
// The property is a function of the group implementation (GroupImpl), so a
// deliberately wrong group (mutants_props.cpp) runs through it. The checks
// run at the end of the simulated program (a violation throws), so the same
// GroupProgram serves rapidcheck schedules and dfs.
#include <simloop/properties/check.hpp>
#include <simloop/task_group.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace simloop::properties {

// impl(body) runs `async with <group> as g: await body(spawn)`, spawn(coro)
// creating a child of g.
using GroupSpawn = std::function<Task<int>(Coro<int>)>;
using GroupBody = std::function<Coro<void>(GroupSpawn)>;
using GroupImpl = std::function<Coro<void>(GroupBody)>;

inline Coro<void> real_group_impl(GroupBody body) {
  co_await task_group([&body](TaskGroup& tg) -> Coro<void> {
    co_await body([&tg](Coro<int> c) { return tg.create_task(std::move(c)); });
  });
}
inline const GroupImpl real_task_group = [](GroupBody body) { return real_group_impl(std::move(body)); };

struct GroupCase {
  Scenario sc;
  int body_ms = 3;
  bool body_raises = false;
  std::optional<int> outside_cancel_ms;
};

inline void showValue(const GroupCase& g, std::ostream& os) {
  showValue(g.sc, os);
  os << " body: sleep " << g.body_ms << (g.body_raises ? ", raise" : ", return");
  if (g.outside_cancel_ms) os << "; parent cancelled @" << *g.outside_cancel_ms;
}

namespace gen {
inline rc::Gen<GroupCase> group_case(int max_tasks = 6, int max_steps = 3, int max_cancels = 2) {
  return rc::gen::exec([=] {
    GroupCase g;
    g.sc = *scenario(max_tasks, max_steps, max_cancels);
    // Half the cases without a failing child: else most groups abort at once
    // and the normal exit and the outside cancel are rarely reached.
    if (*rc::gen::arbitrary<bool>())
      for (auto& t : g.sc.tasks) t.raises = false;
    g.body_ms = *timeout_gen();
    g.body_raises = *rc::gen::inRange(0, 4) == 3;  // shrinks toward "returns"
    if (*rc::gen::arbitrary<bool>()) {
      // One of the two other instants of {3, 7, 11}; mostly the earlier one,
      // so that the cancel often comes while the group still runs.
      std::vector<int> others;
      for (int t : {3, 7, 11})
        if (t != g.body_ms) others.push_back(t);
      g.outside_cancel_ms = others[*rc::gen::inRange(0, 4) == 3 ? 1 : 0];
    }
    return g;
  });
}
}  // namespace gen

// What a run showed.
struct GroupObserved {
  enum class End { none, normal, exception_group, cancelled, other } end = End::none;
  std::vector<std::exception_ptr> group_errors;
  long end_ms = -1;
  bool body_cancelled = false;
  int parent_cancelling_after = -1;  // after a block that did not raise CancelledError
  std::optional<bool> outside_cancel_returned;
  bool parent_cancelled = false;
  std::vector<Predicted> children;                // with the instant each ended
  std::vector<std::exception_ptr> child_errors;   // each child's exception() (null unless error)
  std::vector<int> order;                         // children in the order they ended
};

inline const char* to_string(GroupObserved::End e) {
  switch (e) {
    case GroupObserved::End::none: return "none";
    case GroupObserved::End::normal: return "normal";
    case GroupObserved::End::exception_group: return "ExceptionGroup";
    case GroupObserved::End::cancelled: return "CancelledError";
    case GroupObserved::End::other: return "other";
  }
  return "?";
}

// Empty if the run agrees with the model, else what went wrong. With
// `check_error_order`, the group's errors must also follow the children's
// completion order (true for asyncio's FIFO callbacks; ready-order
// exploration may run one child's group callback before another's).
inline std::string check_group(const GroupCase& g, const GroupObserved& o, bool check_error_order) {
  constexpr int never = 1 << 30;
  const auto want = predict(g.sc);
  int first_error = never, end = g.body_ms;
  for (const auto& p : want) {
    if (p.ending == Ending::error) first_error = std::min(first_error, p.finish);
    end = std::max(end, p.finish);
  }
  const int abort_at = std::min(first_error, g.body_raises ? g.body_ms : never);
  const int C = g.outside_cancel_ms.value_or(never);
  enum class Case { normal, abort, outside } c = abort_at < never && abort_at < C ? Case::abort
                                                 : C < end                          ? Case::outside
                                                                                    : Case::normal;
  const int at = c == Case::abort ? abort_at : c == Case::outside ? C : end;

  std::ostringstream why;
  auto fail = [&](const std::string& what) {
    why << what << " (case " << (c == Case::abort ? "abort" : c == Case::outside ? "outside cancel" : "normal")
        << " at " << at << ")";
    return why.str();
  };
  const auto want_end = c == Case::abort ? GroupObserved::End::exception_group
                        : c == Case::outside ? GroupObserved::End::cancelled
                                             : GroupObserved::End::normal;
  if (o.end != want_end) return fail(std::string("block ended with ") + to_string(o.end));
  if (o.end_ms != at) return fail("block ended at " + std::to_string(o.end_ms));
  if (o.body_cancelled != (c != Case::normal && g.body_ms > at))
    return fail(o.body_cancelled ? "body cancelled" : "body not cancelled");
  if (o.children.size() != want.size()) return fail("children lost");
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Predicted& w = want[i];
    const Predicted& got = o.children[i];
    bool ok;
    if (c == Case::normal || w.finish < at) ok = matches(w, got);  // [S70]
    else if (w.finish > at) ok = got.ending == Ending::cancelled && got.finish == at;  // [S69]
    else ok = got.finish == at && (got.ending == Ending::cancelled || matches(w, got));  // ties with the first failure
    if (!ok) return fail("child " + std::to_string(i) + ": want " + describe(w) + " got " + describe(got));
  }
  if (g.outside_cancel_ms && o.outside_cancel_returned != (c == Case::outside))
    return fail("parent.cancel() returned " + std::string(o.outside_cancel_returned.value_or(false) ? "true" : "false"));
  if (c == Case::outside) {
    if (!o.parent_cancelled) return fail("parent not cancelled");
    return {};
  }
  // The abort's cancel request on the parent is withdrawn by aexit only if
  // it was made before aexit started: CPython 3.11.7 leaves cancelling() at 1
  // when a child fails after the body has ended (checked with python3:
  // body sleep 3 ms, child fails at 4 ms -> 1; body sleep 7 ms -> 0).
  const int want_cancelling = c == Case::abort && abort_at == first_error && g.body_ms < abort_at ? 1 : 0;
  if (o.parent_cancelling_after != want_cancelling)
    return fail("parent's cancelling() after the block: " + std::to_string(o.parent_cancelling_after));
  if (c == Case::normal) return {};

  // [S69] Exactly the children's errors, each once, then the body's own.
  std::vector<std::exception_ptr> errors;
  for (int i : o.order)
    if (o.child_errors[std::size_t(i)]) errors.push_back(o.child_errors[std::size_t(i)]);
  if (abort_at == first_error && errors.empty()) return fail("no child ended with an error");
  const bool body_error = g.body_raises && abort_at == g.body_ms;
  if (o.group_errors.size() != errors.size() + (body_error ? 1 : 0))
    return fail("ExceptionGroup holds " + std::to_string(o.group_errors.size()) + " errors, want " +
                std::to_string(errors.size() + (body_error ? 1 : 0)));
  std::vector<std::exception_ptr> rest = o.group_errors;
  if (body_error) {
    if (describe_exception(rest.back()).find("body") == std::string::npos) return fail("body's error not last");
    rest.pop_back();
  }
  for (const auto& e : errors) {
    auto it = std::find(rest.begin(), rest.end(), e);
    if (it == rest.end()) return fail("a child's error is missing: " + describe_exception(e));
    rest.erase(it);
  }
  if (check_error_order) {
    std::vector<std::exception_ptr> head(o.group_errors.begin(), o.group_errors.begin() + std::ptrdiff_t(errors.size()));
    if (head != errors) return fail("errors not in the order the children failed");
  }
  return {};
}

namespace detail {
struct GroupLive : Live {
  std::vector<long> ended_ms;
};

inline Coro<void> group_body(const GroupCase* g, std::shared_ptr<GroupLive> live, GroupObserved* o, GroupSpawn spawn) {
  for (std::size_t i = 0; i < g->sc.tasks.size(); ++i) {
    live->tasks.push_back(spawn(scenario_task(g->sc, int(i), live.get())));
    // Added after the group's own callback: runs right after it. Owns the
    // Live (it may run after the body's frame is gone).
    live->tasks.back().add_done_callback([live, i]() {
      live->order.push_back(int(i));
      live->ended_ms[i] = now_ms();
    });
  }
  try {
    co_await sleep(std::chrono::milliseconds(g->body_ms));
  } catch (const CancelledError&) {
    o->body_cancelled = true;
    throw;
  }
  if (g->body_raises) throw std::runtime_error("body");
}

inline Coro<void> group_parent(const GroupCase* g, GroupImpl impl, std::shared_ptr<GroupLive> live, GroupObserved* o) {
  // Named, not temporaries of the co_await expression: as temporaries, ASan
  // saw the Live freed while still referenced (GCC 12 coroutines).
  GroupBody body = [g, live, o](GroupSpawn spawn) { return group_body(g, live, o, std::move(spawn)); };
  Coro<void> block = impl(std::move(body));
  try {
    co_await std::move(block);
    o->end = GroupObserved::End::normal;
  } catch (const ExceptionGroup& eg) {
    o->end = GroupObserved::End::exception_group;
    o->group_errors = eg.exceptions();
  } catch (const CancelledError&) {
    o->end = GroupObserved::End::cancelled;
    o->end_ms = now_ms();
    throw;
  } catch (...) {
    o->end = GroupObserved::End::other;
  }
  o->end_ms = now_ms();
  o->parent_cancelling_after = current_task().cancelling();
}
}  // namespace detail

// The simulated program: runs the case, then checks it (throws std::logic_error
// naming the violation). `observed`, if given, receives what the run showed.
struct GroupProgram {
  GroupCase g;
  GroupImpl impl;
  bool check_error_order = true;

  Coro<void> operator()() const {
    GroupObserved o;
    auto live = std::make_shared<detail::GroupLive>();
    live->ended_ms.assign(g.sc.tasks.size(), -1);
    auto parent = create_task(detail::group_parent(&g, impl, live, &o));
    live->injector = create_task(detail::inject(g.sc, live.get()));
    if (g.outside_cancel_ms) {
      co_await sleep(std::chrono::milliseconds(*g.outside_cancel_ms));
      o.outside_cancel_returned = parent.cancel();
    }
    try {
      co_await parent;
    } catch (const CancelledError&) {
      o.parent_cancelled = true;
    }
    std::shared_ptr<Live> base = live;
    co_await finish(base);  // a wrong group may leave children running
    // The recording callbacks of the last children may still be queued
    // (ready-order exploration can run this task first): one iteration each.
    for (int spins = 0; live->order.size() < live->tasks.size() && spins < 8; ++spins) co_await sleep(Duration::zero());
    for (std::size_t i = 0; i < live->tasks.size(); ++i) {
      o.children.push_back(observed(live->tasks[i], int(live->ended_ms[i])));
      o.child_errors.push_back(live->tasks[i].cancelled() ? nullptr : live->tasks[i].exception());
    }
    o.order = live->order;
    std::string err = check_group(g, o, check_error_order);
    if (!err.empty()) throw std::logic_error(err);
  }
};

inline auto task_group_property(GroupImpl impl) {
  return [impl] {
    const GroupCase g = *gen::group_case();
    const ScheduleSeq sched = *gen::schedule();
    require_passed(run_scheduled(GroupProgram{g, impl, true}, sched));
  };
}

}  // namespace simloop::properties
