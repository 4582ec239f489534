#pragma once
// The event loop: asyncio's BaseEventLoop._run_once, shared by the real-clock
// loop (simloop::run) and the simulator's SimLoop.
//
// Both worlds run the same scheduling code; they differ only in
//   - how time passes (time(), wait_for_work()), and
//   - how nondeterministic choices are made (choose(), timer_jitter()):
//     the base answers 0 everywhere, which is exactly asyncio's order.
// So a program sees identical iteration semantics on both (SEMANTICS S1-S6).
//
// Iterations (S2, S4): an iteration first moves every due timer to the end of
// the ready queue (deadline order, ties in registration order), then runs
// exactly the callbacks that were ready when it started; callbacks scheduled
// meanwhile run in the next iteration.
#include <simloop/detail/radix_heap.hpp>
#include <simloop/detail/ref.hpp>
#include <simloop/detail/ring_queue.hpp>
#include <simloop/detail/unique_function.hpp>
#include <simloop/time.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace simloop {

template <class T>
class Future;
template <class T>
class Coro;

class Loop;
namespace detail {
class FutureBase;
class TaskBase;
class TimerFuture;

// State shared by a Handle and the loop: the cancelled flag, and for timers
// the callback and deadline (a cancelled timer drops its callback at once, as
// asyncio's TimerHandle.cancel does, so captured references are released).
struct HandleState : RefCounted {
  // The flags first: they fill RefCounted's tail padding (80 bytes in all,
  // one pool size class less than with them last).
  bool cancelled = false;
  bool is_timer = false;
  UniqueFunction<void()> callback;
  TimePoint when{};
  std::uint64_t seq = 0;       // registration order: ties on `when` break on it
  std::uint64_t owner_task = 0; // the task that registered it (0: none)
  Loop* scheduled_on = nullptr;  // the loop whose timer heap holds it (null once out)
};
static_assert(sizeof(HandleState) <= 80, "HandleState's flags belong in RefCounted's tail padding");
}  // namespace detail

// Which kind of nondeterministic choice the loop is asking for. Index 0 of
// every choice is what a plain asyncio loop does.
enum class ChoicePoint : std::uint8_t {
  ready_order,       // which callback of the current batch runs next (opt-in)
  timer_tie,         // which of several timers due at the same instant fires first
  timer_jitter,      // extra delay added to a timer's deadline
  executor_latency,  // virtual duration of executor work
  io_latency,        // virtual latency of simulated IO
  buggify,           // a fault-injection point
};
const char* to_string(ChoicePoint why) noexcept;

// A cancellable reference to a scheduled callback (asyncio.Handle).
class Handle {
 public:
  Handle() = default;
  explicit Handle(detail::Ref<detail::HandleState> s) : s_(std::move(s)) {}
  // Inline empty check: awaiters cancel their (usually empty or fired)
  // timer handle on every resume.
  void cancel() {
    if (s_ && !s_->cancelled) cancel_slow();
  }
  bool cancelled() const noexcept { return s_ && s_->cancelled; }
  explicit operator bool() const noexcept { return static_cast<bool>(s_); }

 protected:
  detail::Ref<detail::HandleState> s_;

 private:
  void cancel_slow();
};

// asyncio.TimerHandle: also knows its deadline.
class TimerHandle : public Handle {
 public:
  using Handle::Handle;
  TimePoint when() const noexcept { return s_ ? s_->when : TimePoint{}; }
};

// What the loop tells an observer (the simulator's trace) as it runs.
// All methods default to nothing, so an observer overrides what it records.
class LoopObserver {
 public:
  virtual ~LoopObserver() = default;
  virtual void on_task_created(const detail::TaskBase&) {}
  // A step of the task starts; `throwing` when an exception is thrown in.
  // Not called for an observer that defers step starts (see below) unless
  // the loop still keeps an earlier start (take that one first).
  virtual void on_task_step(const detail::TaskBase&, bool /*throwing*/) {}
  // The task suspended: on `fut`, or with fut == nullptr on a bare yield (sleep(0)).
  virtual void on_task_suspended(const detail::TaskBase&, const detail::FutureBase* /*fut*/) {}
  // The task reached a terminal state (done with result/exception, or cancelled).
  virtual void on_task_finished(const detail::TaskBase&) {}
  virtual void on_cancel_requested(const detail::TaskBase&, const std::string& /*msg*/) {}
  // A timer is due and moves to the ready queue: registered by task
  // `owner_task` (0: none), `seq` its registration number (Handle order).
  virtual void on_timer_fired(std::uint64_t /*owner_task*/, std::uint64_t /*seq*/) {}
  virtual void on_callback(std::uint64_t /*owner_task*/) {}
  virtual void on_exception_report(const std::string& /*message*/) {}

