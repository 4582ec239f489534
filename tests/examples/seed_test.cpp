// Every program of the seed walk-through (examples/seed/), checked line by line
// against what CPython 3.11 prints for the original Python (each quoted at the
// top of its example file), and against its virtual run time.
#include <catch2/catch.hpp>

#include "seed.hpp"

#include <sstream>

using namespace std::chrono_literals;

namespace {
struct Expect {
  std::string output;
  simloop::Duration elapsed;
};

void check(simloop::Duration (*example)(std::ostream&), const Expect& e) {
  std::ostringstream out;
  auto elapsed = example(out);
  CHECK(out.str() == e.output);
  CHECK(elapsed == e.elapsed);
}
}  // namespace

TEST_CASE("seed: hello world sleeps 1 s", "[seed]") { check(seed::hello_world, {"hello\nworld\n", 1s}); }

TEST_CASE("seed: say_after awaited in sequence ends at 3 s", "[seed][S38]") {
  check(seed::sequential, {"started at t=0.000s\nhello\nworld\nfinished at t=3.000s\n", 3s});
}

TEST_CASE("seed: say_after as tasks ends at 2 s", "[seed][S25]") {
  check(seed::concurrent_tasks, {"started at t=0.000s\nhello\nworld\nfinished at t=2.000s\n", 2s});
}

TEST_CASE("seed: task return values and default names", "[seed][S26][S27]") {
  // asyncio.run's main task is Task-1, so the two created tasks are Task-2 and Task-3.
  check(seed::task_results, {"3 5 True 3\nnames: Task-2 Task-3\n", 2s});
}

TEST_CASE("seed: gather over tasks and over coroutines", "[seed][S42][S44]") {
  check(seed::gather_results, {"tasks: [\"hello-1\", \"world-2\"] at t=2.000s\n"
                               "coroutines: [\"hello-1\", \"world-2\"] at t=4.000s\n",
                               4s});
}

TEST_CASE("seed: wait with a 0.5 s timeout over ten workers, pending ones cancelled", "[seed][S51][S56]") {
  check(seed::wait_timeout, {"done: 0 1 2 3 4\npending: 5 at t=0.500s\n"
                             "worker 5 cancelled at t=0.500s\nworker 6 cancelled at t=0.500s\n"
                             "worker 7 cancelled at t=0.500s\nworker 8 cancelled at t=0.500s\n"
                             "worker 9 cancelled at t=0.500s\n",
                             500ms});
}

TEST_CASE("seed: a future resolved by a call_soon callback, run_until_complete", "[seed][S9][S12]") {
  check(seed::future_call_soon, {"before: pending\nrun_until_complete returned 42\nafter: done result=42\n", 0s});
}

TEST_CASE("seed: a future awaited inside main", "[seed][S23]") {
  check(seed::future_await, {"hello ...\n... world at t=1.000s\n", 1s});
}

TEST_CASE("seed: two done callbacks with bound arguments run in order", "[seed][S18][S19]") {
  check(seed::done_callbacks, {"callback n=1: result=ok\ncallback n=2: result=ok\n", 0s});
}

TEST_CASE("seed: as_completed yields 1, 2, 4 and ends at 4 s", "[seed][S62][S66]") {
  check(seed::as_completed_order, {"1 at t=1.000s\n2 at t=2.000s\n4 at t=4.000s\n", 4s});
}

TEST_CASE("seed: run_in_executor with the default pool ends at 2 s", "[seed][S79]") {
  check(seed::executor_default, {"started at t=0.000s\ndefault thread pool io done at t=2.000s\n", 2s});
}

TEST_CASE("seed: run_in_executor with a custom pool ends at 2 s", "[seed][S79]") {
  check(seed::executor_custom, {"started at t=0.000s\ncustom thread pool io done at t=2.000s\n", 2s});
}

TEST_CASE("seed: an async context manager", "[seed]") {
  check(seed::async_context_manager,
        {"connecting to db at t=0.000s\nconnected at t=1.000s\nselect: 42 rows at t=2.000s\n"
         "closing at t=2.000s\nclosed at t=2.500s\ndone at t=2.500s\n",
         2500ms});
}

TEST_CASE("seed: an async iterator", "[seed]") {
  check(seed::async_iterator, {"0 at t=0.000s\n1 at t=1.000s\n2 at t=2.000s\nticker done at t=3.000s\n", 3s});
}
