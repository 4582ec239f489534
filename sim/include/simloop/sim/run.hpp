#pragma once
// sim::run(main, options): asyncio.run on a virtual clock.
//
//   auto r = sl::sim::run(demo, {.seed = 42});
//   r.value      // what demo's coroutine returned (absent for void)
//   r.elapsed    // virtual time the run took
//   r.steps      // callbacks the loop ran
#include <simloop/run.hpp>
#include <simloop/sim/sim_loop.hpp>

#include <cstdint>
#include <optional>
#include <type_traits>

namespace simloop::sim {

struct RunOptions {
  std::uint64_t seed = 0;
};

template <class T>
struct RunResult {
  T value;
  Duration elapsed{};
  std::uint64_t steps = 0;
};
template <>
struct RunResult<void> {
  Duration elapsed{};
  std::uint64_t steps = 0;
};

template <class F>
using main_result_t = typename std::invoke_result_t<F&>::value_type;

// `main` is a callable returning Coro<T> (a coroutine function or lambda), so
// that exploring strategies can run it again; it must outlive the run.
template <class F>
RunResult<main_result_t<F>> run(F&& main, RunOptions options = {}) {
  (void)options;
  if (running_loop())
    throw std::runtime_error(
        "sim::run() cannot be called from a running event loop: co_await the coroutine instead [S8]");
  using T = main_result_t<F>;
  SimLoop loop;
  if constexpr (std::is_void_v<T>) {
    simloop::detail::run_main(loop, main());
    return RunResult<void>{loop.time().time_since_epoch(), loop.steps()};
  } else {
    T v = simloop::detail::run_main(loop, main());
    return RunResult<T>{std::move(v), loop.time().time_since_epoch(), loop.steps()};
  }
}

}  // namespace simloop::sim
