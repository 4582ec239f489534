#pragma once
// Executors: asyncio's loop.run_in_executor / asyncio.to_thread over a
// concurrent.futures-style ThreadPoolExecutor.
//
//   std::string r = co_await sl::run_in_executor(nullptr, blocking_io);   // the default pool [S79]
//   sl::ThreadPoolExecutor pool(4);
//   int n = co_await sl::run_in_executor(&pool, count_words, path);       // a pool of your own
//   auto f = sl::to_thread(fn, a, b);                                    // asyncio.to_thread
//
// The returned Future<R> is the job's own future and goes through
// concurrent.futures' states: pending (queued) -> running (a worker picked it
// up) -> done. cancel() succeeds only while pending; once running it returns
// false and fn runs to the end (it is never interrupted) [S24, S80]. A task
// awaiting the future that is cancelled meanwhile therefore cannot cancel it:
// it receives its CancelledError when fn has finished (asyncio's wrapper
// future would let the awaiter go at once while fn keeps running; simloop
// keeps the one future so that "running" is observable).
//
// Two worlds, one API (the loop decides, user code never asks):
//  - Real loop: fn runs on a worker thread (threads started lazily up to
//    max_workers, default min(32, cores + 4) as CPython's); the state change
//    and the outcome are handed back with loop.call_soon_threadsafe. Arguments
//    are copied into the job and moved into fn (std::ref to share); fn must not touch simloop
//    objects of the loop (they are single-threaded).
//  - Simulator (loop.is_simulated()): no threads at all. A job starts in a
//    call_soon'ed callback when a simulated worker is free (so the scheduler
//    orders it like any other callback); fn runs there, on the loop thread,
//    instantly in wall time; its completion arrives after a virtual duration:
//      * the duration declared with simulated_duration(d, fn), else
//      * the sum of blocking_sleep(d) calls fn made, else
//      * a latency drawn through loop.decide(n, ChoicePoint::executor_latency),
//        k/(n-1) of the executor's SimulatedLatency::max (0 under fifo).
//    A 2 s blocking call declared as such thus ends at virtual 2 s, and at
//    most max_workers jobs of one executor are in flight at a time.
//
// Lifetime: the default executor belongs to the loop and is shut down (its
// threads joined) when the loop closes. A ThreadPoolExecutor of your own
// joins its threads in its destructor, running what was queued first; on the
// real loop it must be destroyed before the loop it reports to.
#include <simloop/future.hpp>
#include <simloop/loop.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace simloop {

// The virtual latency of a job that declares no duration, under the simulator.
struct SimulatedLatency {
  Duration max = std::chrono::milliseconds(1);  // the bound: latency is in [0, max]
  std::size_t choices = 2;                       // decide(choices): 0, max/(choices-1), ..., max
};

// fn with a declared simulated duration (ignored on the real loop).
template <class F>
struct SimulatedDuration {
  Duration duration;
  F fn;
  template <class... A>
  decltype(auto) operator()(A&&... a) {
    return std::invoke(fn, std::forward<A>(a)...);
  }
};
template <class F>
SimulatedDuration<std::decay_t<F>> simulated_duration(Duration d, F&& fn) {
  return {d, std::forward<F>(fn)};
}

// Blocks the calling thread for d — inside an executor job under the
// simulator it only adds d to the job's virtual duration (no wall time).
void blocking_sleep(Duration d);

namespace detail {

// One piece of executor work. Its state word is the only part two threads
// touch; everything that refers to the loop (the future) is used on the loop
// thread only, and the last reference to a job is always dropped there.
class ExecJob {
 public:
  enum State : int { pending, running, cancelled };
  virtual ~ExecJob() = default;

  // pending -> running (a worker picked it up); false if it was cancelled.
  bool try_start() noexcept {
    int s = pending;
    return state_.compare_exchange_strong(s, running);
  }
  // pending -> cancelled; false once a worker has it.
  bool try_cancel() noexcept {
    int s = pending;
    return state_.compare_exchange_strong(s, cancelled);
  }

  // Runs fn and stores its outcome (a worker thread, or the loop under the simulator).
  virtual void execute() noexcept = 0;
  // Loop thread only: the future enters "running"; the future gets the outcome;
  // the future is let go (breaks the job <-> future cycle).
  virtual void mark_running() = 0;
  virtual void complete() = 0;
  virtual void drop() noexcept = 0;

  Loop* loop = nullptr;
  std::optional<Duration> declared_duration;  // simulated_duration(d, fn)
  Duration slept{};                           // blocking_sleep() under the simulator

 private:
  std::atomic<int> state_{pending};
};

// The job's last trip back to the loop thread: destroying it (after running,
// or unrun at loop teardown) lets the future go.
class JobRef {
 public:
  explicit JobRef(std::shared_ptr<ExecJob> j) noexcept : job_(std::move(j)) {}
  JobRef(JobRef&&) noexcept = default;
  JobRef& operator=(JobRef&&) = delete;
  ~JobRef() {
    if (job_) job_->drop();
  }
  ExecJob& operator*() const noexcept { return *job_; }
  ExecJob* operator->() const noexcept { return job_.get(); }

