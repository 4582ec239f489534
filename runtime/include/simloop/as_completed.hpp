#pragma once
// as_completed: asyncio.as_completed (CPython 3.11 tasks.py), a port of its
// generator with the same _on_completion / _on_timeout callbacks and the same
// Queue, so it takes exactly as many loop iterations as CPython's.
//
//   for (auto next : sl::as_completed(tasks, {.timeout = 3s})) {
//     std::string r = co_await next;      // the next result to complete (or its exception)
//   }
//
//   template <class X> AsCompleted<X> as_completed(std::vector<X> xs, AsCompletedOptions = {});
//
// X is Task<T>, Future<T> (or derived) or Coro<T> (each wrapped in a task;
// move the vector in). Like Python's generator, nothing happens until the
// iteration starts: begin() wraps the coroutines in tasks, registers a done
// callback on every input and starts the timeout. Each position then yields a
// Coro<T> (Python's _wait_for_one()), to be awaited once, by the task running
// the loop. An AsCompleted can be iterated once.
//
// Behaviour [S62-S66]:
//   - awaitables come in completion order; each gives that input's result or
//     throws its exception [S62];
//   - with a timeout, every awaitable still unanswered at the deadline throws
//     TimeoutError; those answered before were normal; nothing is cancelled
//     [S63];
//   - empty input yields nothing [S64];
//   - CPython iterates set(fs), so the creation order of tasks for coroutine
//     inputs and the yield order of inputs already done at the start are
//     arbitrary there; simloop uses argument order for both. The timing is
//     CPython's: an input already done still reports through a done callback
//     scheduled with call_soon, and each answer passes through the queue
//     [S65];
//   - an input given twice is yielded once (CPython's set(fs)).
// Leaving the loop early is fine: the callbacks stay registered (harmless) as
// in CPython.
#include <simloop/coro.hpp>
#include <simloop/detail/ensure_future.hpp>
#include <simloop/detail/distinct_futures.hpp>
#include <simloop/errors.hpp>
#include <simloop/future.hpp>
#include <simloop/loop.hpp>
#include <simloop/queues.hpp>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace simloop {

struct AsCompletedOptions {
  std::optional<Duration> timeout = std::nullopt;  // none: no deadline
};

namespace detail {

// The state as_completed's closures share (done, todo, timeout_handle).
template <class T>
struct AsCompletedState : RefCounted {
  struct Pending {
    Future<T> fut;
    std::uint64_t callback_id = 0;
    bool live = true;  // still in CPython's todo set
  };
  // An empty handle (no base) is _on_timeout's dummy value, Python's None.
  // (Not std::optional: GCC 12 with sanitizers warns maybe-uninitialized on it.)
  Queue<Future<T>> done;
  std::vector<Pending> todo;             // argument order, distinct
  std::size_t remaining = 0;             // live entries of todo
  TimerHandle timeout_handle;

  // The timer holds only a raw pointer, so it cannot keep this alive in a
  // cycle (this -> timer -> this) past loop teardown. Whenever the timer is
  // still armed, a pending input's callback holds this, so it cannot fire
  // into a destroyed state; and once nothing holds this the timer is moot.
  ~AsCompletedState() override { timeout_handle.cancel(); }

  void on_timeout() {
    // Removing the callbacks below may drop the last other references (the
    // iterating task may have left the loop): stay alive until done, as
    // CPython's timer closure keeps todo and done alive.
    Ref<AsCompletedState> keep(this);
    for (auto& p : todo) {
      if (!p.live) continue;
      p.fut.remove_done_callback(p.callback_id);
      done.put_nowait(Future<T>(Ref<FutureBase>()));  // a dummy value for _wait_for_one()
    }
    todo.clear();
    remaining = 0;
  }

  // Input i completed. (By index, not by searching todo: that made
  // as_completed quadratic in its input count.)
  void on_completion(std::size_t i) {
    if (remaining == 0) return;  // on_timeout() was here first
    assert(i < todo.size() && todo[i].live);
    todo[i].live = false;
    --remaining;
    done.put_nowait(std::move(todo[i].fut));  // todo no longer holds it (CPython: todo.remove(f))
    if (remaining == 0) {
      timeout_handle.cancel();
      todo.clear();
    }
  }
};

// _wait_for_one: the awaitable yielded at each position.
template <class T>
Coro<T> wait_for_one(Ref<AsCompletedState<T>> st) {
  Future<T> f = co_await st->done.get();
  if (!f.base()) throw TimeoutError("as_completed(): the timeout expired before the next awaitable completed");
  f.base()->check_result();  // may raise the input's exception
  if constexpr (!std::is_void_v<T>) co_return take_value(f.slot());
}

}  // namespace detail

template <class X>
class AsCompleted {
 public:
  using value_type = detail::awaitable_result_t<X>;
  using State = detail::AsCompletedState<value_type>;

  AsCompleted(std::vector<X> xs, AsCompletedOptions options) : inputs_(std::move(xs)), options_(options) {}

  struct sentinel {};
  class iterator {
   public:
    using value_type = Coro<typename AsCompleted::value_type>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    // A new _wait_for_one(): dereference once per position.
    value_type operator*() const { return detail::wait_for_one(owner_->state_); }
    iterator& operator++() {
      ++pos_;
      return *this;
    }
    void operator++(int) { ++pos_; }
    bool operator==(sentinel) const noexcept { return pos_ >= owner_->count_; }

   private:
    friend class AsCompleted;
    iterator(AsCompleted* owner) : owner_(owner) {}
    AsCompleted* owner_ = nullptr;
    std::size_t pos_ = 0;
  };

  // The generator's first step: ensure_future, callbacks, timeout.
  iterator begin() {
    if (started_)
      throw std::logic_error("as_completed() can be iterated once (it is a generator): call as_completed() again");
    started_ = true;
    Loop& loop = get_running_loop();
    Loop* lp = &loop;
    state_ = detail::make_ref<State>();
    auto& todo = state_->todo;
    detail::DistinctFutures seen(inputs_.size());
    for (auto& x : inputs_) {
      Future<value_type> f = detail::ensure_future(lp, std::move(x));
      if (seen.insert(f.base())) todo.push_back({std::move(f), 0});
    }
    inputs_.clear();
    state_->remaining = todo.size();
    for (std::size_t i = 0; i < todo.size(); ++i)
      todo[i].callback_id = todo[i].fut.base()->add_done_callback(
          [st = state_, i](detail::FutureBase*) { st->on_completion(i); }, loop.current_task_id());
    if (!todo.empty() && options_.timeout)
      state_->timeout_handle = loop.call_later(*options_.timeout, [st = state_.get()] { st->on_timeout(); });
    count_ = todo.size();  // range(len(todo)), taken once
    return iterator(this);
  }
  sentinel end() const noexcept { return {}; }

 private:
  std::vector<X> inputs_;
  AsCompletedOptions options_;
  detail::Ref<State> state_;
  std::size_t count_ = 0;
  bool started_ = false;
};

template <detail::Awaitable X>
AsCompleted<X> as_completed(std::vector<X> xs, AsCompletedOptions options = {}) {
  return AsCompleted<X>(std::move(xs), options);
}

}  // namespace simloop
