// Queue, PriorityQueue, LifoQueue (queues.hpp), SEMANTICS S76. Expected logs
// from CPython 3.11.7 (python3).
#include <catch2/catch.hpp>
#include <simloop/simloop.hpp>
#include <simloop/sim.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;
using Log = std::vector<std::string>;

TEST_CASE("Queue: bounded producer/consumers interleave as asyncio's; join after task_done [S76]",
          "[queue][S76]") {
  // python3: Queue(2); prod puts 0..4; consumers a, b get + task_done + sleep(0)
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Queue<int> q(2);
    auto prod = sl::create_task([&]() -> sl::Coro<void> {
      for (int i = 0; i < 5; ++i) {
        co_await q.put(i);
        log.push_back("put " + std::to_string(i) + " size=" + std::to_string(q.qsize()));
      }
    });
    auto cons = [&](std::string n) -> sl::Coro<void> {
      while (true) {
        int v = co_await q.get();
        log.push_back(n + " got " + std::to_string(v));
        q.task_done();
        co_await sl::sleep(0s);
      }
    };
    auto ca = sl::create_task(cons("a"));
    auto cb = sl::create_task(cons("b"));
    co_await prod;
    co_await q.join();
    log.push_back("joined");
    ca.cancel();
    cb.cancel();
    for (auto* t : {&ca, &cb}) {
      try {
        co_await *t;
      } catch (const sl::CancelledError&) {
      }
    }
    CHECK(q.getter_count() == 0);
  });
  CHECK(log == Log{"put 0 size=1", "put 1 size=2", "a got 0", "b got 1", "put 2 size=1", "put 3 size=2",
                   "a got 2", "b got 3", "put 4 size=1", "a got 4", "joined"});
}

TEST_CASE("Queue: a get cancelled after being woken loses no item [S76]", "[queue][S76]") {
  // python3: g1, g2 wait on an empty queue; put_nowait("x"); g1.cancel() -> g2 got x
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Queue<std::string> q;
    auto g = [&](std::string n) -> sl::Coro<void> {
      auto v = co_await q.get();
      log.push_back(n + " got " + v);
    };
    auto t1 = sl::create_task(g("g1"));
    auto t2 = sl::create_task(g("g2"));
    co_await sl::sleep(0s);
    q.put_nowait("x");
    t1.cancel();
    try {
      co_await t1;
    } catch (const sl::CancelledError&) {
    }
    co_await t2;
    CHECK(t1.cancelled());
    CHECK(q.qsize() == 0);
  });
  CHECK(log == Log{"g2 got x"});
}

TEST_CASE("Queue: a put cancelled while waiting adds nothing; the next putter gets the slot [S76]",
          "[queue][S76]") {
  // python3: Queue(1) holding 0; p1 (1) and p2 (2) wait; get_nowait(); p1.cancel()
  // -> got 0, p2 put 2, p1 cancelled, items=[2]
  Log log;
  sl::sim::run([&]() -> sl::Coro<void> {
    sl::Queue<int> q(1);
    q.put_nowait(0);
    auto pu = [&](std::string n, int v) -> sl::Coro<void> {
      co_await q.put(v);
      log.push_back(n + " put " + std::to_string(v));
    };
    auto t1 = sl::create_task(pu("p1", 1));
    auto t2 = sl::create_task(pu("p2", 2));
    co_await sl::sleep(0s);
    log.push_back("got " + std::to_string(q.get_nowait()));
    t1.cancel();
    try {
      co_await t1;
    } catch (const sl::CancelledError&) {
    }
    co_await t2;
    CHECK(t1.cancelled());
    CHECK(q.qsize() == 1);
    CHECK(q.get_nowait() == 2);
  });
  CHECK(log == Log{"got 0", "p2 put 2"});
}

TEST_CASE("Queue: nowait errors, full/empty, maxsize, task_done too often [S76]", "[queue][S76]") {
  sl::Queue<int> q(2);  // no loop needed for the non-waiting API
  CHECK(q.maxsize() == 2);
  CHECK(q.empty());
  CHECK_FALSE(q.full());
  CHECK_THROWS_AS(q.get_nowait(), sl::QueueEmpty);
  q.put_nowait(1);
  q.put_nowait(2);
  CHECK(q.full());
  CHECK_THROWS_AS(q.put_nowait(3), sl::QueueFull);
  CHECK(q.qsize() == 2);
  CHECK(q.unfinished_tasks() == 2);
  CHECK(q.get_nowait() == 1);
  q.task_done();
  CHECK(q.get_nowait() == 2);
  q.task_done();
  CHECK_THROWS_WITH(q.task_done(), "task_done() called too many times");

  sl::Queue<int> unbounded;  // maxsize 0: never full
  for (int i = 0; i < 1000; ++i) unbounded.put_nowait(i);
  CHECK_FALSE(unbounded.full());
  CHECK(unbounded.qsize() == 1000);
}

