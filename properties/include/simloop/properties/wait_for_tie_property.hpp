#pragma once
// wait_for when the inner's result and the deadline fall on the same virtual
// instant [S60], and an inner that suppresses the cancellation [S59].
//
// CPython 3.11 wait_for (tasks.py) parks on a waiter released by whichever
// comes first, the timeout callback or the inner's done callback, and then
// decides by `if fut.done(): return fut.result()`, else cancels the inner,
// waits until it has finished (_cancel_and_wait) and returns
// `fut.result()`, turning its CancelledError into TimeoutError (so a value
// the inner returns after catching the CancelledError is returned: S59,
// bpo-40607; checked with python3 3.11.7). So what decides is whether the
// inner had finished when the awaiting task resumed — with a tie, that is
// the timer-tie choice (and, for an inner awaiting another task, the chain of
// steps after it). The property reads both events from the trace and checks
// the outcome asyncio gives for that order; the model (the inner's natural
// finish F against the deadline T) must agree whenever F != T.
//
// The inner is a coroutine (wait_for creates its task after registering the
// timeout: at the FIFO schedule the timeout wins a tie) or a task already
// sleeping (its timer was registered first: it wins a tie at FIFO) [S60].
#include <simloop/properties/check.hpp>
#include <simloop/properties/trace_view.hpp>
#include <simloop/wait_for.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <ostream>
#include <variant>
#include <vector>

