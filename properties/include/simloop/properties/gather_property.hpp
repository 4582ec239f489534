#pragma once
// The gather properties as rapidcheck testables (used by gather_props.cpp and,
// with a wrong gather, by mutants_props.cpp).
#include <simloop/gather.hpp>
#include <simloop/properties/check.hpp>

#include <functional>
#include <vector>

namespace simloop::properties {

// A gather(return_exceptions) over the scenario's tasks.
using GatherRe = std::function<Coro<std::vector<Outcome<int>>>(Live&)>;

inline Coro<std::vector<Outcome<int>>> real_gather_re_impl(Live& live) {
  co_return co_await gather(return_exceptions, live.tasks);
}
inline const GatherRe real_gather_re = [](Live& live) { return real_gather_re_impl(live); };

inline auto gather_slots_property(GatherRe impl) {
  return [impl] {
    const Scenario sc = *gen::scenario();
    const ScheduleSeq sched = *gen::schedule();
    const auto want = predict(sc);
    std::vector<Outcome<int>> got;
    long at = -1;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      got = co_await impl(*live);
      at = now_ms();
      co_await finish(live);
    }, sched);
    require_passed(run);
    RC_ASSERT(got.size() == want.size());
    int last = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      last = std::max(last, want[i].finish);
      Predicted g = observed(got[i], want[i].finish);
      RC_LOG() << "slot " << i << ": want " << describe(want[i]) << " got " << describe(g) << "\n";
      RC_ASSERT(matches(want[i], g));
    }
    RC_ASSERT(at == last);  // waits for every child [S46]
  };
}

inline auto gather_first_exception_property() {
  return [] {
    const Scenario sc = *gen::scenario();
    const ScheduleSeq sched = *gen::schedule();
    const auto want = predict(sc);
    std::vector<int> values;
    std::optional<Predicted> raised;
    std::vector<int> order;
    std::vector<Predicted> finals;
    long at = -1;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      try {
        values = co_await gather(live->tasks);
      } catch (const CancelledError&) {
        raised = Predicted{Ending::cancelled, -1, 0};
      } catch (const std::runtime_error& e) {
        raised = Predicted{Ending::error, std::stoi(std::string(e.what()).substr(1)), 0};
      }
      at = now_ms();
      order = live->order;  // completion order when the gather returned
      co_await finish(live);
      for (auto& t : live->tasks) finals.push_back(observed(t, 0));
    }, sched);
    require_passed(run);
    // Every child ends as the model says: the exception cancelled no sibling [S45].
    for (std::size_t i = 0; i < want.size(); ++i) {
      Predicted w = want[i];
      w.finish = 0;
      RC_ASSERT(matches(w, finals[i]));
    }
    // The first non-value child in completion order decides.
    std::optional<int> first_bad;
    for (int i : order)
      if (want[i].ending != Ending::value) { first_bad = i; break; }
    if (!first_bad) {
      RC_ASSERT(!raised);
      RC_ASSERT(values.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) RC_ASSERT(values[i] == value_of(int(i)));  // [S42]
    } else {
      RC_ASSERT(raised.has_value());
      Predicted w = want[*first_bad];
      RC_ASSERT(raised->ending == w.ending);
      if (w.ending == Ending::error) RC_ASSERT(raised->origin == w.origin);
      RC_ASSERT(at == w.finish);  // at once [S45] [S48]
    }
  };
}

inline auto gather_cancel_property() {
  return [] {
    Scenario sc = *gen::scenario(6, 3, 0);
    const ScheduleSeq sched = *gen::schedule();
    const int T = *timeout_gen();
    // The model: cancelling the gather at T cancels every child unfinished at
    // T, unless a child failed before T (the gather is done then, and
    // gather.cancel() cancels nothing).
    Scenario model = sc;
    bool failed_before = false;
    for (const auto& p : predict(sc)) failed_before |= p.ending != Ending::value && p.finish < T;
    if (!failed_before)
      for (std::size_t i = 0; i < sc.tasks.size(); ++i) model.cancels.push_back({int(i), T});
    const auto want = predict(model);
    bool got_cancelled = false;
    bool accepted = false;
    std::vector<Predicted> finals;
    auto run = run_scheduled([&]() -> Coro<void> {
      auto live = spawn(sc);
      auto g = gather(live->tasks);
      auto canceller = create_task([&]() -> Coro<void> {
        co_await sleep(std::chrono::milliseconds(T));
        accepted = g.cancel();
      });
      try {
        (void)co_await g;
      } catch (const CancelledError&) {
        got_cancelled = true;
      } catch (...) {
      }
      co_await canceller;
      co_await finish(live);
      for (std::size_t i = 0; i < live->tasks.size(); ++i) finals.push_back(observed(live->tasks[i], 0));
    }, sched);
    require_passed(run);
    bool any_unfinished = false;
    bool any_bad_before = false;
    for (const auto& w : want) {
      if (w.ending == Ending::cancelled && w.finish == T) any_unfinished = true;
      if (w.ending != Ending::value && w.finish < T) any_bad_before = true;
    }
    for (std::size_t i = 0; i < want.size(); ++i) {
      Predicted w = want[i];
      w.finish = 0;
      RC_ASSERT(matches(w, finals[i]));
    }
    // The gather had already failed (an exception before T) or finished, or it
    // is cancelled and its awaiter gets CancelledError [S47].
    if (!any_bad_before && any_unfinished) {
      RC_ASSERT(accepted);
      RC_ASSERT(got_cancelled);
    }
  };
}

}  // namespace simloop::properties
