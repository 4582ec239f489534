#pragma once
// The untyped core of Future<T> and Task<T>.
//
// State machine (asyncio.Future plus concurrent.futures' "running"):
//
//     pending --set_running_or_notify_cancel()--> running
//     pending | running --set_result/set_exception--> done
//     pending --cancel()--> cancelled          (a running future refuses cancel)
//
// done and cancelled are terminal and absorb: a second set_result raises
// InvalidStateError [S14]. On entering a terminal state every done callback is
// scheduled with call_soon, in registration order, exactly once [S18, S19];
// never called inline. A callback added afterwards is scheduled at once [S20].
//
// Ownership: futures are reference counted (Ref). A callback registered here
// holds whatever it captured until it runs or is removed.
#include <simloop/detail/ref.hpp>
#include <simloop/detail/unique_function.hpp>
#include <simloop/errors.hpp>

#include <cassert>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <utility>
#include <type_traits>
#include <new>

namespace simloop {
class Loop;

enum class FutureState : std::uint8_t { pending, running, done, cancelled };
const char* to_string(FutureState s) noexcept;

namespace detail {

class FutureBase;
using DoneFn = UniqueFunction<void(FutureBase*)>;
template <class T>
struct ValueSlot;

// What a registered done callback is: an object told on_future_done(the
// future), as asyncio calls a bound method. A task (its wake-up) and a gather
// (a child finished) are listeners themselves, so awaiting and gathering
// register without allocating, and the ready queue's item for a callback is
// two pointers (loop.hpp, ReadyItem). Any other callable is wrapped in a
// pool-allocated listener by add_done_callback.
//
// FutureBase derives from it only so that tasks and gathers, which are
// futures, need no second base (and no second vtable pointer); a plain future
// is never registered, and its on_future_done throws.
class DoneListener : public RefCounted {
 public:
  virtual void on_future_done(FutureBase* f);
  // How the loop runs it: handing over the ready item's reference to the
  // future, which the listener may drop early. A task does, once it has
  // the outcome, so that the coroutine's own handle is the only one left
  // and an rvalue await can move the value out (FutureAwaiter). The
  // default keeps it for the call. (Defined in future.cpp: FutureBase is
  // incomplete here.)
  virtual void run_done(Ref<FutureBase>&& f);
  // The id add_done_callback returned for it; 0 for a listener registered
  // as itself (it is removed by identity, remove_done_listener).
  virtual std::uint64_t callback_id() const noexcept { return 0; }
  // What this listener touches first when it runs, if that is another
  // object (a task: its coroutine frame), so a timer can prefetch it an
  // iteration ahead (TimerFuture::fire). Null: nothing worth fetching.
  virtual const void* first_touch() const noexcept { return nullptr; }
  // The task whose work running this listener is (0: none), for the trace
  // and PCT: a task's wake-up is its own, a gather's is the task that
  // gathered, a plain callable's is whoever add_done_callback named. Asked
  // of the listener when needed (ReadyItem::owner_task), so a future keeps
  // no owner field beside its first callback, nor a ready item one (8 bytes
  // less in every future and task, and in every ready item).
  virtual std::uint64_t owner_task() const noexcept { return 0; }
};

class FutureBase : public DoneListener {
 public:
  explicit FutureBase(Loop& loop);
  ~FutureBase() override;

  Loop& loop() const noexcept { return *loop_; }
  std::uint64_t id() const noexcept { return id_; }
  FutureState state() const noexcept { return state_; }
  bool done() const noexcept { return state_ == FutureState::done || state_ == FutureState::cancelled; }
  bool cancelled() const noexcept { return state_ == FutureState::cancelled; }
  bool running() const noexcept { return state_ == FutureState::running; }
  // A flag, not a virtual call: the trace asks at every await of a future.
  bool is_task() const noexcept { return is_task_; }

  // [S16] pending -> cancelled; false (and no change) otherwise. Tasks override:
  // cancelling a task only requests it.
  virtual bool cancel(std::string msg = {});
  // [S24] pending -> running (true); cancelled -> false; otherwise InvalidStateError.
  bool set_running_or_notify_cancel();
  // [S13, S14, S22]
  void set_exception(std::exception_ptr e);
  // [S13, S15, S17] The exception (null if it has a result); throws
  // CancelledError if cancelled, InvalidStateError if not done.
  std::exception_ptr exception();
  // Throws what result() would throw; returns if a value is available.
  // Inline for the common case, a result and nothing else: every await and
  // every gathered child asks (no cold block means no exception, and then
  // nothing is left to mark retrieved).
  void check_result() {
    if (state_ == FutureState::done && !cold_) [[likely]]
      return;
    check_result_slow();
  }

