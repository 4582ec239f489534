#pragma once
// Bug 7, a cancelled consumer loses an item: a worker takes a job from a
// Queue and is cancelled (the autoscaler scales down) while handling it; the
// job is neither done nor back in the queue. See README.md.
#include <fmt/format.h>

#include <set>
#include <simloop/queues.hpp>
#include <vector>

#include "../gallery.hpp"

namespace bugs::queue_loss {

struct Jobs {
  simloop::Queue<int> queue;
  std::set<int> handled;
};

using WorkerFn = simloop::Coro<void> (*)(Jobs& jobs);

// The test: four jobs at 0 ms, two more at 30 ms; two workers, each job
// takes 10 ms. At 25 ms the autoscaler sees an empty queue and cancels the
// second worker — idle at nominal latency, waiting in get(), where a
// cancellation loses nothing [S76]. Property: every job is handled
// (queue.join() returns within 200 ms).
inline simloop::Coro<void> run_jobs(WorkerFn worker) {
  using namespace std::chrono_literals;
  namespace sl = simloop;
  Jobs jobs;
  for (int j = 0; j < 4; ++j) jobs.queue.put_nowait(j);
  auto w1 = sl::create_task(worker(jobs), "worker-1");
  auto w2 = sl::create_task(worker(jobs), "worker-2");
  co_await sl::sleep(25ms);
  if (jobs.queue.empty()) w2.cancel();  // scale down
  co_await sl::sleep(5ms);
  for (int j = 4; j < 6; ++j) jobs.queue.put_nowait(j);
  auto joined = sl::create_task(jobs.queue.join(), "join");
  co_await sl::sleep(200ms);
  bool all_handled = joined.done();
  // Stop every task before checking: they use `jobs`, which lives in this
  // frame, and a failed check ends the frame.
  for (sl::Task<void>* t : {&w1, &w2, &joined}) {
    t->cancel();
    try {
      co_await *t;
    } catch (const sl::CancelledError&) {
    }
  }
  std::string lost;
  for (int j = 0; j < 6; ++j)
    if (!jobs.handled.count(j)) lost += fmt::format(" {}", j);
  expect(all_handled, fmt::format("lost job:{} never handled (queue.join() still waited at 230ms): a worker was "
                                  "cancelled while handling it",
                                  lost));
}

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::queue_loss
