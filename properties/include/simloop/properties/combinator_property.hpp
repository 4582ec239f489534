#pragma once
// wait / as_completed / wait_for / shield properties as rapidcheck testables,
// each a function of the implementation it checks (the real one, or a
// deliberately wrong variant in mutants_props.cpp).
#include <simloop/as_completed.hpp>
#include <simloop/properties/check.hpp>
#include <simloop/shield.hpp>
#include <simloop/wait.hpp>
#include <simloop/wait_for.hpp>

#include <functional>
#include <set>
#include <vector>

namespace simloop::properties {

// ---- wait --------------------------------------------------------------------
using WaitImpl = std::function<Coro<WaitResult<Task<int>>>(std::vector<Task<int>>, WaitOptions)>;
inline Coro<WaitResult<Task<int>>> real_wait_impl(std::vector<Task<int>> fs, WaitOptions o) {
  co_return co_await wait(std::move(fs), o);
}
inline const WaitImpl real_wait = [](std::vector<Task<int>> fs, WaitOptions o) { return real_wait_impl(std::move(fs), o); };

// When wait must return, by the model.
inline int wait_returns_at(const std::vector<Predicted>& want, ReturnWhen rw, std::optional<int> timeout) {
  int last = 0, first = 1 << 30, first_exc = 1 << 30;
  for (const auto& p : want) {
    last = std::max(last, p.finish);
    first = std::min(first, p.finish);
    if (p.ending == Ending::error) first_exc = std::min(first_exc, p.finish);  // cancelled is no exception
  }
  int at = rw == ReturnWhen::all_completed ? last : rw == ReturnWhen::first_completed ? first : std::min(first_exc, last);
  return timeout ? std::min(at, *timeout) : at;
}

inline auto wait_property(WaitImpl impl) {
  return [impl] {
    const Scenario sc = *gen::scenario();
    const ScheduleSeq sched = *gen::schedule();
    const auto rw = static_cast<ReturnWhen>(*rc::gen::inRange(0, 3));
    std::optional<int> timeout;
    if (*rc::gen::arbitrary<bool>()) timeout = *timeout_gen();  // no tie with a completion or a cancel
    const auto want = predict(sc);
    std::vector<int> done_ids, pending_ids;
    bool done_all_done = true, pending_none_done = true;
    long at = -1;
    std::vector<Predicted> finals;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      WaitOptions o;
      if (timeout) o.timeout = std::chrono::milliseconds(*timeout);
      o.return_when = rw;
      auto r = co_await impl(live->tasks, o);
      at = now_ms();
      // At the instant wait returns [S52].
      for (auto& t : r.done) done_all_done &= t.done();
      for (auto& t : r.pending) pending_none_done &= !t.done();
      auto index = [&](const Task<int>& t) {
        for (std::size_t i = 0; i < live->tasks.size(); ++i)
          if (live->tasks[i] == t) return int(i);
        return -1;
      };
      for (auto& t : r.done) done_ids.push_back(index(t));
      for (auto& t : r.pending) pending_ids.push_back(index(t));
      co_await finish(live);
      for (auto& t : live->tasks) finals.push_back(observed(t, 0));
    }, sched);
    require_passed(run);
    // done ∪ pending = input, disjoint [S50].
    std::set<int> all(done_ids.begin(), done_ids.end());
    all.insert(pending_ids.begin(), pending_ids.end());
    RC_ASSERT(all.size() == sc.tasks.size());
    RC_ASSERT(done_ids.size() + pending_ids.size() == sc.tasks.size());
    RC_ASSERT(!all.count(-1));
    RC_ASSERT(done_all_done);
    RC_ASSERT(pending_none_done);
    RC_ASSERT(at == wait_returns_at(want, rw, timeout));  // [S51] [S52]
    // Nothing was cancelled by wait, timeout or not [S51].
    for (std::size_t i = 0; i < want.size(); ++i) {
      Predicted w = want[i];
      w.finish = 0;
      RC_LOG() << "task " << i << ": want " << describe(want[i]) << " got " << describe(finals[i]) << "\n";
      RC_ASSERT(matches(w, finals[i]));
    }
  };
}

// ---- as_completed --------------------------------------------------------------
// Awaits each yielded awaitable; a TimeoutError ends the sequence.
using AsCompletedImpl = std::function<Coro<std::vector<Outcome<int>>>(std::vector<Task<int>>, std::optional<Duration>, bool&)>;
inline Coro<std::vector<Outcome<int>>> real_as_completed_impl(std::vector<Task<int>> fs, std::optional<Duration> timeout,
                                                              bool& timed_out) {
  std::vector<Outcome<int>> out;
  for (auto next : as_completed(std::move(fs), {.timeout = timeout})) {
    try {
      out.push_back(Outcome<int>::from_value(co_await next));
    } catch (const TimeoutError&) {
      timed_out = true;
      break;
    } catch (...) {
      out.push_back(Outcome<int>::from_exception(std::current_exception()));
    }
  }
  co_return out;
}
inline const AsCompletedImpl real_as_completed = [](std::vector<Task<int>> fs, std::optional<Duration> t, bool& to) {
  return real_as_completed_impl(std::move(fs), t, to);
};

