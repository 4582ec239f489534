#pragma once
// simloop::run(coro): asyncio.run on the real clock.
//   - refuses to start inside a running loop [S8];
//   - wraps main in a task and runs the loop until it is done [S9];
//   - then cancels every task still pending and lets them finish, as
//     asyncio.run does, so every coroutine frame ends exactly once.
#include <simloop/real_loop.hpp>
#include <simloop/task.hpp>

#include <stdexcept>

namespace simloop {

namespace detail {
// asyncio.run's body, shared by the real loop and the simulator.
template <class T>
T run_main(Loop& loop, Coro<T> main) {
  auto task = create_task(loop, std::move(main));
  struct Finally {
    Loop& loop;
    ~Finally() {
      try {
        loop.cancel_all_tasks();
      } catch (...) {
        // A failure while shutting down must not mask main's own outcome.
      }
    }
  } finally{loop};
  return loop.run_until_complete(Future<T>(task));
}
}  // namespace detail

template <class T>
T run(Coro<T> main) {
  if (running_loop())
    throw std::runtime_error(
        "simloop::run() cannot be called from a running event loop: co_await the coroutine instead [S8]");
  RealLoop loop;
  return detail::run_main(loop, std::move(main));
}

}  // namespace simloop
