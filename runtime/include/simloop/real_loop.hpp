#pragma once
// RealLoop: the production event loop on std::chrono::steady_clock. It sleeps
// when nothing is ready and accepts call_soon_threadsafe from other threads
// (executor results). Not for simulated paths: it reads the wall clock.
#include <simloop/loop.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace simloop {

class RealLoop final : public Loop {
 public:
  RealLoop();
  ~RealLoop() override;
  TimePoint time() const override;
  Handle call_soon_threadsafe(detail::UniqueFunction<void()> cb) override;

 protected:
  void wait_for_work(std::optional<TimePoint> deadline) override;
  void poll_external() override;

 private:
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<detail::UniqueFunction<void()>> external_;
};

}  // namespace simloop
