#pragma once
// Task<T>: asyncio.Task — a coroutine scheduled on the loop, itself a Future<T>.
//
// Life of a task (asyncio's Task.__step, ported):
//   create_task(coro)   the first step is scheduled with call_soon [S25]; the
//                       loop holds a reference until the task ends.
//   step                resumes the coroutine until it suspends on a future
//                       (the task then waits for that future's done callback),
//                       yields bare (sleep(0): the next step is call_soon'ed),
//                       returns (done with its value) or throws (done with the
//                       exception; cancelled if it was CancelledError).
//   cancel(msg)         a request: if the task waits on a future, that future
//                       is cancelled (its CancelledError then reaches the
//                       coroutine at the await) [S29]; otherwise the next step
//                       throws CancelledError in (must_cancel) [S34]. A task
//                       cancelled before its first step never runs its body
//                       [S28]. The coroutine may catch the CancelledError [S30].
//   cancelling()/uncancel()  count of pending cancel requests [S31, S33].
//
// States, as asyncio's Task._state:
//
//     pending --coroutine returns v-------------------------> done (result v)
//     pending --coroutine throws e (not CancelledError)-----> done (exception e)
//     pending --coroutine throws CancelledError-------------> cancelled
//     pending --returns while a cancel is still undelivered-> cancelled
//
// A task stays `pending` while its coroutine runs (started() tells): the
// `running` state of detail/future_base.hpp belongs to executor jobs and
// refuses cancel(), while a task must stay cancellable. Only the task itself
// completes: set_result()/set_exception() on a task throw (RuntimeError, as
// asyncio). A task still pending when its loop closes is reported ("Task was
// destroyed but it is pending!" [S37]) and its frame destroyed; one that ended
// with an exception nobody retrieved is reported when its last handle goes
// ("Task exception was never retrieved" [S36]).
//
// Errors thrown into the coroutine at its await on the next iteration (as
// Task.__step does): awaiting the task itself, or a future of another loop.
#include <simloop/coro.hpp>
#include <simloop/future.hpp>

#include <coroutine>
#include <cstddef>
#include <memory>
#include <string>

namespace simloop {

namespace detail {

class TaskBase : public FutureBase {
 public:
  static constexpr std::uint32_t kNoSlot = static_cast<std::uint32_t>(-1);

  // `name` by reference: most tasks have none, and moving an empty string
  // through each layer cost ~100 instructions a task (bench/README.md).
  TaskBase(Loop& loop, std::coroutine_handle<> root, std::string&& name);
  ~TaskBase() override;

  bool cancel(std::string msg = {}) override;
  int cancelling() const noexcept { return num_cancels_requested_; }
  int uncancel() noexcept {
    if (num_cancels_requested_ > 0) --num_cancels_requested_;
    return num_cancels_requested_;
  }
  // "Task-<id>" unless given one: formatted on first use (most tasks are
  // never asked), which keeps task creation free of string work.
  const std::string& name() const {
    std::string& s = task_name_storage();
    if (!task_given_name_ && s.empty()) s = "Task-" + std::to_string(task_id_);  // never empty once formatted
    return s;
  }
  bool has_given_name() const noexcept { return task_given_name_; }
  void set_name(std::string n) {
    task_name_storage() = std::move(n);  // may be empty, as asyncio allows
    task_given_name_ = true;
  }
  // Sequence number of this task on its loop (1, 2, ...): the n of "Task-n".
  std::uint64_t task_id() const noexcept { return task_id_; }
  // What the task is suspended on (null: running, ready, or a bare yield).
  FutureBase* waiting_on() const noexcept { return fut_waiter_.get(); }
  bool started() const noexcept { return task_started_; }
  bool must_cancel() const noexcept { return task_must_cancel_; }

  // Loop teardown: destroy the coroutine frame of a task that never finished.
  void destroy_frame() noexcept;
  // Loop teardown of a task that never finished: destroy its frame, take its
  // wake-up off the future it waits on and drop its own done callbacks (they
  // can never run now). This breaks the reference cycles a pending task sits
  // in (task -> awaited future -> its callback -> task), so nothing leaks.
  void abandon() noexcept;