TEST_CASE("Queue: join() returns at once with no unfinished item, else after the last task_done [S76]",
          "[queue][S76]") {
  auto r = sl::sim::run([]() -> sl::Coro<void> {
    sl::Queue<int> q;
    co_await q.join();  // nothing put: immediate
    q.put_nowait(1);
    auto worker = sl::create_task([&]() -> sl::Coro<void> {
      int v = co_await q.get();
      co_await sl::sleep(3s);
      (void)v;
      q.task_done();
    });
    co_await q.join();
    CHECK(sl::get_running_loop().time().time_since_epoch() == 3s);
    co_await worker;
  });
  CHECK(r.elapsed == 3s);
}

TEST_CASE("PriorityQueue: smallest first; ties break exactly as CPython's heapq", "[queue][priority]") {
  // python3: PriorityQueue of (2,'b'),(1,'z'),(2,'a'),(1,'y'),(0,'q'),(2,'c') -> sorted
  sl::PriorityQueue<std::pair<int, std::string>> pq;
  for (auto x : std::vector<std::pair<int, std::string>>{{2, "b"}, {1, "z"}, {2, "a"}, {1, "y"}, {0, "q"}, {2, "c"}})
    pq.put_nowait(x);
  std::vector<std::pair<int, std::string>> out;
  while (!pq.empty()) out.push_back(pq.get_nowait());
  CHECK(out == std::vector<std::pair<int, std::string>>{{0, "q"}, {1, "y"}, {1, "z"}, {2, "a"}, {2, "b"}, {2, "c"}});

  // Comparing keys only (equal keys tie): heapq.heappush/heappop of keys
  // [3,1,3,1,2,3,1,2,3,3] tagged with their index pops, in python3,
  // (1,1) (1,6) (1,3) (2,4) (2,7) (3,2) (3,5) (3,9) (3,8) (3,0): not FIFO.
  struct ByKey {
    bool operator()(const std::pair<int, int>& a, const std::pair<int, int>& b) const { return a.first < b.first; }
  };
  sl::PriorityQueue<std::pair<int, int>, ByKey> h;
  int keys[] = {3, 1, 3, 1, 2, 3, 1, 2, 3, 3};
  for (int i = 0; i < 10; ++i) h.put_nowait({keys[i], i});
  std::vector<std::pair<int, int>> popped;
  while (!h.empty()) popped.push_back(h.get_nowait());
  CHECK(popped == std::vector<std::pair<int, int>>{{1, 1}, {1, 6}, {1, 3}, {2, 4}, {2, 7}, {3, 2}, {3, 5}, {3, 9},
                                                   {3, 8}, {3, 0}});
}

TEST_CASE("LifoQueue: last in, first out; move-only items", "[queue][lifo]") {
  sl::LifoQueue<int> lq;
  for (int i = 0; i < 3; ++i) lq.put_nowait(i);
  CHECK(lq.get_nowait() == 2);
  CHECK(lq.get_nowait() == 1);
  CHECK(lq.get_nowait() == 0);

  auto r = sl::sim::run([]() -> sl::Coro<int> {
    sl::Queue<std::unique_ptr<int>> q(1);
    auto prod = sl::create_task([&]() -> sl::Coro<void> {
      for (int i = 1; i <= 3; ++i) co_await q.put(std::make_unique<int>(i));
    });
    int sum = 0;
    for (int i = 0; i < 3; ++i) {
      auto p = co_await q.get();
      sum += *p;
    }
    co_await prod;
    co_return sum;
  });
  CHECK(r.value == 6);
}

TEST_CASE("Queue: a getter cancelled while waiting leaves no stale waiter behind [S76]", "[queue][S76]") {
  sl::sim::run([]() -> sl::Coro<void> {
    sl::Queue<int> q;
    auto t = sl::create_task([&]() -> sl::Coro<void> { (void)co_await q.get(); });
    co_await sl::sleep(1s);
    CHECK(q.getter_count() == 1);
    t.cancel();
    co_await sl::sleep(0s);
    CHECK(t.cancelled());
    CHECK(q.getter_count() == 0);
    q.put_nowait(7);
    CHECK(q.qsize() == 1);  // nobody took it
    int v = co_await q.get();
    CHECK(v == 7);
  });
}
