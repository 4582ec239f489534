// The floor of the benchmarks (issue 8): a small hand-written single-threaded
// C++20 coroutine loop, with no exceptions (std::terminate), no cancellation
// and no trace, running the same workloads as bench_simloop and bench_asio
// (see README.md). run.py compares simloop's "fifo, no trace" figures with it
// in the same run.
//
//   bench_floor <W1a|W1b|W2|W2c|W3|W4> <n> <reps>
//
// Each choice below is the plain one a hand-written loop makes: a ring buffer
// of handles for the ready queue, std::priority_queue for timers, the default
// operator new for frames, symmetric transfer where C++ offers it. It is meant as the honest cost of "coroutines + a ready
// queue + a timer heap", not as the fastest loop one could write.
#include "common.hpp"

#include <algorithm>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <queue>
#include <string>
#include <utility>
#include <vector>

using std::int64_t;

namespace {

// ---- the loop -------------------------------------------------------------------

// The ready queue: a FIFO of coroutine handles in a growable ring buffer (one
// array, doubled when full; the capacity stays a power of two so an index is a
// mask). std::deque is the container one reaches for first, but it allocates
// and frees a 512-byte block every 64 handles, which mixes with the frames in
// malloc and cost ~1.5x on W1a/W1b/W4 here; simloop's ready queue is a ring
// too, so the comparison is of the loops, not of the containers.
class Ring {
 public:
  bool empty() const { return head_ == tail_; }
  std::coroutine_handle<> pop_front() { return buf_[head_++ & (buf_.size() - 1)]; }
  void push_back(std::coroutine_handle<> h) {
    if (tail_ - head_ == buf_.size()) grow();
    buf_[tail_++ & (buf_.size() - 1)] = h;
  }

 private:
  void grow() {
    std::vector<std::coroutine_handle<>> bigger(buf_.size() * 2);
    for (std::size_t i = head_; i != tail_; ++i) bigger[i - head_] = buf_[i & (buf_.size() - 1)];
    tail_ -= head_;
    head_ = 0;
    buf_.swap(bigger);
  }
  std::vector<std::coroutine_handle<>> buf_ = std::vector<std::coroutine_handle<>>(64);
  std::size_t head_ = 0, tail_ = 0;  // free-running counters: tail_ - head_ items
};

// A ready queue and a timer heap on a virtual clock. FIFO: handles run in the
// order they were made ready (asyncio's order).
struct Loop {
  struct Timer {
    int64_t due;        // virtual ns
    std::uint64_t seq;  // ties (same due) wake in the order they were set
    std::coroutine_handle<> h;
  };
  // std::priority_queue is a max-heap: "later" first in the comparison makes
  // the earliest (due, seq) the top. A binary heap: the textbook timer queue.
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const {
      return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
  };

  Ring ready;
  std::priority_queue<Timer, std::vector<Timer>, Later> timers;
  int64_t now = 0;  // virtual ns since the start of the run
  std::uint64_t seq = 0;

  void post(std::coroutine_handle<> h) { ready.push_back(h); }
  void call_at(int64_t due, std::coroutine_handle<> h) { timers.push(Timer{due, seq++, h}); }

  // Runs until nothing is ready and no timer is left. Ready handles run until
  // the queue is empty (no per-iteration snapshot as asyncio takes: nothing
  // here needs it); then the clock jumps to the earliest timer and every
  // timer due by then is made ready. Virtual time: sleeping costs no real time.
  void run() {
    for (;;) {
      while (!ready.empty()) ready.pop_front().resume();
      if (timers.empty()) return;
      now = timers.top().due;
      while (!timers.empty() && timers.top().due <= now) {
        ready.push_back(timers.top().h);
        timers.pop();
      }
    }
  }
};

// The running loop. One thread, one loop at a time: a global is what asyncio's
// get_running_loop() amounts to here.
Loop* g_loop = nullptr;

// ---- tasks ----------------------------------------------------------------------

// A coroutine returning an int64_t (every workload's tasks do: no Task<T>,
// no void). Lazy (initial_suspend): it runs only once spawn() has queued it,
// as asyncio's create_task schedules its first step. The Task object owns the
// frame; the frame comes from the default operator new (no pool).
class Task {
 public:
  struct promise_type {
    int64_t value = 0;
    std::coroutine_handle<> continuation;  // the one waiter (co_await or gather)
    int64_t* join_left = nullptr;          // gather's counter, when gathered

    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    // At the end: wake the waiter by symmetric transfer (a direct jump, no
    // trip through the ready queue); under gather only the last child does.
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        promise_type& p = h.promise();
        if (p.join_left && --*p.join_left != 0) return std::noop_coroutine();
        return p.continuation ? p.continuation : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_value(int64_t v) noexcept { value = v; }
    void unhandled_exception() noexcept { std::terminate(); }  // no exceptions
  };
  using Handle = std::coroutine_handle<promise_type>;

