// The loop's timer queue (detail/radix_heap.hpp) against a sorted model:
// pops come out in (hi, lo) order whatever the pattern of pushes, pops and
// purges, also for keys pushed below the last minimum (an overdue call_at),
// and every entry is seen exactly once by for_each and remove_if.
#include <catch2/catch.hpp>
#include <simloop/detail/radix_heap.hpp>

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

using simloop::detail::RadixHeap;

namespace {
struct Entry {
  std::int64_t when;  // signed, as the loop's deadlines
  std::uint64_t seq;
};
struct Key {
  static std::uint64_t hi(const Entry& e) noexcept { return static_cast<std::uint64_t>(e.when) ^ (std::uint64_t{1} << 63); }
  static std::uint64_t lo(const Entry& e) noexcept { return e.seq; }
};
using Model = std::set<std::pair<std::int64_t, std::uint64_t>>;

// A portable LCG (not <random>: its distributions differ by library).
struct Lcg {
  std::uint64_t x;
  std::uint64_t operator()() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  }
};

void require_top(RadixHeap<Entry, Key>& h, const Model& m) {
  REQUIRE(h.size() == m.size());
  if (m.empty()) return;
  const Entry& t = h.top();
  REQUIRE(std::make_pair(t.when, t.seq) == *m.begin());
}
}  // namespace

TEST_CASE("RadixHeap pops in (hi, lo) order under random pushes, pops and purges", "[loop][timers]") {
  Lcg next{GENERATE(1u, 2u, 99u, 4242u)};
  RadixHeap<Entry, Key> h;
  Model m;
  std::uint64_t seq = 0;
  std::int64_t now = -5000;  // negative deadlines too: the key flips the sign bit
  for (int step = 0; step < 20000; ++step) {
    std::uint64_t r = next() % 100;
    if (r < 55) {
      // Mostly at or after `now` (timers), a few ties, some before the last
      // minimum (an overdue call_at).
      std::uint64_t k = next() % 10;
      std::int64_t when = k == 0   ? now - static_cast<std::int64_t>(next() % 1000)
                          : k < 3 ? now
                                  : now + static_cast<std::int64_t>(next() % (k < 6 ? 50 : 1u << 30));
      h.push(Entry{when, ++seq});
      m.emplace(when, seq);
    } else if (r < 97) {
      if (m.empty()) continue;
      require_top(h, m);
      Entry e = h.pop();
      REQUIRE(std::make_pair(e.when, e.seq) == *m.begin());
      m.erase(m.begin());
      if (e.when > now) now = e.when;
    } else {
      // A purge: drop every entry whose seq is divisible by 3.
      std::size_t seen = 0;
      h.remove_if([&seen](const Entry& e) {
        ++seen;
        return e.seq % 3 == 0;
      });
      REQUIRE(seen == m.size());
      for (auto it = m.begin(); it != m.end();) it = it->second % 3 == 0 ? m.erase(it) : std::next(it);
    }
    require_top(h, m);
  }
  // for_each visits every entry once.
  Model seen;
  h.for_each([&seen](const Entry& e) { REQUIRE(seen.emplace(e.when, e.seq).second); });
  REQUIRE(seen == m);
  // Drain: the rest in order.
  while (!m.empty()) {
    Entry e = h.pop();
    REQUIRE(std::make_pair(e.when, e.seq) == *m.begin());
    m.erase(m.begin());
  }
  REQUIRE(h.empty());
}

TEST_CASE("RadixHeap: a cleared queue starts over, also below its old minimum", "[loop][timers]") {
  RadixHeap<Entry, Key> h;
  for (std::uint64_t i = 0; i < 100; ++i) h.push(Entry{static_cast<std::int64_t>(1000 + i), i});
  REQUIRE(h.pop().when == 1000);
  REQUIRE(h.top().when == 1001);
  h.clear();
  REQUIRE(h.empty());
  int count = 0;
  h.for_each([&count](const Entry&) { ++count; });
  REQUIRE(count == 0);
  // Below the old minimum, and ties broken by lo only.
  h.push(Entry{5, 9});
  h.push(Entry{5, 3});
  h.push(Entry{-7, 100});
  REQUIRE(h.pop().seq == 100);
  REQUIRE(h.pop().seq == 3);
  REQUIRE(h.pop().seq == 9);
  REQUIRE(h.empty());
}

TEST_CASE("RadixHeap: all pushed before any pop, over the whole key range (every digit position)", "[loop][timers]") {
  // bench W3's pattern (an MSD radix sort), with keys at both ends of both
  // words so that every hexadecimal digit position is used.
  RadixHeap<Entry, Key> h;
  Model m;
  Lcg next{7};
  const std::int64_t edges[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
  std::uint64_t seq = 0;
  for (std::int64_t w : edges) {
    h.push(Entry{w, ++seq});
    m.emplace(w, seq);
    h.push(Entry{w, ~std::uint64_t{0} - seq});  // the same deadline: lo decides, high digits of lo too
    m.emplace(w, ~std::uint64_t{0} - seq);
  }
  for (int i = 0; i < 5000; ++i) {
    const auto when = static_cast<std::int64_t>((next() << 31) ^ next()) - (std::int64_t{1} << 61);
    h.push(Entry{when, ++seq});
    m.emplace(when, seq);
  }
  while (!m.empty()) {
    require_top(h, m);
    Entry e = h.pop();
    REQUIRE(std::make_pair(e.when, e.seq) == *m.begin());
    m.erase(m.begin());
  }
  REQUIRE(h.empty());
}
