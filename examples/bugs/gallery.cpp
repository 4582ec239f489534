#include "gallery.hpp"

#include <fmt/format.h>

#include <chrono>

namespace sl = simloop;

namespace bugs {

void expect(bool ok, const std::string& what) {
  if (!ok) throw Violation(what);
}

sl::Coro<void> remote_call(sl::Duration nominal) {
  // decide() answers 0 on a real loop and under fifo: nominal latency there.
  std::size_t slow = sl::get_running_loop().decide(2, sl::ChoicePoint::io_latency);
  co_await sl::sleep(slow ? kSlowFactor * nominal : nominal);
}

std::string now_ms() {
  auto t = sl::get_running_loop().time().time_since_epoch();
  return fmt::format("t={}ms", std::chrono::duration_cast<std::chrono::milliseconds>(t).count());
}

}  // namespace bugs