  explicit Task(Handle h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }

  bool done() const { return h_.done(); }
  int64_t result() const { return h_.promise().value; }
  promise_type& promise() const { return h_.promise(); }
  Handle handle() const { return h_; }

  // co_await task: wait for a spawned task's end and take its value.
  auto operator co_await() const noexcept {
    struct Awaiter {
      Handle h;
      bool await_ready() noexcept { return h.done(); }
      void await_suspend(std::coroutine_handle<> parent) noexcept { h.promise().continuation = parent; }
      int64_t await_resume() noexcept { return h.promise().value; }
    };
    return Awaiter{h_};
  }

 private:
  Handle h_;
};

// Queue a task's first step; the caller keeps the Task (and so its frame).
Task spawn(Task t) {
  g_loop->post(t.handle());
  return t;
}

// gather: the parent waits on a counter of unfinished children (kept in this
// awaiter, i.e. in the parent's frame); each child counts down at its end and
// the last one resumes the parent. Results stay in the children's promises.
struct Gather {
  std::vector<Task>& tasks;
  int64_t left = 0;
  bool await_ready() noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> parent) noexcept {
    for (Task& t : tasks) {
      if (t.done()) continue;
      ++left;
      t.promise().continuation = parent;
      t.promise().join_left = &left;
    }
    return left != 0;
  }
  void await_resume() noexcept {}
};
Gather gather(std::vector<Task>& tasks) { return Gather{tasks}; }

// yield: go to the back of the ready queue (asyncio's sleep(0)).
struct Yield {
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { g_loop->post(h); }
  void await_resume() noexcept {}
};

// sleep: a timer on the virtual clock.
struct Sleep {
  int64_t ns;
  bool await_ready() noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept { g_loop->call_at(g_loop->now + ns, h); }
  void await_resume() noexcept {}
};

// A one-shot future with a single waiter: set_result queues the waiter (as
// asyncio schedules a future's callbacks), it does not resume it inline.
struct Future {
  int64_t value = 0;
  bool done = false;
  std::coroutine_handle<> waiter;
  void set_result(int64_t v) {
    value = v;
    done = true;
    if (waiter) g_loop->post(std::exchange(waiter, {}));
  }
  auto operator co_await() noexcept {
    struct Awaiter {
      Future& f;
      bool await_ready() noexcept { return f.done; }
      void await_suspend(std::coroutine_handle<> h) noexcept { f.waiter = h; }
      int64_t await_resume() noexcept { return f.value; }
    };
    return Awaiter{*this};
  }
};

// A queue of capacity 1 between one producer and one consumer (W2c): at most
// one waiting putter and one waiting getter, each woken through the ready queue.
struct Queue1 {
  int64_t item = 0;
  bool full = false;
  std::coroutine_handle<> putter, getter;
  auto put(int64_t v) noexcept {
    struct Awaiter {
      Queue1& q;
      int64_t v;
      bool await_ready() noexcept { return !q.full; }
      void await_suspend(std::coroutine_handle<> h) noexcept { q.putter = h; }
      void await_resume() noexcept {  // the slot is free (one producer)
        q.item = v;
        q.full = true;
        if (q.getter) g_loop->post(std::exchange(q.getter, {}));
      }
    };
    return Awaiter{*this, v};
  }
  auto get() noexcept {
    struct Awaiter {
      Queue1& q;
      bool await_ready() noexcept { return q.full; }
      void await_suspend(std::coroutine_handle<> h) noexcept { q.getter = h; }
      int64_t await_resume() noexcept {  // the slot is full (one consumer)
        q.full = false;
        if (q.putter) g_loop->post(std::exchange(q.putter, {}));
        return q.item;
      }
    };
    return Awaiter{*this};
  }
};

// Runs a task on a fresh loop to the end; -1 if it never finished.
int64_t run(Loop& loop, Task t) {
  g_loop = &loop;
  loop.post(t.handle());
  loop.run();
  g_loop = nullptr;
  return t.done() ? t.result() : -1;
}

// ---- workloads: each returns the sum it checks (as in simloop_bench.cpp) -------

Task returns_at_once(int64_t i) { co_return i; }