  // An observer that defers step starts is not called when a step starts:
  // the loop keeps the start (Loop::take_step_start), and the observer
  // takes it before it records anything else, at the latest with the
  // step's end (on_task_suspended, on_task_finished). One virtual call a
  // step instead of two, and the step's two events recorded together:
  // SimLoop's trace, bench W2 1.05x faster side by side (bench/README.md).
  bool defers_step_starts() const noexcept { return defers_step_starts_; }

 protected:
  bool defers_step_starts_ = false;
};

// One entry of the ready queue, of four kinds.
//   step      run the next step of task `obj` (nothing thrown in): the
//             commonest item;
//   callback  obj->run_done(arg): a future's done callback (`obj` is
//             the registered DoneListener, `arg` the future), or a task step
//             that throws an exception in (a listener holding the exception,
//             `arg` the task);
//   handle    the callback kept in HandleState `obj` (call_soon, timers),
//             skipped if that handle was cancelled meanwhile [S3];
//   timer     the same for sleep's timer, which is its future `obj`
//             (detail/timer_future.hpp): set it unless done.
//
// 16 bytes, two words: `obj`, and a word that is the kind for a step, handle
// or timer, and the future (a counted reference) for a callback. Pointers
// are at least 8-aligned, so a value below kCallbackArg is never one. Whose
// work an item is (owner_task(): for the trace and PCT) is asked of `obj`
// when needed rather than stored: with 10^6 tasks ready at once (bench W1b)
// every byte here is a megabyte.
class ReadyItem {
 public:
  enum class Kind : std::uint8_t { step, handle, timer, callback };

  ReadyItem(Kind k, detail::Ref<detail::RefCounted>&& o) noexcept : obj_(std::move(o)), arg_(static_cast<std::uintptr_t>(k)) {
    assert(k != Kind::callback);
  }
  ReadyItem(detail::Ref<detail::RefCounted>&& listener, detail::Ref<detail::RefCounted>&& future) noexcept
      : obj_(std::move(listener)), arg_(reinterpret_cast<std::uintptr_t>(future.detach())) {
    assert(arg_ >= kCallbackArg);
  }
  ReadyItem(ReadyItem&& o) noexcept : obj_(std::move(o.obj_)), arg_(std::exchange(o.arg_, 0)) {}
  // Takes over `from`'s references and leaves it as raw memory, never to be
  // destroyed (RingQueue::take_front): two words copied, nothing cleared.
  struct relocate_tag {};
  ReadyItem(relocate_tag, ReadyItem& from) noexcept
      : obj_(detail::Ref<detail::RefCounted>::adopt(from.obj_.get())), arg_(from.arg_) {}
  ReadyItem& operator=(ReadyItem&& o) noexcept {
    if (this != &o) {
      release_arg();
      obj_ = std::move(o.obj_);
      arg_ = std::exchange(o.arg_, 0);
    }
    return *this;
  }
  ~ReadyItem() { release_arg(); }

  Kind kind() const noexcept { return arg_ >= kCallbackArg ? Kind::callback : static_cast<Kind>(arg_); }
  detail::RefCounted* obj() const noexcept { return obj_.get(); }
  // The future of a callback item (null for the other kinds).
  detail::RefCounted* arg() const noexcept {
    return arg_ >= kCallbackArg ? reinterpret_cast<detail::RefCounted*>(arg_) : nullptr;
  }
  // A callback item's reference to its future, handed over (the item is
  // spent: it must not be run again).
  detail::Ref<detail::RefCounted> take_arg() noexcept {
    detail::RefCounted* a = arg();
    arg_ = 0;
    return detail::Ref<detail::RefCounted>::adopt(a);  // the item's count, handed over
  }
  // The task whose work this is (0: none): the stepped task, the listener's
  // owner (DoneListener::owner_task), the handle's or the sleep's registrar.
  std::uint64_t owner_task() const noexcept;

 private:
  static constexpr std::uintptr_t kCallbackArg = static_cast<std::uintptr_t>(Kind::callback);
  void release_arg() noexcept {
    if (auto* a = arg()) a->release();
  }
  detail::Ref<detail::RefCounted> obj_;
  std::uintptr_t arg_;
};
static_assert(sizeof(void*) != 8 || sizeof(ReadyItem) == 16,
              "a ready item is 16 bytes: every task step moves one through the queue");

