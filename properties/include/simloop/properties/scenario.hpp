#pragma once
// gen::scenario(): a small random async program and a reference model of it.
//
// A Scenario is k tasks (k <= 6). Task i runs its steps, then returns
// value(i) or raises std::runtime_error(error_message(i)):
//   sleep d   d in {0, 2, 4} ms (0 is a bare yield), so completions tie;
//   await j   awaits task j < i (no cycles): its value, or its exception /
//             CancelledError propagated.
// Plus cancels: task.cancel() injected at 1, 5 or 9 ms, so an injected cancel
// never ties with a completion (those are at even instants) nor with a
// suite's timeout (the suites use 3, 7, 11 ms: timeout_gen()), and the model
// is exact; ties among completions are left to the schedule.
//
// Instants::tied (opt-in) puts the cancels (0..10 ms) and timeouts
// (timeout_gen(Instants::tied): 2..10 ms) on the even instants completions
// happen at, so whether a cancel or a timeout comes before a completion at the
// same instant is a timer-tie choice (S5): predict() is then NOT exact, and
// the properties check against the trace instead (tied_property.hpp).
//
// predict() is the reference model: each task's outcome (value, error,
// cancelled) and the instant it finishes. Cancelling a task that awaits task
// j cancels j too (Task.cancel cancels the future it waits on), and a task
// awaiting a task that ends in error / cancellation ends the same way.
//
// Live / spawn(): the program on the running loop; `order` records the
// completion order through a done callback added before anything else, so it
// is the order the loop completed the tasks (what as_completed must follow).
#include <simloop/simloop.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace simloop::properties {

struct Step {
  bool is_await = false;
  int d = 0;       // sleep: ms
  int target = 0;  // await: task index < own index
};
struct TaskSpec {
  std::vector<Step> steps;
  bool raises = false;
};
struct CancelAt {
  int task = 0;
  int at = 1;  // odd ms (Instants::tied: even)
};
// Where injected cancels and timeouts fall (see the top of the file).
enum class Instants : std::uint8_t { disjoint, tied };
struct Scenario {
  std::vector<TaskSpec> tasks;
  std::vector<CancelAt> cancels;
};

inline int value_of(int i) { return 100 + i; }
inline std::string error_message(int i) { return "e" + std::to_string(i); }

inline void showValue(const Scenario& s, std::ostream& os) {
  os << "scenario{";
  for (std::size_t i = 0; i < s.tasks.size(); ++i) {
    os << " t" << i << ":";
    for (const auto& st : s.tasks[i].steps) os << (st.is_await ? " await t" + std::to_string(st.target) : " sleep " + std::to_string(st.d));
    os << (s.tasks[i].raises ? " raise;" : " return;");
  }
  for (const auto& c : s.cancels) os << " cancel t" << c.task << "@" << c.at;
  os << " }";
}

enum class Ending : std::uint8_t { value, error, cancelled };
struct Predicted {
  Ending ending = Ending::value;
  int origin = 0;  // value: value_of(origin); error: error_message(origin)
  int finish = 0;  // ms
};

namespace detail {
inline std::vector<Predicted> simulate(const Scenario& s, const std::vector<std::optional<int>>& cancel_at,
                                       std::vector<std::vector<std::pair<int, int>>>* awaiting = nullptr) {
  std::vector<Predicted> out(s.tasks.size());
  for (std::size_t i = 0; i < s.tasks.size(); ++i) {
    int t = 0;
    const auto c = cancel_at[i];
    bool ended = false;
    for (const auto& st : s.tasks[i].steps) {
      if (!st.is_await) {
        if (c && *c < t + st.d) { out[i] = {Ending::cancelled, int(i), *c}; ended = true; break; }
        t += st.d;
        continue;
      }
      const Predicted& j = out[st.target];
      if (awaiting && j.finish > t) (*awaiting)[i].push_back({t, st.target});  // awaits j during (t, j.finish)
      if (c && *c < j.finish && *c > t) { out[i] = {Ending::cancelled, int(i), *c}; ended = true; break; }
      t = std::max(t, j.finish);
      if (j.ending != Ending::value) { out[i] = {j.ending, j.origin, t}; ended = true; break; }
    }
    if (!ended) {
      if (c && *c < t) out[i] = {Ending::cancelled, int(i), *c};
      else out[i] = {s.tasks[i].raises ? Ending::error : Ending::value, int(i), t};
    }
  }
  return out;
}
}  // namespace detail