  // Returns an id for remove_done_callback (a sequence number of the loop,
  // never 0). The callable is wrapped in a listener that keeps the id and
  // `owner_task` (DoneListener::owner_task), so a registration costs a
  // future no field of its own.
  std::uint64_t add_done_callback(DoneFn fn, std::uint64_t owner_task = 0);
  // The listener is kept (referenced) until it runs or is removed by identity.
  void add_done_listener(Ref<DoneListener> listener);
  // Removes the registration with this id; returns how many were removed (0 or 1).
  std::size_t remove_done_callback(std::uint64_t callback_id);
  // Removes every registration of this listener (asyncio's
  // remove_done_callback(self.__wakeup), which matches by equality); returns
  // how many.
  std::size_t remove_done_listener(const DoneListener* listener);
  // The first registered listener (usually the one waiting task), or null.
  DoneListener* first_listener() const noexcept { return first_cb_.get(); }
  std::size_t done_callback_count() const noexcept {
    return (first_cb_ ? 1 : 0) + (cold_ ? cold_->callbacks.size() : 0);
  }

  // The message given to cancel(msg) (empty if none).
  const std::string& cancel_message() const noexcept { return cold_ ? cold_->cancel_msg : empty_string(); }
  // The CancelledError to raise, as asyncio's _make_cancelled_error: the
  // saved one the first time (a task whose coroutine raised it), then a new
  // one built from the cancel message.
  std::exception_ptr make_cancelled_error();
  // The stored exception without marking it retrieved (for diagnostics).
  const std::exception_ptr& peek_exception() const noexcept { return cold_ ? cold_->exc : kNoException; }
  // exception() of a future known to be done and not cancelled (combinators'
  // done callbacks): marks it retrieved and returns it without a copy.
  const std::exception_ptr& retrieve_exception() noexcept {
    assert(state_ == FutureState::done);
    log_traceback_ = false;
    return peek_exception();
  }

  // --- internal transitions (used by Future<T>, Task<T> and combinators) ---
  // pending|running -> done with the value already stored by the subclass.
  void mark_result_set();
  // Cancel regardless of the task override (asyncio's super().cancel()).
  bool cancel_future(std::string msg);
  [[noreturn]] void throw_invalid_transition(const char* what) const;
  // asyncio's "Task does not support set_result operation" (a RuntimeError).
  [[noreturn]] void throw_task_setter(const char* what) const;
  // The value of the typed future this base belongs to (FutureImpl<T>,
  // TaskImpl<T>, a gather, ...): found from the base, so a Future<T> handle
  // is one pointer and a gather keeps no pointer per child. T is the type the
  // subclass bound (bind_value_slot); never called for void.
  template <class T>
  ValueSlot<T>* value_slot() noexcept {
    assert(value_offset_ != 0);
    return std::launder(reinterpret_cast<ValueSlot<T>*>(reinterpret_cast<unsigned char*>(this) + value_offset_));
  }

  // A scratch bit for one synchronous pass that must spot a future it meets
  // twice (the duplicate arguments of gather [S44], wait and as_completed:
  // DistinctFutures): the pass sets it, and
  // clears it on every future it set it on before it returns or throws.
  // It replaces a hash set of 2n pointers (16 MB at the peak of a gather of
  // 10^6 children: bench W1b, M).
  bool test_and_set_seen() noexcept {
    const bool was = seen_mark_;
    seen_mark_ = true;
    return was;
  }
  void clear_seen() noexcept { seen_mark_ = false; }

  // Drop every registered done callback without running it (loop teardown).
  void drop_done_callbacks() noexcept {
    first_cb_ = nullptr;
    if (cold_) cold_->callbacks.clear();
  }