inline auto as_completed_property(AsCompletedImpl impl) {
  return [impl] {
    const Scenario sc = *gen::scenario();
    const ScheduleSeq sched = *gen::schedule();
    std::optional<int> timeout;
    if (*rc::gen::arbitrary<bool>()) timeout = *timeout_gen();
    const auto want = predict(sc);
    std::vector<Outcome<int>> got;
    std::vector<int> order;
    bool timed_out = false;
    long at = -1;
    std::vector<Predicted> finals;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      std::optional<Duration> t;
      if (timeout) t = std::chrono::milliseconds(*timeout);
      got = co_await impl(live->tasks, t, timed_out);
      at = now_ms();
      co_await finish(live);
      order = live->order;
      for (auto& tk : live->tasks) finals.push_back(observed(tk, 0));
    }, sched);
    require_passed(run);
    std::size_t before = 0;
    int last = 0;
    for (const auto& p : want) {
      before += timeout && p.finish > *timeout ? 0 : 1;
      last = std::max(last, p.finish);
    }
    // Yielded in completion order, each once [S62]; the rest after TimeoutError [S63].
    RC_ASSERT(got.size() == before);
    RC_ASSERT(timed_out == (before < want.size()));
    RC_ASSERT(at == (timed_out ? *timeout : last));
    for (std::size_t k = 0; k < got.size(); ++k) {
      const Predicted& w = want[order[k]];
      Predicted g = observed(got[k], w.finish);
      RC_LOG() << "#" << k << " want " << describe(w) << " got " << describe(g) << "\n";
      RC_ASSERT(matches(w, g));
    }
    // Nothing lost: the tasks not yielded end as the model says (not cancelled) [S63].
    for (std::size_t i = 0; i < want.size(); ++i) {
      Predicted w = want[i];
      w.finish = 0;
      RC_ASSERT(matches(w, finals[i]));
    }
  };
}

// ---- wait_for --------------------------------------------------------------------
// Returns the inner's value or throws; `inner_done_at_raise` says whether the
// inner had finished when TimeoutError reached the caller.
using WaitForImpl = std::function<Coro<int>(Task<int>, Duration)>;
inline Coro<int> real_wait_for_impl(Task<int> t, Duration d) { co_return co_await wait_for(t, d); }
inline const WaitForImpl real_wait_for = [](Task<int> t, Duration d) { return real_wait_for_impl(std::move(t), d); };

inline auto wait_for_property(WaitForImpl impl) {
  return [impl] {
    const Scenario sc = *gen::scenario();
    const ScheduleSeq sched = *gen::schedule();
    const int target = *rc::gen::inRange<int>(0, int(sc.tasks.size()));
    const int T = *timeout_gen();
    auto base = predict(sc);
    Scenario model = sc;
    const bool times_out = base[target].finish > T;
    if (times_out) model.cancels.push_back({target, T});  // wait_for cancels the inner [S57]
    const auto want = predict(model);
    std::optional<Predicted> got;
    bool timeout_error = false, inner_done_at_raise = false;
    long at = -1;
    std::vector<Predicted> finals;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      try {
        int v = co_await impl(live->tasks[target], std::chrono::milliseconds(T));
        got = Predicted{Ending::value, v - 100, 0};
      } catch (const TimeoutError&) {
        timeout_error = true;
        inner_done_at_raise = live->tasks[target].done();
      } catch (const CancelledError&) {
        got = Predicted{Ending::cancelled, -1, 0};
      } catch (const std::runtime_error& e) {
        got = Predicted{Ending::error, std::stoi(std::string(e.what()).substr(1)), 0};
      }
      at = now_ms();
      co_await finish(live);
      for (auto& tk : live->tasks) finals.push_back(observed(tk, 0));
    }, sched);
    require_passed(run);
    RC_ASSERT(timeout_error == times_out);
    if (times_out) {
      RC_ASSERT(inner_done_at_raise);  // cancelled AND finished before TimeoutError [S57]
      RC_ASSERT(at == T);
    } else {
      Predicted w = want[target];
      w.finish = 0;
      RC_ASSERT(got.has_value());
      RC_ASSERT(matches(w, *got));
      RC_ASSERT(at == want[target].finish);
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
      Predicted w = want[i];
      w.finish = 0;
      RC_ASSERT(matches(w, finals[i]));
    }
  };
}

// ---- shield -----------------------------------------------------------------------
// The awaiter of shield(inner) is cancelled at T; the inner must not be [S67].
using ShieldImpl = std::function<Future<int>(Task<int>)>;
inline const ShieldImpl real_shield = [](Task<int> t) { return shield(Future<int>(t)); };

inline auto shield_property(ShieldImpl impl) {
  return [impl] {
    const Scenario sc = *gen::scenario(6, 3, 0);
    const ScheduleSeq sched = *gen::schedule();
    const int target = *rc::gen::inRange<int>(0, int(sc.tasks.size()));
    const int T = *timeout_gen();
    const auto want = predict(sc);  // the inner and everything else: as if nobody cancelled
    bool outer_cancelled = false;
    std::vector<Predicted> finals;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      auto outer = create_task([&, live]() -> Coro<int> { co_return co_await impl(live->tasks[target]); });
      co_await sleep(std::chrono::milliseconds(T));
      outer.cancel();
      try {
        (void)co_await outer;
      } catch (const CancelledError&) {
        outer_cancelled = true;
      } catch (...) {
      }
      co_await finish(live);
      for (auto& tk : live->tasks) finals.push_back(observed(tk, 0));
    }, sched);
    require_passed(run);
    if (want[target].finish > T) RC_ASSERT(outer_cancelled);  // [S67]
    for (std::size_t i = 0; i < want.size(); ++i) {
      Predicted w = want[i];
      w.finish = 0;
      RC_ASSERT(matches(w, finals[i]));
    }
  };
}

}  // namespace simloop::properties