inline std::vector<Predicted> predict(const Scenario& s) {
  std::vector<std::optional<int>> cancel_at(s.tasks.size());
  auto cancels = s.cancels;
  std::stable_sort(cancels.begin(), cancels.end(), [](const CancelAt& a, const CancelAt& b) { return a.at < b.at; });
  for (const auto& ca : cancels) {
    std::vector<std::vector<std::pair<int, int>>> awaiting(s.tasks.size());
    auto now = detail::simulate(s, cancel_at, &awaiting);
    // Cancel `ca.task` and, transitively, the task each cancelled one awaits at that instant.
    std::vector<int> todo{ca.task};
    while (!todo.empty()) {
      int i = todo.back();
      todo.pop_back();
      if (now[i].finish < ca.at || cancel_at[i]) continue;  // done already, or already cancelled
      cancel_at[i] = ca.at;
      for (auto [since, j] : awaiting[i])
        if (since < ca.at && now[j].finish > ca.at) todo.push_back(j);
    }
  }
  return detail::simulate(s, cancel_at);
}

namespace gen {
// k in [1, max_tasks], at most max_steps steps each, at most max_cancels cancels.
inline rc::Gen<Scenario> scenario(int max_tasks = 6, int max_steps = 3, int max_cancels = 2,
                                  Instants instants = Instants::disjoint) {
  return rc::gen::exec([=] {
    Scenario s;
    int k = *rc::gen::inRange(1, max_tasks + 1);
    for (int i = 0; i < k; ++i) {
      TaskSpec t;
      int n = *rc::gen::inRange(0, max_steps + 1);
      for (int j = 0; j < n; ++j) {
        bool aw = i > 0 && *rc::gen::inRange(0, 4) == 0;
        if (aw) t.steps.push_back({true, 0, *rc::gen::inRange(0, i)});
        else t.steps.push_back({false, 2 * *rc::gen::inRange(0, 3), 0});
      }
      t.raises = *rc::gen::inRange(0, 4) == 0;
      s.tasks.push_back(std::move(t));
    }
    int nc = *rc::gen::inRange(0, max_cancels + 1);
    for (int j = 0; j < nc; ++j) {
      const int task = *rc::gen::inRange(0, k);
      s.cancels.push_back({task, instants == Instants::tied ? 2 * *rc::gen::inRange(0, 6) : 4 * *rc::gen::inRange(0, 3) + 1});
    }
    return s;
  });
}
}  // namespace gen

// A timeout / outside-cancel instant: 3, 7 or 11 ms (ties with nothing);
// Instants::tied: 2, 4, ..., 10 ms (ties with completions and cancels).
inline rc::Gen<int> timeout_gen(Instants instants = Instants::disjoint) {
  if (instants == Instants::tied) return rc::gen::map(rc::gen::inRange(1, 6), [](int i) { return 2 * i; });
  return rc::gen::map(rc::gen::inRange(0, 3), [](int i) { return 4 * i + 3; });
}

inline long now_ms() {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(get_running_loop().time().time_since_epoch()).count());
}

// The running program.
struct Live {
  std::vector<Task<int>> tasks;
  std::vector<int> order;  // task indices in completion order
  Task<void> injector;
};

namespace detail {
inline Coro<int> scenario_task(const Scenario& s, int i, Live* live) {
  for (const auto& st : s.tasks[i].steps) {
    if (st.is_await) (void)co_await live->tasks[st.target];
    else co_await sleep(std::chrono::milliseconds(st.d));
  }
  if (s.tasks[i].raises) throw std::runtime_error(error_message(i));
  co_return value_of(i);
}
inline Coro<void> inject(const Scenario& s, Live* live) {
  auto cancels = s.cancels;
  std::stable_sort(cancels.begin(), cancels.end(), [](const CancelAt& a, const CancelAt& b) { return a.at < b.at; });
  for (const auto& c : cancels) {
    co_await sleep(std::chrono::milliseconds(c.at - now_ms()));
    live->tasks[c.task].cancel();
  }
}
}  // namespace detail

// Starts the scenario's tasks (and the cancel injector) on the running loop.
inline std::shared_ptr<Live> spawn(const Scenario& s) {
  auto live = std::make_shared<Live>();
  for (std::size_t i = 0; i < s.tasks.size(); ++i) {
    live->tasks.push_back(create_task(detail::scenario_task(s, int(i), live.get())));
    // The callback owns the Live: it may run after the main coroutine let go
    // of it (a task done in the very iteration main returns).
    live->tasks.back().add_done_callback([live, i]() { live->order.push_back(int(i)); });
  }
  live->injector = create_task(detail::inject(s, live.get()));
  return live;
}

// Awaits everything still running (retrieving every exception). The tasks
// point at the Live without owning it: keep the shared_ptr until this returns.
inline Coro<void> finish(std::shared_ptr<Live> live) {
  for (auto& t : live->tasks) {
    try {
      (void)co_await t;
    } catch (...) {
    }
  }
  co_await live->injector;
}

// What a finished task did, in the model's terms.
inline Predicted observed(const Task<int>& t, int finish) {
  if (t.cancelled()) return {Ending::cancelled, -1, finish};
  if (auto e = t.exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::runtime_error& r) {
      return {Ending::error, std::stoi(std::string(r.what()).substr(1)), finish};
    } catch (...) {
      return {Ending::error, -2, finish};
    }
  }
  return {Ending::value, t.result() - 100, finish};
}

}  // namespace simloop::properties
