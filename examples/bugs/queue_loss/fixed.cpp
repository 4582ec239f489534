// Bug 7, a cancelled consumer loses an item — fixed: a worker cancelled
// while handling a job puts it back for the other workers first.
#include "jobs.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::queue_loss::fixed {

namespace {
sl::Coro<void> worker(Jobs& jobs) {
  for (;;) {
    int job = co_await jobs.queue.get();
    try {
      co_await remote_call(10ms);
    } catch (const sl::CancelledError&) {
      jobs.queue.put_nowait(job);  // back in the queue (join() now counts it again) ...
      jobs.queue.task_done();      // ... and this take is over
      throw;
    }
    jobs.handled.insert(job);
    jobs.queue.task_done();
  }
}
}  // namespace

sl::Coro<void> test() { return run_jobs(&worker); }

}  // namespace bugs::queue_loss::fixed
