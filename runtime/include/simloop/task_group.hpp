#pragma once
// TaskGroup: asyncio.TaskGroup (CPython 3.11 taskgroups.py), structured
// concurrency as an async context manager.
//
//   co_await sl::task_group([&](sl::TaskGroup& tg) -> sl::Coro<void> {
//     auto a = tg.create_task(fetch("a"));
//     auto b = tg.create_task([&]() -> sl::Coro<int> { ... }, "b");
//     co_await sl::sleep(1s);
//   });   // every child has ended here [S70]
//   // or: sl::TaskGroup tg; co_await sl::async_with(tg, [&](sl::TaskGroup& g) -> sl::Coro<void> {...});
//
// Semantics, as _aexit/_on_task_done/_abort:
//   - aexit waits until every child has ended, also when the body failed [S70].
//   - The first child to fail (with anything but CancelledError) aborts the
//     group: every unfinished child is cancelled — in creation order (CPython
//     iterates a set; see S65) — and the parent task is cancel()ed so that the
//     body stops at its current await [S69]. aexit later uncancel()s the
//     parent, so the CancelledError does not leak past the block.
//   - The body failing (not with CancelledError) aborts the group too.
//   - When everything has ended: the children's exceptions (not
//     CancelledError), then the body's own, are thrown together as one
//     ExceptionGroup("unhandled errors in a TaskGroup") [S69]; with no such
//     error, a CancelledError of the body (the parent being cancelled from
//     outside) propagates.
//   - The parent being cancelled from outside while aexit waits aborts the
//     group (children cancelled) and propagates the CancelledError.
// Not ported: Python's special treatment of SystemExit/KeyboardInterrupt.
//
// A TaskGroup neither moves nor copies (children's callbacks point at it);
// create_task is legal only between aenter and the end of aexit, and not
// while the group is aborting (std::runtime_error, with asyncio's messages).
#include <simloop/async_with.hpp>
#include <simloop/coro.hpp>
#include <simloop/future.hpp>
#include <simloop/task.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace simloop {

class TaskGroup {
 public:
  TaskGroup() = default;
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  ~TaskGroup();

  Coro<void> aenter();
  Coro<void> aexit(std::exception_ptr exc);

  // A child task running `coro` (or a coroutine lambda, kept alive by the task).
  template <class T>
  Task<T> create_task(Coro<T> coro, std::string name = {}) {
    check_can_create();
    Task<T> t = simloop::create_task(*loop_, std::move(coro), std::move(name));
    adopt(t);
    return t;
  }
  template <class F, class = std::enable_if_t<std::is_invocable_v<F&>>>
  auto create_task(F&& f, std::string name = {}) {
    return create_task(co_invoke(std::forward<F>(f)), std::move(name));
  }

  // Children not yet ended, in creation order.
  std::size_t size() const noexcept { return tasks_.size(); }

 private:
  struct Child {
    AnyTask task;
    std::uint64_t callback_id;
  };
  void check_can_create() const;
  void adopt(AnyTask t);
  void abort();
  void on_task_done(detail::FutureBase* f);

  Loop* loop_ = nullptr;
  AnyTask parent_task_;
  std::vector<Child> tasks_;  // creation order (S65: deterministic abort order)
  std::vector<std::exception_ptr> errors_;
  std::optional<Future<bool>> on_completed_fut_;
  bool entered_ = false;
  bool exiting_ = false;
  bool aborting_ = false;
  bool parent_cancel_requested_ = false;
};

// `async with TaskGroup() as tg: body(tg)` in one call; returns the body's result.
template <class F>
auto task_group(F body) -> Coro<detail::async_with_result_t<TaskGroup, F>> {
  TaskGroup tg;
  co_return co_await async_with(tg, std::move(body));
}

}  // namespace simloop
