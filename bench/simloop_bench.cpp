// simloop's side of the benchmarks (see README.md): one workload, several
// repetitions, one JSON line each (common.hpp). run.py drives it.
//
//   bench_simloop <W1a|W1b|W2|W2c|W3|W4> <n> <reps> [sim-random|sim-fifo-notrace|real][:await]
//   bench_simloop X1 <runs> <reps> <fifo|random|pct|dfs>[:tasks]
//
// sim-random is the target configuration: the simulator with a
// seeded exploring strategy (random) and the trace kept. sim-fifo-notrace is
// asyncio's order with no events kept (the hash is still computed). real is
// simloop::run on the real clock (no W3: its durations reach 2147 s).
#include "common.hpp"

#include <simloop/gather.hpp>
#include <simloop/queues.hpp>
#include <simloop/run.hpp>
#include <simloop/sim/explore.hpp>
#include <simloop/sim/run.hpp>
#include <simloop/sleep.hpp>
#include <simloop/task.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace sl = simloop;
using sl::Coro;
using std::int64_t;

namespace {

// ---- workloads: each returns the sum it checks --------------------------------

Coro<int64_t> returns_at_once(int64_t i) { co_return i; }

Coro<int64_t> yields_once(int64_t i) {
  co_await sl::sleep(sl::Duration::zero());
  co_return i;
}

Coro<int64_t> sleeps(int64_t i) {
  co_await sl::sleep(std::chrono::microseconds(bench::w3_dur(i)));
  co_return i;
}

// How the spawned tasks are joined: gather (the workload) or by
// awaiting each task in turn (the ":await" config suffix; no gather cost, and
// for comparison with gather).
bool join_by_await = false;

template <class Child>
Coro<int64_t> spawn_gather(int64_t n, Child child) {
  std::vector<sl::Task<int64_t>> tasks;
  tasks.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) tasks.push_back(sl::create_task(child(i)));
  int64_t sum = 0;
  if (join_by_await) {
    for (auto& t : tasks) sum += co_await t;
  } else {
    std::vector<int64_t> values = co_await sl::gather(std::move(tasks));
    for (int64_t v : values) sum += v;
  }
  co_return sum;
}

// W2: two tasks take turns (sleep(0)); n switches in all. Each switch adds
// its index, so the sum is 0+1+...+(n-1) only if they really alternate.
Coro<int64_t> switcher(int64_t& next, int64_t n, int parity) {
  int64_t sum = 0;
  while (next < n) {
    if (next % 2 != parity) throw std::logic_error("W2: the tasks did not alternate");
    sum += next++;
    co_await sl::sleep(sl::Duration::zero());
  }
  co_return sum;
}
Coro<int64_t> w2(int64_t n) {
  int64_t next = 0;
  auto a = sl::create_task(switcher(next, n, 0));
  auto b = sl::create_task(switcher(next, n, 1));
  auto [x, y] = co_await sl::gather(a, b);
  co_return x + y;
}

// W2c: n messages through a Queue of size 1 (producer and consumer take turns).
Coro<void> produce(sl::Queue<int64_t>& q, int64_t n) {
  for (int64_t i = 0; i < n; ++i) co_await q.put(i);
}
Coro<int64_t> consume(sl::Queue<int64_t>& q, int64_t n) {
  int64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += co_await q.get();
  co_return sum;
}
Coro<int64_t> w2c(int64_t n) {
  sl::Queue<int64_t> q(1);
  auto p = sl::create_task(produce(q, n));
  auto c = sl::create_task(consume(q, n));
  auto [unused, sum] = co_await sl::gather(p, c);
  (void)unused;
  co_return sum;
}

// W4: n futures set by one producer, each awaited by its own consumer.
Coro<int64_t> await_future(sl::Future<int64_t> f) { co_return co_await f; }
Coro<void> set_all(std::vector<sl::Future<int64_t>>& futs) {
  for (std::size_t i = 0; i < futs.size(); ++i) futs[i].set_result(static_cast<int64_t>(i));
  co_return;
}
Coro<int64_t> w4(int64_t n) {
  std::vector<sl::Future<int64_t>> futs;
  futs.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) futs.emplace_back();
  std::vector<sl::Task<int64_t>> consumers;
  consumers.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) consumers.push_back(sl::create_task(await_future(futs[static_cast<std::size_t>(i)])));
  auto producer = sl::create_task(set_all(futs));
  int64_t sum = 0;
  if (join_by_await) {
    for (auto& t : consumers) sum += co_await t;
  } else {
    std::vector<int64_t> values = co_await sl::gather(std::move(consumers));
    for (int64_t v : values) sum += v;
  }
  co_await producer;
  co_return sum;
}

Coro<int64_t> workload(const std::string& w, int64_t n) {
  if (w == "W1a") co_return co_await spawn_gather(n, returns_at_once);
  if (w == "W1b") co_return co_await spawn_gather(n, yields_once);
  if (w == "W2") co_return co_await w2(n);
  if (w == "W2c") co_return co_await w2c(n);
  if (w == "W3") co_return co_await spawn_gather(n, sleeps);
  if (w == "W4") co_return co_await w4(n);
  throw std::invalid_argument("unknown workload " + w);
}

// ---- X1: explore a small gather test ------------------------------------------