 protected:
  void schedule_callbacks();
  // [S36] Report an exception nobody retrieved, once. Called by the most
  // derived destructor that knows what the future is (a task's name), since
  // virtual calls no longer reach it from ~FutureBase.
  void report_unretrieved(const char* kind, const std::string& name) noexcept;
  void set_cancel_message(std::string msg) {
    if (cold_ || !msg.empty()) cold().cancel_msg = std::move(msg);
  }
  // A task whose coroutine raised CancelledError keeps it: the first
  // retrieval raises that very error (asyncio's _cancelled_exc).
  void save_cancelled_error(std::exception_ptr e) { cold().cancelled_exc = std::move(e); }
  // Where TaskBase keeps its name: in the cold block, since most tasks are
  // never named nor asked for their name (8 bytes less in every task).
  std::string& task_name_storage() const { return cold().task_name; }
  // Called by the constructor of each typed subclass (`self`, derived from
  // this and from ValueSlot<T>): records where its value lives.
  template <class T, class Derived>
  void bind_value_slot(Derived* self) noexcept {
    if constexpr (!std::is_void_v<T>) {
      // The slot lies inside the object, so this bound keeps the offset in a byte.
      static_assert(sizeof(Derived) - sizeof(ValueSlot<T>) <= 255, "a typed future's value must start within 255 bytes");
      const auto offset = reinterpret_cast<unsigned char*>(static_cast<ValueSlot<T>*>(self)) -
                          reinterpret_cast<unsigned char*>(static_cast<FutureBase*>(self));
      assert(offset > 0 && offset <= 255);
      value_offset_ = static_cast<std::uint8_t>(offset);
    }
  }

  // The first fields fill the tail padding of RefCounted (vptr + count).
  FutureState state_ = FutureState::pending;
  bool log_traceback_ = false;  // an exception nobody retrieved yet [S36]
  // TaskBase's flags (task.hpp). They sit here, in the same padding, because
  // fields of TaskBase's own would cost every task 8 bytes: TaskImpl<long>
  // is 96 bytes with them here, 104 without.
  bool task_must_cancel_ : 1 = false;
  bool task_started_ : 1 = false;
  bool task_given_name_ : 1 = false;
  bool seen_mark_ : 1 = false;  // test_and_set_seen
  bool is_task_ : 1 = false;    // set by TaskBase
  // Where the subclass's ValueSlot<T> starts, in bytes from this base
  // (value_slot); 0 until bound. The last byte of the same padding.
  std::uint8_t value_offset_ = 0;

 private:
  using Callback = Ref<DoneListener>;
  // What most futures never need, allocated on first use: an exception, a
  // cancel message, a saved CancelledError, callbacks beyond the first.
  // Keeps a future (and every task) small: a future that fails pays for the
  // block, which costs little beside throwing the exception.
  struct Cold {
    std::exception_ptr exc;  // set_exception's (null: a result, or cancelled)
    // The loop's serial, kept with the exception: an exception nobody
    // retrieved is reported to that loop if it still lives when the future
    // goes (report_unretrieved), and only a future with an exception needs
    // to know (8 bytes less in every other future).
    std::uint64_t loop_serial = 0;
    std::string cancel_msg;
    std::exception_ptr cancelled_exc;
    std::vector<Callback> callbacks;  // after first_cb_, in registration order
    std::string task_name;            // tasks only (task_name_storage)
  };
  // Const: it only materialises storage (the name is formatted lazily).
  Cold& cold() const {
    if (!cold_) cold_ = std::make_unique<Cold>();
    return *cold_;
  }
  void check_result_slow();
  static const std::string& empty_string() noexcept;
  // What peek_exception returns without a cold block (a plain object, so no
  // initialisation guard is checked on every call).
  static const std::exception_ptr kNoException;
  template <class Match>
  std::size_t remove_callbacks_if(Match match);

  Loop* loop_;
  std::uint64_t id_;
  mutable std::unique_ptr<Cold> cold_;
  // Most futures get exactly one callback (the awaiting task's wake-up), so
  // it is stored inline: awaiting a future allocates no callback list.
  // Invariant: first_cb_ is only filled while the cold list is empty, so it
  // always precedes that list in registration order.
  Callback first_cb_;
};

// A value that needs no "engaged" flag: trivially copyable and destructible
// (an integer, a pointer, a plain struct). It is read only once the future's
// state says a result is set, and there is nothing to destroy, so std::
// optional's flag (and its padding: 8 bytes for a long) would buy nothing.
template <class T>
struct PlainValue {
  T v{};
  template <class... A>
  void emplace(A&&... a) {
    ::new (static_cast<void*>(&v)) T(std::forward<A>(a)...);
  }
  T& operator*() noexcept { return v; }
  const T& operator*() const noexcept { return v; }
};
template <class T>
using ValueBox = std::conditional_t<std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T> &&
                                        std::is_trivially_default_constructible_v<T>,
                                    PlainValue<T>, std::optional<T>>;

// Storage for a future's value; empty for void.
template <class T>
struct ValueSlot {
  ValueBox<T> value;
};
template <>
struct ValueSlot<void> {};

}  // namespace detail
}  // namespace simloop
