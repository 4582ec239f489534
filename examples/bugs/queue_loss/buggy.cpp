// Bug 7, a cancelled consumer loses an item — the buggy worker.
#include "jobs.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::queue_loss::buggy {

namespace {
sl::Coro<void> worker(Jobs& jobs) {
  for (;;) {
    int job = co_await jobs.queue.get();  // a cancellation while waiting here loses nothing ...
    co_await remote_call(10ms);           // ... but here the job is out of the queue and not yet handled
    jobs.handled.insert(job);
    jobs.queue.task_done();
  }
}
}  // namespace

sl::Coro<void> test() { return run_jobs(&worker); }

}  // namespace bugs::queue_loss::buggy
