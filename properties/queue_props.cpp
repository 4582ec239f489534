// Queue and Semaphore under rapidcheck schedules with injected cancellations:
// no item lost or duplicated [S76], no permit lost [S75].
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/check.hpp>
#include <simloop/queues.hpp>
#include <simloop/semaphore.hpp>

#include <algorithm>
#include <map>

namespace sl = simloop;
namespace sp = simloop::properties;
using namespace std::chrono_literals;

TEST_CASE("Queue: producers and consumers with cancelled gets and puts lose and duplicate nothing [S76]", "[S76]") {
  sp::prop("queue.conservation", [] {
    const sp::ScheduleSeq sched = *sp::gen::schedule();
    const int producers = *rc::gen::inRange(1, 4), consumers = *rc::gen::inRange(1, 4);
    const int per = *rc::gen::inRange(1, 5);
    const int maxsize = *rc::gen::inRange(0, 3);
    const int cancel_at = 4 * *rc::gen::inRange(0, 4) + 1;  // odd: between the 2 ms steps
    const int victim = *rc::gen::inRange(0, producers + consumers);
    std::vector<int> put_ok, got, left;
    auto run = sp::run_scheduled([&]() -> sl::Coro<void> {
      sl::Queue<int> q(maxsize);
      std::vector<sl::Task<void>> ts;
      for (int p = 0; p < producers; ++p)
        ts.push_back(sl::create_task([&, p]() -> sl::Coro<void> {
          for (int j = 0; j < per; ++j) {
            co_await sl::sleep(std::chrono::milliseconds(2 * (j % 2)));
            co_await q.put(p * 100 + j);
            put_ok.push_back(p * 100 + j);  // only once put() returned
          }
        }));
      for (int c = 0; c < consumers; ++c)
        ts.push_back(sl::create_task([&]() -> sl::Coro<void> {
          for (;;) {
            int v = co_await q.get();
            got.push_back(v);
            co_await sl::sleep(2ms);
          }
        }));
      co_await sl::sleep(std::chrono::milliseconds(cancel_at));
      ts[std::size_t(victim)].cancel();
      // Let producers finish (or be cancelled), then stop the consumers.
      for (int p = 0; p < producers; ++p) {
        try {
          co_await ts[std::size_t(p)];
        } catch (const sl::CancelledError&) {
        }
      }
      co_await sl::sleep(50ms);
      for (auto& t : ts) t.cancel();
      for (auto& t : ts) {
        try {
          co_await t;
        } catch (const sl::CancelledError&) {
        }
      }
      while (!q.empty()) left.push_back(q.get_nowait());
    }, sched);
    sp::require_passed(run);
    // Every item put is either got exactly once or still in the queue.
    std::vector<int> out = got;
    out.insert(out.end(), left.begin(), left.end());
    std::sort(out.begin(), out.end());
    std::vector<int> in = put_ok;
    std::sort(in.begin(), in.end());
    RC_ASSERT(std::adjacent_find(out.begin(), out.end()) == out.end());  // no duplicate
    RC_ASSERT(out == in);                                                 // none lost, none invented
  }, {.max_success = 150});
}

TEST_CASE("Semaphore: cancelled acquirers never lose a permit [S75]", "[S75]") {
  sp::prop("semaphore.permits", [] {
    const sp::ScheduleSeq sched = *sp::gen::schedule();
    const int permits = *rc::gen::inRange(1, 3);
    const int workers = *rc::gen::inRange(1, 6);
    const int cancel_at = 4 * *rc::gen::inRange(0, 3) + 1;
    const int victim = *rc::gen::inRange(0, workers);
    int inside = 0, max_inside = 0;
    std::int64_t final_value = -1;
    std::size_t final_waiters = 99;
    auto run = sp::run_scheduled([&]() -> sl::Coro<void> {
      sl::Semaphore sem(permits);
      std::vector<sl::Task<void>> ts;
      for (int w = 0; w < workers; ++w)
        ts.push_back(sl::create_task([&]() -> sl::Coro<void> {
          for (int j = 0; j < 2; ++j) {
            co_await sem.acquire();
            ++inside;
            max_inside = std::max(max_inside, inside);
            try {
              co_await sl::sleep(2ms);
            } catch (...) {
              --inside;
              sem.release();
              throw;
            }
            --inside;
            sem.release();
          }
        }));
      co_await sl::sleep(std::chrono::milliseconds(cancel_at));
      ts[std::size_t(victim)].cancel();
      for (auto& t : ts) {
        try {
          co_await t;
        } catch (const sl::CancelledError&) {
        }
      }
      final_value = sem.value();
      final_waiters = sem.waiter_count();
    }, sched);
    sp::require_passed(run);
    RC_ASSERT(max_inside <= permits);
    RC_ASSERT(final_value == std::int64_t(permits));  // every permit back
    RC_ASSERT(final_waiters == 0u);
  }, {.max_success = 150});
}