class Loop {
 public:
  Loop();
  virtual ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // --- time and scheduling (asyncio's names) ---------------------------------
  virtual TimePoint time() const = 0;
  Handle call_soon(detail::UniqueFunction<void()> cb);
  TimerHandle call_later(Duration delay, detail::UniqueFunction<void()> cb);
  TimerHandle call_at(TimePoint when, detail::UniqueFunction<void()> cb);
  // sleep(delay)'s future: set by a timer due after `delay`, exactly as a
  // future set by call_later(delay, ...) would be, but the future is the
  // timer (detail/timer_future.hpp). Cancel the timer with cancel_timer().
  detail::Ref<detail::TimerFuture> sleep_timer(Duration delay);
  // Thread-safe variant; only the real loop accepts calls from other threads.
  virtual Handle call_soon_threadsafe(detail::UniqueFunction<void()> cb);

  // --- running ---------------------------------------------------------------
  void run_forever();
  void stop() noexcept { stopping_ = true; }
  bool is_running() const noexcept { return running_; }
  // Run until `f` is done and return its result (or throw its exception) [S9].
  template <class T>
  T run_until_complete(Future<T> f);
  // Wraps the coroutine in a task first [S9].
  template <class T>
  T run_until_complete(Coro<T> c);

  // Cancel every task still pending and run the loop until they finish, as
  // asyncio.run() does at the end (its _cancel_all_tasks).
  void cancel_all_tasks();

  // Teardown, called by each concrete loop's destructor while the loop is
  // still whole: every task still pending is reported ("Task was destroyed but
  // it is pending!" [S37]) and its coroutine frame destroyed; then every
  // scheduled callback and timer is dropped. Idempotent.
  void close() noexcept;
  bool is_closed() const noexcept { return closed_; }

  // --- choices ---------------------------------------------------------------
  // True on the simulator's loop (virtual clock, no real threads or IO).
  virtual bool is_simulated() const noexcept { return false; }
  // Ask the loop's decision source for an index in [0, n) at a choice point
  // other than the ones the loop makes itself (executor latency, simulated IO,
  // buggify). The real loop and fifo always answer 0.
  std::size_t decide(std::size_t n, ChoicePoint why) {
    if (n <= 1) return 0;
    std::uint64_t owner = current_task_id();
    return choose(n, why, std::span<const std::uint64_t>(&owner, 1));
  }
  // The running task's id (0: none). Kept beside current_task_ by
  // enter_task, so the many owners recorded (callbacks, timers, trace
  // events) need no call and no dereference.
  std::uint64_t current_task_id() const noexcept { return current_task_id_; }

  // --- tasks -----------------------------------------------------------------
  detail::TaskBase* current_task() const noexcept { return current_task_; }
  // Tasks not yet finished, in creation order (never address order).
  std::vector<detail::Ref<detail::TaskBase>> all_tasks() const;
  std::uint64_t next_task_number() noexcept { return ++task_counter_; }
  std::uint64_t next_future_id() noexcept { return ++future_counter_; }
  // Ids of add_done_callback registrations: one sequence per loop, so a
  // future needs no counter of its own.
  std::uint64_t next_callback_id() noexcept { return ++callback_counter_; }

