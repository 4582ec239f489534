// Standalone asio's side of the benchmarks (see README.md): the same
// workloads with C++20 coroutines (asio::awaitable, co_spawn) on a
// single-threaded io_context.
//
//   bench_asio <W1a|W1b|W2|W2c|W3|W4> <n> <reps>
//
// Idioms (the usual asio ones; asio has no gather and no futures):
//   spawn+join  co_spawn with a completion handler that adds the result and
//               counts down; the last one stops waiting (a timer used as an
//               event, as asio users do).
//   yield       co_await asio::post(executor, use_awaitable): one trip
//               through the scheduler, as sleep(0) is one loop iteration.
//   Queue(1)    asio::experimental::channel with capacity 1.
//   future      a channel of capacity 1 per future: try_send by the
//               producer, async_receive by the consumer.
//   timers      asio has no virtual clock: W3 uses real steady_timers with
//               dur(i) taken as NANOseconds instead of microseconds (the same
//               order, all due within 2.15 s) and reports CPU time per timer
//               (waiting in epoll is not work): the cost of the timer queue
//               and the reactor, which is what the virtual-time loops pay too.
#include "common.hpp"

#include <asio.hpp>
#include <asio/experimental/channel.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using std::int64_t;
using asio::awaitable;
using asio::use_awaitable;

namespace {

using Channel = asio::experimental::channel<void(asio::error_code, int64_t)>;

awaitable<int64_t> returns_at_once(int64_t i) { co_return i; }

awaitable<int64_t> yields_once(int64_t i) {
  co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
  co_return i;
}

awaitable<int64_t> sleeps(int64_t i) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::nanoseconds(bench::w3_dur(i)));
  co_await t.async_wait(use_awaitable);
  co_return i;
}

// Joins a set of co_spawned children: sum their results, wake the waiter
// when the last one is done.
struct Join {
  explicit Join(asio::any_io_executor ex, int64_t n) : left(n), done(ex, asio::steady_timer::time_point::max()) {}
  int64_t left;
  int64_t sum = 0;
  asio::steady_timer done;
  auto handler() {
    return [this](std::exception_ptr e, int64_t v) {
      if (e) std::rethrow_exception(e);
      sum += v;
      if (--left == 0) done.cancel();
    };
  }
  awaitable<int64_t> wait() {
    if (left > 0) {
      asio::error_code ec;
      co_await done.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    co_return sum;
  }
};

template <class Child>
awaitable<int64_t> spawn_gather(int64_t n, Child child) {
  auto ex = co_await asio::this_coro::executor;
  Join join(ex, n);
  for (int64_t i = 0; i < n; ++i) asio::co_spawn(ex, child(i), join.handler());
  co_return co_await join.wait();
}

awaitable<int64_t> switcher(int64_t& next, int64_t n, int parity) {
  auto ex = co_await asio::this_coro::executor;
  int64_t sum = 0;
  while (next < n) {
    if (next % 2 != parity) throw std::logic_error("W2: the tasks did not alternate");
    sum += next++;
    co_await asio::post(ex, use_awaitable);
  }
  co_return sum;
}
awaitable<int64_t> w2(int64_t n) {
  auto ex = co_await asio::this_coro::executor;
  int64_t next = 0;
  Join join(ex, 2);
  asio::co_spawn(ex, switcher(next, n, 0), join.handler());
  asio::co_spawn(ex, switcher(next, n, 1), join.handler());
  co_return co_await join.wait();
}

awaitable<int64_t> produce(Channel& ch, int64_t n) {
  for (int64_t i = 0; i < n; ++i) co_await ch.async_send(asio::error_code{}, i, use_awaitable);
  co_return 0;
}
awaitable<int64_t> consume(Channel& ch, int64_t n) {
  int64_t sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += co_await ch.async_receive(use_awaitable);
  co_return sum;
}
awaitable<int64_t> w2c(int64_t n) {
  auto ex = co_await asio::this_coro::executor;
  Channel ch(ex, 1);
  Join join(ex, 2);
  asio::co_spawn(ex, produce(ch, n), join.handler());
  asio::co_spawn(ex, consume(ch, n), join.handler());
  co_return co_await join.wait();
}

awaitable<int64_t> await_future(Channel& f) { co_return co_await f.async_receive(use_awaitable); }
awaitable<int64_t> set_all(std::vector<std::unique_ptr<Channel>>& futs) {
  for (std::size_t i = 0; i < futs.size(); ++i)
    if (!futs[i]->try_send(asio::error_code{}, static_cast<int64_t>(i))) throw std::logic_error("W4: try_send");
  co_return 0;
}
awaitable<int64_t> w4(int64_t n) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<std::unique_ptr<Channel>> futs;
  futs.reserve(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) futs.push_back(std::make_unique<Channel>(ex, 1));
  Join join(ex, n + 1);
  for (int64_t i = 0; i < n; ++i) asio::co_spawn(ex, await_future(*futs[static_cast<std::size_t>(i)]), join.handler());
  asio::co_spawn(ex, set_all(futs), join.handler());
  co_return co_await join.wait();
}

awaitable<int64_t> workload(std::string w, int64_t n) {
  if (w == "W1a") co_return co_await spawn_gather(n, returns_at_once);
  if (w == "W1b") co_return co_await spawn_gather(n, yields_once);
  if (w == "W2") co_return co_await w2(n);
  if (w == "W2c") co_return co_await w2c(n);
  if (w == "W3") co_return co_await spawn_gather(n, sleeps);
  if (w == "W4") co_return co_await w4(n);
  throw std::invalid_argument("unknown workload " + w);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args a = bench::parse_args(argc, argv, "<W1a|W1b|W2|W2c|W3|W4> <n> <reps>", "io_context");
  int failures = 0;
  try {
    for (int rep = 0; rep < a.reps; ++rep) {
      bench::Probe p;
      p.start();
      asio::io_context ctx(1);  // concurrency hint 1: single-threaded, no locking
      int64_t sum = -1;
      asio::co_spawn(ctx, workload(a.workload, a.n), [&](std::exception_ptr e, int64_t v) {
        if (e) std::rethrow_exception(e);
        sum = v;
      });
      ctx.run();
      bench::Result r = bench::timed_result("asio", a, rep, sum, p);
      r.print();
      if (r.sum != r.expected) ++failures;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_asio %s: %s\n", a.workload.c_str(), e.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
