// ThreadPoolExecutor: real worker threads on the real loop, simulated workers
// (callbacks and timers, no threads) under the simulator. See executor.hpp.
#include <simloop/executor.hpp>

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace simloop {

namespace {
// The job whose fn is running on this thread under the simulator (blocking_sleep adds to it).
thread_local detail::ExecJob* t_sim_job = nullptr;
}  // namespace

void blocking_sleep(Duration d) {
  if (t_sim_job) {
    t_sim_job->slept += d;
    return;
  }
  std::this_thread::sleep_for(d);
}

// Simulated workers: shared with the callbacks they schedule, so that an
// executor destroyed while its jobs are still in flight on the loop is safe.
struct SimWorkers {
  std::size_t max_workers;
  SimulatedLatency latency;
  std::uint64_t loop_serial = 0;  // the loop the counters below belong to
  std::size_t busy = 0;
  std::deque<std::shared_ptr<detail::ExecJob>> queued;

  void dispatch(const std::shared_ptr<SimWorkers>& self, Loop& loop);
  void start(const std::shared_ptr<SimWorkers>& self, Loop& loop, detail::JobRef ref);
  Duration duration_of(Loop& loop, const detail::ExecJob& job) const;
};

void SimWorkers::dispatch(const std::shared_ptr<SimWorkers>& self, Loop& loop) {
  while (busy < max_workers && !queued.empty()) {
    detail::JobRef ref(std::move(queued.front()));
    queued.pop_front();
    ++busy;
    // The worker picks the job up in a callback of its own: the scheduler
    // orders it among the others (and may explore that order).
    loop.call_soon([self, &loop, ref = std::move(ref)]() mutable { self->start(self, loop, std::move(ref)); });
  }
}

Duration SimWorkers::duration_of(Loop& loop, const detail::ExecJob& job) const {
  if (job.declared_duration) return *job.declared_duration;
  if (job.slept > Duration::zero()) return job.slept;
  if (latency.max <= Duration::zero() || latency.choices < 2) return Duration::zero();
  auto k = static_cast<Duration::rep>(loop.decide(latency.choices, ChoicePoint::executor_latency));
  return latency.max * k / static_cast<Duration::rep>(latency.choices - 1);
}

void SimWorkers::start(const std::shared_ptr<SimWorkers>& self, Loop& loop, detail::JobRef ref) {
  if (!ref->try_start()) {  // cancelled while queued: the worker moves on
    --busy;
    dispatch(self, loop);
    return;
  }
  ref->mark_running();
  t_sim_job = &*ref;
  ref->execute();
  t_sim_job = nullptr;
  Duration d = duration_of(loop, *ref);
  loop.call_later(d, [self, &loop, ref = std::move(ref)]() mutable {
    --self->busy;
    ref->complete();
    self->dispatch(self, loop);
  });
}

struct ThreadPoolExecutor::Impl {
  std::size_t max_workers;
  std::shared_ptr<SimWorkers> sim;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<detail::ExecJob>> work;
  std::vector<std::thread> threads;
  std::size_t idle_tokens = 0;  // concurrent.futures' _idle_semaphore
  bool shutdown = false;

  void worker();
};

void ThreadPoolExecutor::Impl::worker() {
  for (;;) {
    std::shared_ptr<detail::ExecJob> job;
    {
      std::unique_lock<std::mutex> lk(mu);
      cv.wait(lk, [&] { return !work.empty() || shutdown; });
      if (work.empty()) return;  // shut down and drained
      job = std::move(work.front());
      work.pop_front();
    }
    Loop* loop = job->loop;
    if (job->try_start()) {
      loop->call_soon_threadsafe([j = job]() { j->mark_running(); });
      job->execute();
    }
    // Every job goes back to the loop thread, which alone touches its future.
    loop->call_soon_threadsafe([ref = detail::JobRef(std::move(job))]() mutable { ref->complete(); });
    std::lock_guard<std::mutex> lk(mu);
    ++idle_tokens;
  }
}

std::size_t ThreadPoolExecutor::default_max_workers() noexcept {
  std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min<std::size_t>(32, cores + 4);
}

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t max_workers, SimulatedLatency latency)
    : impl_(std::make_unique<Impl>()) {
  impl_->max_workers = max_workers ? max_workers : default_max_workers();
  impl_->sim = std::make_shared<SimWorkers>(SimWorkers{impl_->max_workers, latency, 0, 0, {}});
}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(true); }

std::size_t ThreadPoolExecutor::max_workers() const noexcept { return impl_->max_workers; }

std::size_t ThreadPoolExecutor::thread_count() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->threads.size();
}

void ThreadPoolExecutor::submit(Loop& loop, std::shared_ptr<detail::ExecJob> job) {
  assert(job && job->loop == &loop);
  if (loop.is_simulated()) {
    auto& sim = impl_->sim;
    {
      std::lock_guard<std::mutex> lk(impl_->mu);
      if (impl_->shutdown) throw std::runtime_error("cannot schedule new futures after shutdown");
    }
    if (sim->loop_serial != loop.serial()) {
      // A new run: whatever the last loop left in flight died with it.
      sim->loop_serial = loop.serial();
      sim->busy = 0;
      sim->queued.clear();
    }
    sim->queued.push_back(std::move(job));
    sim->dispatch(sim, loop);
    return;
  }
  std::lock_guard<std::mutex> lk(impl_->mu);
  if (impl_->shutdown) throw std::runtime_error("cannot schedule new futures after shutdown");
  impl_->work.push_back(std::move(job));
  // _adjust_thread_count: reuse an idle worker, else start one if below max.
  if (impl_->idle_tokens > 0) {
    --impl_->idle_tokens;
  } else if (impl_->threads.size() < impl_->max_workers) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->worker(); });
  }
  impl_->cv.notify_one();
}

void ThreadPoolExecutor::shutdown(bool wait) {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->shutdown = true;
    if (wait) threads.swap(impl_->threads);
  }
  impl_->cv.notify_all();
  for (auto& t : threads) t.join();  // workers drain the queue first, as shutdown(wait=True)
}

Executor& default_executor(Loop& loop) {
  auto& slot = loop.default_executor_slot();
  if (!slot) slot = std::shared_ptr<Executor>(std::make_shared<ThreadPoolExecutor>());
  return *std::static_pointer_cast<Executor>(slot);
}

void set_default_executor(Loop& loop, std::shared_ptr<Executor> executor) {
  if (!executor) throw std::invalid_argument("set_default_executor() needs an executor");
  loop.default_executor_slot() = std::move(executor);
}

}  // namespace simloop