 private:
  std::shared_ptr<ExecJob> job_;
};

template <class R>
class ExecFuture final : public FutureBase, public ValueSlot<R> {
 public:
  ExecFuture(Loop& loop, std::shared_ptr<ExecJob> job) : FutureBase(loop), job_(std::move(job)) {
    bind_value_slot<R>(this);
  }
  // [S24, S80] Only a job still queued can be cancelled.
  bool cancel(std::string msg = {}) override {
    if (state() != FutureState::pending) return false;
    if (job_ && !job_->try_cancel()) return false;  // a worker has just picked it up
    return cancel_future(std::move(msg));
  }
  std::shared_ptr<ExecJob> job_;
};

template <class R, class Call>
class ExecJobImpl final : public ExecJob {
 public:
  explicit ExecJobImpl(Call c) : call_(std::move(c)) {}

  void execute() noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        call_();
      } else {
        value_.emplace(call_());
      }
    } catch (...) {
      exc_ = std::current_exception();
    }
  }
  void mark_running() override {
    if (fut_ && fut_->state() == FutureState::pending) fut_->set_running_or_notify_cancel();
  }
  void complete() override {
    if (!fut_) return;
    Ref<ExecFuture<R>> f = std::move(fut_);
    f->job_.reset();
    if (f->done()) return;  // cancelled while queued
    if (f->state() == FutureState::pending) f->set_running_or_notify_cancel();
    if (exc_) {
      f->set_exception(exc_);
      return;
    }
    if constexpr (!std::is_void_v<R>) f->value.emplace(std::move(*value_));
    f->mark_result_set();
  }
  void drop() noexcept override {
    if (!fut_) return;
    Ref<ExecFuture<R>> f = std::move(fut_);
    f->job_.reset();
  }

  Ref<ExecFuture<R>> fut_;

 private:
  Call call_;
  std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> value_{};
  std::exception_ptr exc_;
};

template <class F>
struct is_simulated_duration : std::false_type {};
template <class F>
struct is_simulated_duration<SimulatedDuration<F>> : std::true_type {};

}  // namespace detail

// concurrent.futures.Executor: where run_in_executor sends work.
class Executor {
 public:
  virtual ~Executor() = default;
  // Called on the loop thread. Under a simulated loop, no thread may be used.
  virtual void submit(Loop& loop, std::shared_ptr<detail::ExecJob> job) = 0;
  // Stop accepting work; with wait, also wait until every queued job has run.
  virtual void shutdown(bool wait = true) = 0;
};

// concurrent.futures.ThreadPoolExecutor.
class ThreadPoolExecutor final : public Executor {
 public:
  // min(32, hardware threads + 4), as CPython 3.8+.
  static std::size_t default_max_workers() noexcept;

  // max_workers 0: default_max_workers().
  explicit ThreadPoolExecutor(std::size_t max_workers = 0, SimulatedLatency latency = {});
  ~ThreadPoolExecutor() override;  // shutdown(true): runs what is queued, joins
  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  void submit(Loop& loop, std::shared_ptr<detail::ExecJob> job) override;
  void shutdown(bool wait = true) override;

  std::size_t max_workers() const noexcept;
  // Real threads started so far (always 0 under the simulator).
  std::size_t thread_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The loop's default executor (asyncio's loop._default_executor), created on
// first use: a ThreadPoolExecutor with default_max_workers().
Executor& default_executor(Loop& loop);
// loop.set_default_executor(executor).
void set_default_executor(Loop& loop, std::shared_ptr<Executor> executor);

// loop.run_in_executor(executor, fn, *args): nullptr means the loop's default
// executor. Returns the job's Future<R> (R = fn's result type).
template <class F, class... A>
auto run_in_executor(Executor* executor, F&& fn, A&&... args) {
  using Fn = std::decay_t<F>;
  using R = std::decay_t<std::invoke_result_t<Fn&, std::decay_t<A>&&...>>;
  std::optional<Duration> declared;
  if constexpr (detail::is_simulated_duration<Fn>::value) declared = fn.duration;
  auto call = [f = Fn(std::forward<F>(fn)), tup = std::make_tuple(std::forward<A>(args)...)]() mutable -> R {
    return std::apply(f, std::move(tup));  // a job runs once: its arguments are moved in
  };
  Loop& loop = get_running_loop();
  auto job = std::make_shared<detail::ExecJobImpl<R, decltype(call)>>(std::move(call));
  auto fut = detail::make_ref<detail::ExecFuture<R>>(loop, job);
  job->fut_ = fut;
  job->loop = &loop;
  job->declared_duration = declared;
  Executor& ex = executor ? *executor : default_executor(loop);
  try {
    ex.submit(loop, job);
  } catch (...) {
    job->drop();
    throw;
  }
  return Future<R>(detail::Ref<detail::FutureBase>(fut));
}
template <class F, class... A>
auto run_in_executor(Executor& executor, F&& fn, A&&... args) {
  return run_in_executor(&executor, std::forward<F>(fn), std::forward<A>(args)...);
}

// asyncio.to_thread(fn, *args): fn in the default executor.
template <class F, class... A>
auto to_thread(F&& fn, A&&... args) {
  return run_in_executor(static_cast<Executor*>(nullptr), std::forward<F>(fn), std::forward<A>(args)...);
}

}  // namespace simloop
