// dfs enumerates every schedule exactly once and says when it is done.
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>
#include <simloop/wait_for.hpp>

#include <catch2/catch.hpp>

#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sl = simloop;
namespace sim = simloop::sim;
using namespace std::chrono_literals;

namespace {

// n independent tasks of s steps each: a step logs the task's number; steps
// are separated by sleep(0). Main waits on a timer, so the only choices are
// which ready step runs next.
struct Steps {
  int n, s;
  std::set<std::vector<int>> seen;  // distinct interleavings
  sl::Coro<void> operator()() {
    std::vector<int> log;
    for (int i = 0; i < n; ++i) {
      sl::create_task([i, &log, this]() -> sl::Coro<void> {
        for (int j = 0; j < s; ++j) {
          if (j > 0) co_await sl::sleep(0s);
          log.push_back(i);
        }
      });
    }
    co_await sl::sleep(1s);
    seen.insert(log);
  }
};

// Independent count: the schedules of an abstract ready queue (a step runs the
// task at the chosen position; a task with steps left goes to the back), with
// at most `k` choices other than the head.
std::uint64_t count_schedules(std::deque<std::pair<int, int>> q, int k) {
  if (q.empty()) return 1;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    int cost = (q.size() > 1 && i != 0) ? 1 : 0;
    if (cost > k) continue;
    auto next = q;
    auto item = next[i];
    next.erase(next.begin() + static_cast<std::ptrdiff_t>(i));
    if (--item.second > 0) next.push_back(item);
    total += count_schedules(std::move(next), k - cost);
  }
  return total;
}

std::uint64_t count_schedules(int n, int s, int k) {
  std::deque<std::pair<int, int>> q;
  for (int i = 0; i < n; ++i) q.emplace_back(i, s);
  return count_schedules(std::move(q), k);
}

}  // namespace

TEST_CASE("dfs visits all (n*s)!/(s!)^n interleavings of n tasks x s steps, then is exhausted", "[dfs]") {
  struct Case {
    int n, s;
    std::uint64_t expected;
  };
  for (Case c : {Case{3, 2, 90}, Case{2, 3, 20}, Case{2, 2, 6}, Case{4, 1, 24}}) {
    Steps test{c.n, c.s, {}};
    auto r = sim::explore(std::ref(test), {.runs = 100000, .strategy = sim::Strategy::dfs, .explore_ready_order = true});
    INFO("n=" << c.n << " s=" << c.s);
    CHECK(!r.failure);
    CHECK(r.exhausted);
    CHECK(r.runs == c.expected);
    CHECK(test.seen.size() == c.expected);  // every run a different interleaving
    CHECK(r.distinct_hashes == c.expected);
    CHECK(count_schedules(c.n, c.s, 1000) == c.expected);
    CHECK_THAT(r.to_string(), Catch::Matchers::Contains("exhausted"));
  }
}

TEST_CASE("dfs with a deviation bound visits exactly the bounded schedules", "[dfs]") {
  for (int k = 0; k <= 4; ++k) {
    Steps test{3, 2, {}};
    auto r = sim::explore(std::ref(test), {.runs = 100000, .strategy = sim::Strategy::dfs,
                                           .explore_ready_order = true, .dfs_deviations_max = std::uint32_t(k)});
    std::uint64_t expected = count_schedules(3, 2, k);
    INFO("k=" << k << " expected " << expected);
    CHECK(r.exhausted);
    CHECK(r.runs == expected);
    CHECK(test.seen.size() == expected);
  }
  CHECK(count_schedules(3, 2, 0) == 1);  // asyncio's order only
}

TEST_CASE("dfs stops at the run budget without claiming exhaustion", "[dfs]") {
  Steps test{3, 2, {}};
  auto r = sim::explore(std::ref(test), {.runs = 10, .strategy = sim::Strategy::dfs, .explore_ready_order = true});
  CHECK(r.runs == 10);
  CHECK(!r.exhausted);
}

TEST_CASE("a timeout due at the same instant as the result is explored both ways [S5][S60]", "[dfs][S5][S60]") {
  std::set<std::string> outcomes;
  auto test = [&]() -> sl::Coro<void> {
    auto worker = sl::create_task([]() -> sl::Coro<int> {
      co_await sl::sleep(1s);
      co_return 42;
    });
    co_await sl::sleep(0s);  // the worker is already sleeping: under fifo its result wins [S60]
    try {
      int v = co_await sl::wait_for(sl::Future<int>(worker), 1s);
      outcomes.insert("result " + std::to_string(v));
    } catch (const sl::TimeoutError&) {
      outcomes.insert("timeout");
    }
  };
  sim::run(test);
  CHECK(outcomes == std::set<std::string>{"result 42"});
  outcomes.clear();
  auto r = sim::explore(test, {.runs = 100, .strategy = sim::Strategy::dfs});
  CHECK(r.exhausted);
  CHECK(r.runs == 2);
  CHECK(outcomes == std::set<std::string>{"result 42", "timeout"});
}