namespace simloop::properties {

inline constexpr int kAwaitHelper = -1;  // a step that awaits the helper task
inline constexpr int kInnerValue = 100;
inline constexpr int kSuppressedValue = 200;

struct WaitForCase {
  bool coro = true;        // wait_for(coroutine) (else: a task created before wait_for is called)
  std::vector<int> steps;  // sleep d ms (0: a bare yield), or kAwaitHelper
  int helper = 2;          // the helper task sleeps this long (ms)
  bool raises = false;     // ends with runtime_error("e0") instead of kInnerValue
  bool suppresses = false; // catches the CancelledError, sleeps `after` ms, returns kSuppressedValue
  int after = 0;
  int timeout = 2;         // ms, > 0
};

inline void showValue(const WaitForCase& c, std::ostream& os) {
  os << "wait_for_case{" << (c.coro ? "coro" : "task") << ":";
  for (int s : c.steps) os << (s == kAwaitHelper ? " await helper(" + std::to_string(c.helper) + ")" : " sleep " + std::to_string(s));
  os << (c.raises ? " raise" : " return");
  if (c.suppresses) os << "; on cancel: sleep " << c.after << ", return " << kSuppressedValue;
  os << "; timeout " << c.timeout << " }";
}

// When the inner finishes if nobody cancels it (ms).
inline int natural_finish(const WaitForCase& c) {
  int t = 0;
  for (int s : c.steps) t = s == kAwaitHelper ? std::max(t, c.helper) : t + s;
  return t;
}

enum class InnerKinds : std::uint8_t { any, coro, task };

namespace gen {
// Sleeps of 0/2/4 ms, a helper of 2/4 ms; the deadline is the inner's natural
// finish half the time (a tie), else an even instant (ties often).
// `suppressing`: every inner suppresses, and the deadline is any of 1..8 ms.
inline rc::Gen<WaitForCase> wait_for_case(InnerKinds kinds = InnerKinds::any, bool suppressing = false,
                                          int max_steps = 3) {
  return rc::gen::exec([=] {
    WaitForCase c;
    c.coro = kinds == InnerKinds::any ? *rc::gen::arbitrary<bool>() : kinds == InnerKinds::coro;
    const int n = *rc::gen::inRange(1, max_steps + 1);
    for (int i = 0; i < n; ++i)
      c.steps.push_back(*rc::gen::inRange(0, 4) == 0 ? kAwaitHelper : 2 * *rc::gen::inRange(0, 3));
    c.helper = 2 * *rc::gen::inRange(1, 3);
    c.raises = *rc::gen::inRange(0, 4) == 0;
    c.suppresses = suppressing;
    c.after = 2 * *rc::gen::inRange(0, 2);
    const int f = natural_finish(c);
    if (suppressing) c.timeout = *rc::gen::inRange(1, 9);
    else if (f > 0 && *rc::gen::arbitrary<bool>()) c.timeout = f;
    else c.timeout = 2 * *rc::gen::inRange(1, 5);
    return c;
  });
}
}  // namespace gen

// The wait_for under test, given the coroutine or the task.
using WaitForAw = std::variant<Coro<int>, Task<int>>;
using WaitForTieImpl = std::function<Coro<int>(WaitForAw, Duration)>;
inline Coro<int> real_wait_for_aw_impl(WaitForAw aw, Duration d) {
  if (auto* c = std::get_if<Coro<int>>(&aw)) co_return co_await wait_for(std::move(*c), d);
  co_return co_await wait_for(std::get<Task<int>>(aw), d);
}
inline const WaitForTieImpl real_wait_for_aw = [](WaitForAw aw, Duration d) {
  return real_wait_for_aw_impl(std::move(aw), d);
};

namespace detail {
inline Coro<int> wait_for_inner(const WaitForCase& c, std::uint64_t* id, Task<void> helper) {
  *id = current_task().id();
  bool caught = false;
  try {
    for (int s : c.steps) {
      if (s == kAwaitHelper) co_await helper;
      else co_await sleep(std::chrono::milliseconds(s));
    }
  } catch (const CancelledError&) {
    if (!c.suppresses) throw;
    caught = true;  // no co_await in a handler: the rest is below
  }
  if (caught) {
    co_await sleep(std::chrono::milliseconds(c.after));
    co_return kSuppressedValue;
  }
  if (c.raises) throw std::runtime_error("e0");
  co_return kInnerValue;
}
}  // namespace detail

enum class WaitForGot : std::uint8_t { value, timeout, error, cancelled };

// What one run of a WaitForCase did, and where in its trace.
struct WaitForRun {
  ScheduledRun run;
  WaitForGot got = WaitForGot::cancelled;
  int value = 0;
  long at = -1;                  // ms when wait_for returned / raised
  std::uint64_t caller = 0;      // the task awaiting wait_for
  std::uint64_t inner = 0;       // the inner task
  std::size_t called_at = 0;     // trace size when wait_for was called
  std::size_t returned_at = 0;   // trace size when it returned
};

// The program of a case (re-runnable: for_each_schedule runs it many times);
// it fills `o` (but o.run).
inline auto wait_for_case_main(const WaitForTieImpl& impl, const WaitForCase& c, WaitForRun& o) {
  return [&impl, &c, &o]() -> Coro<void> {
    o.got = WaitForGot::cancelled;
    o.value = 0;
    o.at = -1;
    o.inner = o.caller = 0;
    Task<void> helper;
    const bool uses_helper = std::count(c.steps.begin(), c.steps.end(), kAwaitHelper) > 0;
    if (uses_helper) helper = create_task([h = c.helper]() -> Coro<void> { co_await sleep(std::chrono::milliseconds(h)); });
    Task<int> pre;
    if (!c.coro) pre = create_task(detail::wait_for_inner(c, &o.inner, helper));
    auto caller = create_task([&]() -> Coro<void> {
      o.caller = current_task().id();
      WaitForAw aw = c.coro ? WaitForAw(detail::wait_for_inner(c, &o.inner, helper)) : WaitForAw(pre);
      o.called_at = running_trace().size();
      try {
        o.value = co_await impl(std::move(aw), std::chrono::milliseconds(c.timeout));
        o.got = WaitForGot::value;
      } catch (const TimeoutError&) {
        o.got = WaitForGot::timeout;
      } catch (const CancelledError&) {
        o.got = WaitForGot::cancelled;
      } catch (const std::runtime_error&) {
        o.got = WaitForGot::error;
      }
      o.at = now_ms();
      o.returned_at = running_trace().size();
    });
    co_await caller;
    // Let everything finish (a wrong wait_for may leave the inner running).
    if (!c.coro) {
      try {
        (void)co_await pre;
      } catch (...) {
      }
    }
    if (uses_helper) {
      try {
        co_await helper;
      } catch (...) {
      }
    }
  };
}

inline WaitForRun run_wait_for_case(const WaitForTieImpl& impl, const WaitForCase& c, const ScheduleSeq& sched) {
  WaitForRun o;
  auto main = wait_for_case_main(impl, c, o);
  o.run = run_traced(main, sched);
  return o;
}

// Checks one run against the trace; returns whether the inner had finished
// when the caller resumed (the race's winner).
inline bool check_wait_for_run(const WaitForCase& c, const WaitForRun& o) {
  require_passed(o.run);
  RC_ASSERT(o.run.report.trace != nullptr);
  const TraceView tv(*o.run.report.trace);
  const auto r = tv.step_after(o.caller, o.called_at);  // the caller resumes: wait_for looks at the inner
  const auto f = tv.finish_of(o.inner);
  RC_ASSERT(o.inner != 0);
  RC_ASSERT(r.has_value());
  RC_ASSERT(f.has_value());
  const bool inner_first = *f < *r;
  const int F = natural_finish(c), T = c.timeout;
  RC_LOG() << "natural finish " << F << ", deadline " << T << "; trace: inner finished at event " << *f << " (t="
           << tv.ms(*f) << "), caller resumed at event " << *r << " (t=" << tv.ms(*r) << "); "
           << (inner_first ? "inner first" : "timeout first") << "\n";
  // Only a tie leaves the order to the schedule.
  if (F < T) RC_ASSERT(inner_first);
  if (F > T) RC_ASSERT(!inner_first);
  // When the inner's last step is a sleep ending at the deadline, the race is
  // exactly the timer tie: whichever of its timer and wait_for's (registered
  // by the caller) fired first in the trace wins.
  if (F == T && c.steps.back() > 0) {
    std::optional<bool> inner_timer_first;
    for (std::size_t i = 0; i < tv.size() && !inner_timer_first; ++i)
      if (tv[i].kind == sim::EventKind::timer_fired && tv.ms(i) == T && (tv[i].task == o.inner || tv[i].task == o.caller))
        inner_timer_first = tv[i].task == o.inner;
    RC_ASSERT(inner_timer_first.has_value());
    RC_ASSERT(*inner_timer_first == inner_first);
  }
  const auto cancels = tv.cancel_requests(o.inner);
  if (inner_first) {
    // `if fut.done(): return fut.result()`: the inner's own outcome, at once.
    RC_ASSERT(cancels.empty());
    RC_ASSERT(tv.ms(*r) == F);
    RC_ASSERT(o.at == F);
    if (c.raises) {
      RC_ASSERT(o.got == WaitForGot::error);
      RC_ASSERT(tv[*f].kind == sim::EventKind::task_failed);
    } else {
      RC_ASSERT(o.got == WaitForGot::value);
      RC_ASSERT(o.value == kInnerValue);
      RC_ASSERT(tv[*f].kind == sim::EventKind::task_done);
    }
  } else {
    // The deadline passed first: wait_for cancels the inner (from the
    // caller's step), waits until it has finished [S57], then gives its
    // value if it suppressed the cancellation [S59], else TimeoutError.
    RC_ASSERT(tv.ms(*r) == T);
    RC_ASSERT(!cancels.empty());
    RC_ASSERT(cancels.front() > *r);
    RC_ASSERT(tv.actor(cancels.front()) == o.caller);
    RC_ASSERT(*f < o.returned_at);
    if (c.suppresses) {
      RC_ASSERT(o.got == WaitForGot::value);
      RC_ASSERT(o.value == kSuppressedValue);
      RC_ASSERT(tv[*f].kind == sim::EventKind::task_done);
      RC_ASSERT(o.at == T + c.after);
    } else {
      RC_ASSERT(o.got == WaitForGot::timeout);
      RC_ASSERT(tv[*f].kind == sim::EventKind::task_cancelled);
      RC_ASSERT(o.at == T);
    }
  }
  return inner_first;
}

// [S57] [S59] [S60] over generated cases and schedules.
inline auto wait_for_tie_property(WaitForTieImpl impl, InnerKinds kinds = InnerKinds::any, bool suppressing = false,
                                  std::shared_ptr<TieProbe> probe = nullptr,
                                  rc::Gen<ScheduleSeq> schedules = gen::schedule()) {
  return [=] {
    const WaitForCase c = *gen::wait_for_case(kinds, suppressing);
    const ScheduleSeq sched = *schedules;
    const WaitForRun o = run_wait_for_case(impl, c, sched);
    if (probe) probe->deviations = o.run.deviations;
    probed(probe.get(), [&] {
      const bool inner_first = check_wait_for_run(c, o);
      if (probe && natural_finish(c) == c.timeout) {
        if (inner_first) ++probe->tie_inner_first[c.coro];
        else ++probe->tie_timeout_first[c.coro];
      }
    });
  };
}

}  // namespace simloop::properties
