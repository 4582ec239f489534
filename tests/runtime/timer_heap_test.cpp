// The loop's timer queue (a radix heap since issue 8) against a plain model: every
// live timer fires once, in (deadline, registration) order, also after the
// cancelled-timer purge dropped entries from it [S3, S4, S5].
#include <catch2/catch.hpp>
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

namespace sl = simloop;
using namespace std::chrono_literals;

namespace {
struct Expect {
  std::int64_t when;
  int seq;
};
}  // namespace

TEST_CASE("timers fire in (deadline, registration) order whatever the insertion pattern [S4] [S5]", "[loop][S4][S5]") {
  // A portable LCG (not <random>: its distributions differ by library).
  std::uint64_t x = GENERATE(1u, 7u, 12345u);
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  sl::sim::SimLoop loop;
  std::vector<sl::TimerHandle> handles;
  std::vector<Expect> expected;
  std::vector<int> fired;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    // Few distinct deadlines (ties in every level of the heap) and many cancels.
    auto d = sl::Duration(static_cast<std::int64_t>(next() % 97) * 1000);
    handles.push_back(loop.call_later(d, [&fired, i] { fired.push_back(i); }));
    expected.push_back({d.count(), i});
  }
  std::vector<bool> cancelled(n, false);
  for (int i = 0; i < n; ++i) {
    if (next() % 3 != 0) continue;  // about a third cancelled: with > 100 timers the purge may run
    handles[static_cast<std::size_t>(i)].cancel();
    cancelled[static_cast<std::size_t>(i)] = true;
  }
  // More timers after the cancels, so the heap is rebuilt and pushed into again.
  for (int i = n; i < n + 500; ++i) {
    auto d = sl::Duration(static_cast<std::int64_t>(next() % 97) * 1000);
    handles.push_back(loop.call_later(d, [&fired, i] { fired.push_back(i); }));
    expected.push_back({d.count(), i});
    cancelled.push_back(false);
  }
  loop.call_later(1s, [&] { loop.stop(); });
  loop.run_forever();

  std::vector<Expect> live;
  for (auto& e : expected)
    if (!cancelled[static_cast<std::size_t>(e.seq)]) live.push_back(e);
  std::stable_sort(live.begin(), live.end(), [](const Expect& a, const Expect& b) { return a.when < b.when; });
  std::vector<int> want;
  for (auto& e : live) want.push_back(e.seq);
  CHECK(fired.size() == want.size());
  CHECK(fired == want);
  CHECK(loop.timer_count() == 0);
}

TEST_CASE("a purge of cancelled timers keeps the order of the rest [S3]", "[loop][S3]") {
  sl::sim::SimLoop loop;
  std::vector<sl::TimerHandle> hs;
  std::vector<int> fired;
  // Deadlines descending, so the heap's layout is far from sorted.
  for (int i = 0; i < 400; ++i)
    hs.push_back(loop.call_later(sl::Duration(400 - i), [&fired, i] { fired.push_back(i); }));
  for (int i = 0; i < 400; ++i)
    if (i % 4 != 0) hs[static_cast<std::size_t>(i)].cancel();  // 300 of 400: the purge runs
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  CHECK(loop.timer_count() == 100);  // purged
  loop.call_later(1s, [&] { loop.stop(); });
  loop.run_forever();
  std::vector<int> want;
  for (int i = 396; i >= 0; i -= 4) want.push_back(i);
  CHECK(fired == want);
}