  // --- the awaiter protocol (detail/suspend.hpp) -----------------------------
  // One step of the coroutine. exc is null (most steps: run_once passes no
  // exception_ptr at all), or an exception to throw in at the await (moved
  // from).
  void step(std::exception_ptr* exc);
  [[gnu::cold, gnu::noinline]] void refuse_await(FutureBase& f);  // another loop's future, or itself
  [[gnu::cold, gnu::noinline]] void fail_foreign_await();         // suspended on a foreign awaitable
  [[gnu::cold, gnu::noinline, noreturn]] void step_on_done_task();
  void wakeup(FutureBase* f);
  // The task's registration on the future it awaits (DoneListener).
  void on_future_done(FutureBase* f) override { wakeup(f); }
  void run_done(Ref<FutureBase>&& f) override;
  std::uint64_t owner_task() const noexcept override { return task_id_; }
  const void* first_touch() const noexcept override { return resume_point_.address(); }
  void note_suspend_on(FutureBase& f, std::coroutine_handle<> h) noexcept {
    auto& s = loop().step_state();
    s.yield = Loop::StepState::Yield::blocking;
    s.yielded = &f;
    resume_point_ = h;
  }
  void note_suspend_yield(std::coroutine_handle<> h) noexcept {
    loop().step_state().yield = Loop::StepState::Yield::bare;
    resume_point_ = h;
  }
  void rethrow_pending() { loop().rethrow_pending_exception(); }

 protected:
  // The root coroutine returned: store its value and mark the task done.
  virtual void finish_with_root_value() = 0;
  virtual std::exception_ptr root_exception() noexcept = 0;
  // Queue a step that throws `exc` (not null) into the coroutine. A plain
  // step is queued with Loop::schedule_step directly.
  void schedule_throw_in(std::exception_ptr exc);
  // The root coroutine's frame (valid until the task finishes).
  void* root_address() const noexcept { return root_.address(); }

 private:
  void finish(std::exception_ptr exc);

  std::coroutine_handle<> root_;
  std::coroutine_handle<> resume_point_;
  Ref<FutureBase> fut_waiter_;
  std::uint64_t task_id_;
  int num_cancels_requested_ = 0;

 public:
  // Index in the loop's task list, beside the count above so both fill one
  // word (32 bits: the list holds the live tasks and at most as many holes).
  std::uint32_t loop_slot_ = kNoSlot;
};

template <class T>
class TaskImpl final : public TaskBase, public ValueSlot<T> {
 public:
  TaskImpl(Loop& loop, typename Coro<T>::handle_type h, std::string&& name)
      : TaskBase(loop, h, std::move(name)) {
    bind_value_slot<T>(this);
  }

 protected:
  void finish_with_root_value() override {
    if constexpr (!std::is_void_v<T>) this->value.emplace(std::move(promise().value));
    mark_result_set();
  }
  std::exception_ptr root_exception() noexcept override { return promise().peek_exception(); }

 private:
  // The typed view of TaskBase's root handle (not stored twice).
  typename Coro<T>::promise_type& promise() const noexcept {
    return Coro<T>::handle_type::from_address(root_address()).promise();
  }
};
// Every task is one of these beside its frame, 10^6 of them alive in bench
// W1b: a field added here costs a pool size class (16 bytes) per task.
static_assert(sizeof(void*) != 8 || sizeof(FutureBase) <= 48, "FutureBase grew past 48 bytes");
static_assert(sizeof(void*) != 8 || sizeof(TaskImpl<long>) <= 96, "TaskImpl<long> grew past 96 bytes");
static_assert(sizeof(void*) != 8 || sizeof(TaskImpl<void>) <= 88, "TaskImpl<void> grew past 88 bytes");

bool is_cancelled_error(const std::exception_ptr& e) noexcept;

}  // namespace detail

// A type-erased handle to a task of any result type (asyncio.Task without T).
class AnyTask {
 public:
  AnyTask() = default;
  explicit AnyTask(detail::Ref<detail::TaskBase> t) : t_(std::move(t)) {}
  explicit operator bool() const noexcept { return static_cast<bool>(t_); }