  // --- internals used by futures and tasks -------------------------------------
  // The handshake of the task step in progress (detail/suspend.hpp): what the
  // coroutine yielded to its task, and the exception the step throws in at
  // the await. Steps never nest (enter_task refuses), so one slot per loop
  // serves every task and keeps 24 bytes out of each task object.
  struct StepState {
    enum class Yield : std::uint8_t { none, bare, blocking };
    detail::FutureBase* yielded = nullptr;
    std::exception_ptr pending_exc;
    Yield yield = Yield::none;
    // A step start kept for the observer (see LoopObserver): the task's id
    // shifted left by two | kLaterStep if it had started before |
    // kThrowing if an exception is thrown in; 0: none (ids start at 1). An
    // id, not the task: nothing dangles if the observer takes it late.
    static constexpr std::uint64_t kLaterStep = 1, kThrowing = 2;
    std::uint64_t started = 0;
  };
  StepState& step_state() noexcept { return step_; }
  // The step start kept for an observer that defers them (0: none).
  bool has_step_start() const noexcept { return step_.started != 0; }
  static std::uint64_t step_start_word(std::uint64_t task_id, std::uint64_t flags) noexcept {
    return task_id << 2 | flags;
  }
  void keep_step_start(std::uint64_t w) noexcept { step_.started = w; }
  // Hands the kept start over (its word, StepState::started), or 0.
  std::uint64_t take_step_start() noexcept { return std::exchange(step_.started, 0); }
  static std::uint64_t step_start_task_id(std::uint64_t w) noexcept { return w >> 2; }
  // An await resuming: throw in what the step asked for (a cancellation), once.
  void rethrow_pending_exception() {
    if (step_.pending_exc) std::rethrow_exception(std::exchange(step_.pending_exc, nullptr));
  }
  // Queue "step task `task`" or "listener->on_future_done(arg)" (`listener`
  // a detail::DoneListener), built in place in the ready queue.
  void schedule_step(detail::RefCounted* task) {
    ready_.emplace_back(ReadyItem::Kind::step, detail::Ref<detail::RefCounted>(task));
  }
  void schedule_callback(detail::Ref<detail::RefCounted> listener, detail::RefCounted* arg) {
    // The listener (a waiting task, a gather) runs in the next iteration;
    // start fetching it now: after a timer fires, it is a cache miss on the
    // critical path (see move_due_timers).
    __builtin_prefetch(listener.get());
    ready_.emplace_back(std::move(listener), detail::Ref<detail::RefCounted>(arg));
  }
  void register_task(detail::TaskBase& t);
  void unregister_task(detail::TaskBase& t);
  // Inline: every task step enters and leaves. Steps never nest; a second
  // enter is a bug (enter_task_conflict throws, naming both tasks).
  void enter_task(detail::TaskBase& t, std::uint64_t task_id) {
    if (current_task_) [[unlikely]]
      enter_task_conflict(t);
    current_task_ = &t;
    current_task_id_ = task_id;
  }
  void leave_task() noexcept {
    current_task_ = nullptr;
    current_task_id_ = 0;
  }
  // asyncio's call_exception_handler: "Task exception was never retrieved", ...
  virtual void report(const std::string& message);

  LoopObserver* observer() const noexcept { return observer_; }
  void set_observer(LoopObserver* o) noexcept { observer_ = o; }

  std::uint64_t steps() const noexcept { return steps_; }            // callbacks run
  std::uint64_t iterations() const noexcept { return iterations_; }  // _run_once calls
  std::size_t ready_count() const noexcept { return ready_.size(); }
  std::size_t timer_count() const noexcept { return timers_.size(); }  // cancelled ones not yet purged included
  // A timer still in the heap was cancelled (TimerHandle.cancel tells the
  // loop, as asyncio's _timer_handle_cancelled): counted, so run_once can
  // purge the heap once most of it is dead instead of letting it grow.
  void timer_handle_cancelled() noexcept { ++timer_cancelled_count_; }
  // Earliest live timer deadline, if any (drops cancelled heads first).
  std::optional<TimePoint> next_timer_deadline();

  // Identifies this loop for futures that may outlive it (see FutureBase).
  std::uint64_t serial() const noexcept { return serial_; }
  static Loop* find_live(std::uint64_t serial) noexcept;

  // Seconds-style deadline helper for users: time() + d.
  TimePoint deadline_after(Duration d) const { return time() + d; }

  // Storage for run_in_executor's default executor (executor.hpp creates it on
  // first use). close() destroys it first, joining its threads, so no worker
  // outlives the loop it reports to.
  std::shared_ptr<void>& default_executor_slot() noexcept { return default_executor_; }

 protected:
  // Nothing is ready: let time pass until `deadline` (or, with none, until
  // something arrives). The simulator jumps its clock; with no deadline it has
  // found a deadlock and throws.
  virtual void wait_for_work(std::optional<TimePoint> deadline) = 0;
  // Non-blocking poll for work from outside the loop (the real loop's
  // thread-safe queue). Called once per iteration by a loop that set
  // polls_external_ (a simulation has no outside: no virtual call).
  virtual void poll_external() {}
  bool polls_external_ = false;
  // A choice among `n` options; 0 is asyncio's. `tasks` names the task each
  // option belongs to (0: none), for strategies that prioritise tasks.
  virtual std::size_t choose(std::size_t n, ChoicePoint why, std::span<const std::uint64_t> tasks);
  // Extra delay for a newly registered timer (simulated jitter). Default none.
  virtual Duration timer_jitter() { return Duration::zero(); }
  // Called before an item runs once steps() has passed steps_limit_ (the
  // item that passed it, and each one after). Not for every item: a
  // virtual call before each was ~4% of a task switch (bench W2) and ~2%
  // of a timer (W3). The observer hears of steps and handles anyway.
  virtual void on_steps_limit(const ReadyItem&) {}
  // A subclass's step budget (SimLoop's), enforced in on_steps_limit.
  static constexpr std::uint64_t kNoStepLimit = UINT64_MAX;
  std::uint64_t steps_limit_ = kNoStepLimit;