Task yields_once(int64_t i) {
  co_await Yield{};
  co_return i;
}

Task sleeps(int64_t i) {
  co_await Sleep{bench::w3_dur(i) * 1000};  // dur(i) microseconds, virtual
  co_return i;
}

template <class Child>
Task spawn_gather(int64_t n, Child child) {
  std::vector<Task> tasks;
  tasks.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) tasks.push_back(spawn(child(i)));
  co_await gather(tasks);
  int64_t sum = 0;
  for (const Task& t : tasks) sum += t.result();
  co_return sum;
}

// W2: two tasks take turns (yield); n switches in all. Each switch adds its
// index, so the sum is 0+1+...+(n-1); if they do not alternate the run's sum
// is poisoned (-1) instead of throwing.
Task switcher(int64_t& next, int64_t n, int parity, bool& alternated) {
  int64_t sum = 0;
  while (next < n) {
    if (next % 2 != parity) alternated = false;
    sum += next++;
    co_await Yield{};
  }
  co_return sum;
}
Task w2(int64_t n) {
  int64_t next = 0;
  bool alternated = true;
  std::vector<Task> ts;
  ts.push_back(spawn(switcher(next, n, 0, alternated)));
  ts.push_back(spawn(switcher(next, n, 1, alternated)));
  co_await gather(ts);
  co_return alternated ? ts[0].result() + ts[1].result() : -1;
}

// W2c: n messages through a queue of capacity 1.
Task produce(Queue1& q, int64_t n) {
  for (int64_t i = 0; i < n; ++i) co_await q.put(i);
  co_return 0;
}
Task consume(Queue1& q, int64_t n) {
  int64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += co_await q.get();
  co_return sum;
}
Task w2c(int64_t n) {
  Queue1 q;
  std::vector<Task> ts;
  ts.push_back(spawn(produce(q, n)));
  ts.push_back(spawn(consume(q, n)));
  co_await gather(ts);
  co_return ts[0].result() + ts[1].result();
}

// W4: n futures set in order by one producer, each awaited by its own consumer.
Task await_future(Future& f) { co_return co_await f; }
Task set_all(std::vector<Future>& futs) {
  for (std::size_t i = 0; i < futs.size(); ++i) futs[i].set_result(static_cast<int64_t>(i));
  co_return 0;
}
Task w4(int64_t n) {
  std::vector<Future> futs(static_cast<std::size_t>(n));
  std::vector<Task> consumers;
  consumers.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) consumers.push_back(spawn(await_future(futs[static_cast<std::size_t>(i)])));
  Task producer = spawn(set_all(futs));
  co_await gather(consumers);
  int64_t sum = 0;
  for (const Task& t : consumers) sum += t.result();
  co_await producer;
  co_return sum;
}

bool known(const std::string& w) {
  return w == "W1a" || w == "W1b" || w == "W2" || w == "W2c" || w == "W3" || w == "W4";
}

// Not a coroutine: picks the workload's top task (which runs once queued).
Task workload(const std::string& w, int64_t n) {
  if (w == "W1a") return spawn_gather(n, returns_at_once);
  if (w == "W1b") return spawn_gather(n, yields_once);
  if (w == "W2") return w2(n);
  if (w == "W2c") return w2c(n);
  if (w == "W3") return spawn_gather(n, sleeps);
  return w4(n);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args a = bench::parse_args(argc, argv, "<W1a|W1b|W2|W2c|W3|W4> <n> <reps>", "fifo");
  if (!known(a.workload)) {
    std::fprintf(stderr, "bench_floor: unsupported workload %s (W1a, W1b, W2, W2c, W3, W4)\n", a.workload.c_str());
    return 2;
  }
  int failures = 0;
  for (int rep = 0; rep < a.reps; ++rep) {
    bench::Probe p;
    p.start();
    int64_t sum = 0;
    int64_t elapsed = 0;
    {
      Loop loop;
      sum = run(loop, workload(a.workload, a.n));
      elapsed = loop.now;
    }
    bench::Result r = bench::timed_result("floor", a, rep, sum, p);
    if (a.workload == "W3") {
      // The run ends when the longest sleep does (virtual time).
      int64_t longest = 0;
      for (int64_t i = 0; i < a.n; ++i) longest = std::max(longest, bench::w3_dur(i));
      if (elapsed < longest * 1000) r.sum = -1;
    }
    r.extra = ",\"elapsed_virtual_ns\":" + std::to_string(elapsed);
    r.print();
    if (r.sum != r.expected) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