  const std::string& name() const { return t_->name(); }
  std::uint64_t id() const noexcept { return t_->task_id(); }
  FutureState state() const noexcept { return t_->state(); }
  bool done() const noexcept { return t_->done(); }
  bool cancelled() const noexcept { return t_->cancelled(); }
  bool cancel(std::string msg = {}) { return t_->cancel(std::move(msg)); }
  int cancelling() const noexcept { return t_->cancelling(); }
  int uncancel() noexcept { return t_->uncancel(); }
  std::exception_ptr exception() const { return t_->exception(); }
  detail::TaskBase* base() const noexcept { return t_.get(); }
  friend bool operator==(const AnyTask& a, const AnyTask& b) noexcept { return a.t_ == b.t_; }

 private:
  detail::Ref<detail::TaskBase> t_;
};

template <class T>
class Task : public Future<T> {
 public:
  // An empty handle (no task); assign a create_task() result to it.
  Task() : Future<T>(detail::Ref<detail::FutureBase>()) {}
  explicit Task(detail::Ref<detail::TaskImpl<T>> t) : Future<T>(detail::Ref<detail::FutureBase>(std::move(t))) {}

  const std::string& name() const { return task()->name(); }
  const std::string& get_name() const { return task()->name(); }
  void set_name(std::string n) { task()->set_name(std::move(n)); }
  std::uint64_t task_id() const noexcept { return task()->task_id(); }
  int cancelling() const noexcept { return task()->cancelling(); }
  int uncancel() noexcept { return task()->uncancel(); }
  operator AnyTask() const { return AnyTask(detail::Ref<detail::TaskBase>(task())); }  // NOLINT: a Task is an AnyTask
  detail::TaskBase* task() const noexcept { return static_cast<detail::TaskBase*>(this->b_.get()); }
};

namespace detail {
// Both create_task overloads end here; the name goes by reference all the way.
template <class T>
Task<T> spawn_task(Loop& loop, Coro<T>& coro, std::string& name) {
  if (!coro)
    throw std::logic_error("create_task() got an empty or already-used Coro: call the coroutine function again");
  if (coro.started())
    throw std::logic_error("create_task() got a Coro that was already awaited: a Coro runs once; "
                           "call the coroutine function again");
  auto h = coro.release_as_root();
  return Task<T>(detail::make_ref<detail::TaskImpl<T>>(loop, h, std::move(name)));
}
}  // namespace detail

// [S25, S26] Wrap `coro` in a task on `loop`; its first step runs on the next
// loop iteration. Name defaults to "Task-<n>".
template <class T>
Task<T> create_task(Loop& loop, Coro<T> coro, std::string name = {}) {
  return detail::spawn_task(loop, coro, name);
}
template <class T>
Task<T> create_task(Coro<T> coro, std::string name = {}) {
  return detail::spawn_task(get_running_loop(), coro, name);
}

// A coroutine *lambda* must outlive its coroutine: `create_task([&]() -> Coro<T> {...}())`
// destroys the closure at the end of the statement while the task still runs
// (a classic C++ trap). Pass the lambda itself instead — `create_task([&]() ->
// Coro<T> {...})` — and simloop keeps the closure inside the coroutine frame.
template <class F>
auto co_invoke(F f) -> std::invoke_result_t<F&> {
  co_return co_await f();
}

template <class F, class = std::enable_if_t<std::is_invocable_v<F&>>>
auto create_task(Loop& loop, F&& f, std::string name = {}) {
  return create_task(loop, co_invoke(std::forward<F>(f)), std::move(name));
}
template <class F, class = std::enable_if_t<std::is_invocable_v<F&>>>
auto create_task(F&& f, std::string name = {}) {
  return create_task(get_running_loop(), co_invoke(std::forward<F>(f)), std::move(name));
}

// [S41] The running task, or an empty AnyTask outside one.
AnyTask current_task();

template <class T>
T Loop::run_until_complete(Future<T> f) {
  // [S9] Stop the loop from f's done callback, then return its result.
  auto id = f.add_done_callback([this] { stop(); });
  try {
    run_forever();
  } catch (...) {
    f.remove_done_callback(id);
    throw;
  }
  f.remove_done_callback(id);
  if (!f.done()) throw std::runtime_error("the event loop stopped before the future completed (stop() was called)");
  if constexpr (std::is_void_v<T>) {
    f.result();
  } else {
    return f.result();
  }
}

template <class T>
T Loop::run_until_complete(Coro<T> c) {
  return run_until_complete(Future<T>(create_task(*this, std::move(c))));
}

}  // namespace simloop
