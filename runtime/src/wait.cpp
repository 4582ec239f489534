// asyncio.wait's engine: CPython 3.11 tasks.py _wait, ported line by line
// (see wait.hpp for the public contract).
#include <simloop/future.hpp>
#include <simloop/loop.hpp>
#include <simloop/task.hpp>
#include <simloop/wait.hpp>

#include <cassert>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace simloop::detail {

void wait_check(std::size_t n, ReturnWhen return_when) {
  if (n == 0) throw std::invalid_argument("Set of Tasks/Futures is empty.");
  if (return_when != FIRST_COMPLETED && return_when != FIRST_EXCEPTION && return_when != ALL_COMPLETED)
    throw std::invalid_argument("Invalid return_when value: " + std::to_string(static_cast<int>(return_when)) +
                                " (use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED)");
}

namespace {

// What _wait's closure _on_completion shares with _wait. Each input's done
// callback holds it (like the closure), so a callback that was already
// scheduled when _wait returned still finds it.
struct WaitState : RefCounted {
  explicit WaitState(Loop& loop, std::ptrdiff_t n, ReturnWhen rw) : waiter(loop), counter(n), return_when(rw) {}
  Future<void> waiter;
  TimerHandle timeout_handle;
  std::ptrdiff_t counter;  // a Python int: may go below zero
  ReturnWhen return_when;

  void on_completion(FutureBase* f) {
    --counter;
    if (counter <= 0 || return_when == FIRST_COMPLETED ||
        (return_when == FIRST_EXCEPTION && !f->cancelled() && f->exception() != nullptr)) {
      timeout_handle.cancel();
      if (!waiter.done()) waiter.set_result();
    }
  }
};

}  // namespace

Coro<void> wait_core(std::vector<Ref<FutureBase>> fs, std::optional<Duration> timeout, ReturnWhen return_when) {
  assert(!fs.empty());
  Loop& loop = get_running_loop();
  auto st = make_ref<WaitState>(loop, static_cast<std::ptrdiff_t>(fs.size()), return_when);
  if (timeout) {
    // _release_waiter: holds the waiter only.
    st->timeout_handle = loop.call_later(*timeout, [w = st->waiter]() mutable {
      if (!w.done()) w.set_result();
    });
  }

  std::vector<std::uint64_t> callback_ids;
  callback_ids.reserve(fs.size());
  for (auto& f : fs)
    callback_ids.push_back(
        f->add_done_callback([st](FutureBase* done) { st->on_completion(done); }, loop.current_task_id()));

  // The `finally:` of _wait — also when the awaiting task is cancelled, and
  // when its frame is destroyed at loop teardown.
  struct Finally {
    WaitState& st;
    std::vector<Ref<FutureBase>>& fs;
    std::vector<std::uint64_t>& ids;
    ~Finally() {
      st.timeout_handle.cancel();
      for (std::size_t i = 0; i < fs.size(); ++i) fs[i]->remove_done_callback(ids[i]);
    }
  } finally{*st, fs, callback_ids};

  co_await st->waiter;
}

}  // namespace simloop::detail
