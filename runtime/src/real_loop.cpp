#include <simloop/real_loop.hpp>
#include <simloop/task.hpp>

#include <thread>

namespace simloop {

RealLoop::RealLoop() : start_(std::chrono::steady_clock::now()) { polls_external_ = true; }

RealLoop::~RealLoop() { close(); }

TimePoint RealLoop::time() const {
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start_));
}

Handle RealLoop::call_soon_threadsafe(detail::UniqueFunction<void()> cb) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    external_.push_back(std::move(cb));
  }
  cv_.notify_one();
  return Handle();
}

void RealLoop::poll_external() {
  std::vector<detail::UniqueFunction<void()>> batch;
  {
    std::lock_guard<std::mutex> lk(mu_);
    batch.swap(external_);
  }
  for (auto& cb : batch) call_soon(std::move(cb));
}

void RealLoop::wait_for_work(std::optional<TimePoint> deadline) {
  std::unique_lock<std::mutex> lk(mu_);
  if (!external_.empty()) return;
  if (deadline) {
    auto wake = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline->time_since_epoch());
    cv_.wait_until(lk, wake, [&] { return !external_.empty(); });
  } else {
    cv_.wait(lk, [&] { return !external_.empty(); });
  }
  lk.unlock();
  poll_external();
}

}  // namespace simloop