// `tasks` tasks each bump a shared counter around a yield; the test checks
// the total (it holds in every schedule, so explore runs them all).
struct GatherTest {
  int tasks = 3;
  int64_t counter = 0;
  Coro<void> operator()() {
    counter = 0;
    std::vector<sl::Task<void>> ts;
    ts.reserve(static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i) ts.push_back(sl::create_task(bump(counter)));
    co_await sl::gather(std::move(ts));
    if (counter != 2 * tasks) throw std::logic_error("X1: lost an increment");
  }
  static Coro<void> bump(int64_t& c) {
    c += 1;
    co_await sl::sleep(sl::Duration::zero());
    c += 1;
  }
};

bench::Result x1(const bench::Args& a, int rep) {
  std::string strat = a.config;
  int tasks = 3;
  if (auto colon = strat.find(':'); colon != std::string::npos) {
    tasks = std::stoi(strat.substr(colon + 1));
    strat = strat.substr(0, colon);
  }
  auto s = sl::sim::parse_strategy(strat);
  if (!s) throw std::invalid_argument("unknown strategy " + strat);
  GatherTest test{tasks};
  // Ready order is explored so that there are choices to make (with FIFO
  // order and no timers a 3-task gather has a single schedule).
  sl::sim::ExploreOptions opt;
  opt.runs = static_cast<std::uint64_t>(a.n);
  opt.strategy = *s;
  opt.seed = 1 + static_cast<std::uint64_t>(rep) * 1'000'003;
  opt.explore_ready_order = true;
  bench::Probe p;
  p.start();
  auto report = sl::sim::explore(test, opt);
  bench::Result r;
  r.wall_ns = p.wall_ns();
  r.cpu_ns = p.cpu_elapsed_ns();
  r.rss_added = rep == 0 ? p.rss_added() : -1;
  r.ops = static_cast<int64_t>(report.runs);
  // The check: every run passed (a failure would stop explore early).
  r.sum = report.failure ? -1 : 1;
  r.expected = 1;
  r.extra = ",\"exhausted\":" + std::string(report.exhausted ? "true" : "false") +
            ",\"distinct_hashes\":" + std::to_string(report.distinct_hashes) + ",\"tasks\":" + std::to_string(tasks);
  if (report.failure) std::fprintf(stderr, "%s\n", report.to_string().c_str());
  return r;
}

// ---- one repetition -------------------------------------------------------------

bench::Result one(const bench::Args& a, int rep) {
  if (a.workload == "X1") return x1(a, rep);
  bench::Result r;
  std::string config = a.config;
  if (auto colon = config.find(":await"); colon != std::string::npos) {
    join_by_await = true;
    config = config.substr(0, colon);
  }
  const std::string& w = a.workload;
  const int64_t n = a.n;
  auto main = [&]() { return workload(w, n); };
  bench::Probe p;
  if (config == "real") {
    if (w == "W3") throw std::invalid_argument("W3 runs in virtual time only (durations up to 2147 s)");
    p.start();
    r.sum = sl::run(main());
    r.wall_ns = p.wall_ns();
    r.cpu_ns = p.cpu_elapsed_ns();
    r.rss_added = rep == 0 ? p.rss_added() : -1;
  } else {
    sl::sim::RunOptions opt;
    opt.steps_max = 0;  // no hang budget: W2 alone takes 10^7 steps
    opt.quiet = true;
    if (config == "sim-random") {
      opt.strategy = sl::sim::Strategy::random;
      opt.seed = 1;
      opt.trace = true;
    } else if (config == "sim-fifo-notrace") {
      opt.strategy = sl::sim::Strategy::fifo;
      opt.trace = false;
    } else {
      throw std::invalid_argument("unknown config " + a.config);
    }
    p.start();
    auto res = sl::sim::run(main, opt);
    r.wall_ns = p.wall_ns();
    r.cpu_ns = p.cpu_elapsed_ns();
    r.rss_added = rep == 0 ? p.rss_added() : -1;
    r.sum = res.value;
    std::size_t events = res.trace ? res.trace->size() : 0;
    std::size_t bytes = res.trace ? res.trace->bytes_reserved() : 0;
    r.extra = ",\"steps\":" + std::to_string(res.steps) + ",\"trace_events\":" + std::to_string(events) +
              ",\"trace_bytes\":" + std::to_string(bytes) +
              ",\"elapsed_virtual_ns\":" + std::to_string(res.elapsed.count());
    if (w == "W3") {
      // The run ends when the longest sleep does (plus nothing: virtual time).
      int64_t longest = 0;
      for (int64_t i = 0; i < n; ++i) longest = std::max(longest, bench::w3_dur(i));
      if (res.elapsed < std::chrono::microseconds(longest)) r.sum = -1;
    }
  }
  r.ops = n;
  r.expected = bench::triangle(n);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args a = bench::parse_args(argc, argv, "<W1a|W1b|W2|W2c|W3|W4|X1> <n> <reps> [config]", "sim-random");
  int failures = 0;
  try {
    for (int rep = 0; rep < a.reps; ++rep) {
      bench::Result r = one(a, rep);
      r.impl = "simloop";
      r.config = a.config;
      r.workload = a.workload;
      r.n = a.n;
      r.rep = rep;
      r.print();
      if (r.sum != r.expected) ++failures;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_simloop %s: %s\n", a.workload.c_str(), e.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
