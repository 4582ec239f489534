// Bug 4, timeout race — the buggy pool.
#include "pool.hpp"

namespace sl = simloop;

namespace bugs::timeout_leak::buggy {

namespace {
class Pool {
 public:
  explicit Pool(int size) {
    for (int i = 0; i < size; ++i) free_.push_back(i);
  }

  sl::Coro<int> acquire() {
    if (!free_.empty()) {
      int conn = free_.front();
      free_.pop_front();
      co_return conn;
    }
    sl::Future<int> waiter;
    waiters_.push_back(waiter);
    // If this task is cancelled after release() handed it a connection but
    // before it resumed, the CancelledError arrives here and the connection,
    // already set in `waiter`, is dropped.
    co_return co_await waiter;
  }

  void release(int conn) {
    while (!waiters_.empty()) {
      sl::Future<int> w = waiters_.front();
      waiters_.pop_front();
      if (!w.done()) {  // skip waiters that gave up (cancelled)
        w.set_result(conn);
        return;
      }
    }
    free_.push_back(conn);
  }

  std::size_t free_count() const { return free_.size(); }

 private:
  std::deque<int> free_;
  std::deque<sl::Future<int>> waiters_;
};
}  // namespace

sl::Coro<void> test() { return run_clients<Pool>(); }

}  // namespace bugs::timeout_leak::buggy