  // Opt-in exploration of ready order (asyncio guarantees FIFO, so this explores
  // orders beyond asyncio's guarantee). Timer ties are asked whenever >1 timer
  // is due at the same instant and explore_timer_ties_ is set.
  bool explore_ready_order_ = false;
  bool explore_timer_ties_ = false;

  void run_once();
  // Drop everything still scheduled without running it (teardown).
  void clear_scheduled() noexcept;

 private:
  // The timer queue's entry: its key is (deadline, registration number),
  // both kept here so ordering never dereferences the handle
  // (detail/radix_heap.hpp).
  struct TimerEntry {
    TimePoint when;
    std::uint64_t seq;  // the handle's registration number
    // Owns one reference: a HandleState (call_at), or with the low bit set
    // a TimerFuture (sleep_timer). Tagged, so the entry stays 24 bytes.
    std::uintptr_t obj;

    static constexpr std::uintptr_t kFutureBit = 1;
    bool is_future() const noexcept { return obj & kFutureBit; }
    detail::RefCounted* ref() const noexcept { return reinterpret_cast<detail::RefCounted*>(obj & ~kFutureBit); }
    detail::HandleState* handle() const noexcept;
    detail::TimerFuture* future() const noexcept;
    bool cancelled() const noexcept;
    std::uint64_t owner_task() const noexcept;
    void set_queued(Loop* loop) const noexcept;  // null: out of the queue
  };
  struct TimerKey {
    // The deadline's bits, sign flipped, order as unsigned numbers.
    static std::uint64_t hi(const TimerEntry& e) noexcept {
      return static_cast<std::uint64_t>(e.when.time_since_epoch().count()) ^ (std::uint64_t{1} << 63);
    }
    static std::uint64_t lo(const TimerEntry& e) noexcept { return e.seq; }
  };
  // push_timer takes over the entry's reference; pop_timer hands it back.
  void push_timer(TimerEntry e);
  TimerEntry pop_timer();
  void move_due_timers(TimePoint now);
  void purge_cancelled_timers();
  void fire_timer(TimerEntry e);
  // Releases what tie_buf_ holds (left there only if a choice threw).
  void drop_ties() noexcept;

  detail::RingQueue<ReadyItem> ready_;
  detail::RadixHeap<TimerEntry, TimerKey> timers_;  // pops in (when, seq) order
  std::size_t timer_cancelled_count_ = 0;  // cancelled entries still in timers_
  std::vector<TimerEntry> tie_buf_;  // timers due at one instant; each owns a reference
  std::vector<std::uint64_t> choice_tasks_;
  std::vector<detail::TaskBase*> tasks_;  // live tasks, creation order; holes compacted lazily
  std::size_t task_holes_ = 0;
  [[noreturn]] void enter_task_conflict(detail::TaskBase& t);
  // In a catch block of run_once: reports the callback's exception.
  void report_callback_exception();
  detail::TaskBase* current_task_ = nullptr;
  std::uint64_t current_task_id_ = 0;  // current_task_'s id (0: none)
  StepState step_;
  LoopObserver* observer_ = nullptr;
  std::uint64_t task_counter_ = 0;
  std::uint64_t future_counter_ = 0;
  std::uint64_t callback_counter_ = 0;
  std::uint64_t handle_seq_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t iterations_ = 0;
  std::uint64_t serial_ = 0;
  bool stopping_ = false;
  bool running_ = false;
  bool closed_ = false;
  std::shared_ptr<void> default_executor_;
};

namespace detail {
// The loop running on this thread (set by run_forever). Inline, constinit:
// every await and create_task asks for it, and a constant-initialised
// thread_local is one TLS load, with no call and no init-guard wrapper.
extern thread_local constinit Loop* tl_running_loop;
[[noreturn]] void throw_no_running_loop();
[[noreturn]] void throw_await_outside_task(const char* what);

// The task executing on the running loop; throws a message naming the fix
// when `what` is awaited outside one. Inline: every await asks.
inline TaskBase& running_task_for_await(const char* what) {
  Loop* l = tl_running_loop;
  TaskBase* t = l ? l->current_task() : nullptr;
  if (!t) [[unlikely]]
    throw_await_outside_task(what);
  return *t;
}
}  // namespace detail

// The loop running on this thread. Throws RuntimeError-like std::runtime_error
// naming the fix when there is none [S7].
inline Loop& get_running_loop() {
  if (!detail::tl_running_loop) [[unlikely]]
    detail::throw_no_running_loop();
  return *detail::tl_running_loop;
}
// The running loop or nullptr.
inline Loop* running_loop() noexcept { return detail::tl_running_loop; }

}  // namespace simloop
