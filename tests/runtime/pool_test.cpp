// The small-object pool (detail/pool.hpp) behind frames, futures and tasks.
#include <simloop/detail/pool.hpp>
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

namespace sl = simloop;

TEST_CASE("pool: blocks are 16-byte aligned, sized as asked, and distinct while alive", "[pool]") {
  std::vector<std::pair<void*, std::size_t>> live;
  for (std::size_t n : {1u, 8u, 16u, 17u, 100u, 240u, 1024u, 1025u, 5000u}) {
    for (int k = 0; k < 50; ++k) {
      void* p = sl::detail::pool_allocate(n);
      CHECK(reinterpret_cast<std::uintptr_t>(p) % 16 == 0);
      std::memset(p, 0xab, n);  // the whole size is usable (ASan would object otherwise)
      live.emplace_back(p, n);
    }
  }
  for (std::size_t i = 0; i < live.size(); ++i)
    for (std::size_t j = i + 1; j < live.size(); ++j) {
      auto a = reinterpret_cast<std::uintptr_t>(live[i].first);
      auto b = reinterpret_cast<std::uintptr_t>(live[j].first);
      bool overlap = a < b + live[j].second && b < a + live[i].second;
      if (overlap) FAIL("blocks " << i << " and " << j << " overlap");
    }
  for (auto& [p, n] : live) sl::detail::pool_deallocate(p, n);
}

TEST_CASE("pool: a freed block is reused by the next allocation of its size class", "[pool]") {
  if (!sl::detail::pool_enabled()) {
    // ASan build: blocks come from operator new so that ASan sees every one.
    void* p = sl::detail::pool_allocate(200);
    sl::detail::pool_deallocate(p, 200);
    SUCCEED("pool disabled under AddressSanitizer");
    return;
  }
  void* a = sl::detail::pool_allocate(200);
  sl::detail::pool_deallocate(a, 200);
  void* b = sl::detail::pool_allocate(193);  // same 16-byte class (193..208)
  CHECK(b == a);
  sl::detail::pool_deallocate(b, 193);
}

TEST_CASE("pool: many simulated runs in one process reuse their frames and tasks", "[pool]") {
  // Behaviour check, not a timing: results stay right when every run's
  // objects come from blocks freed by the run before.
  auto child = [](int i) -> sl::Coro<int> {
    co_await sl::sleep(sl::Duration(i % 3));
    co_return i;
  };
  for (int run = 0; run < 50; ++run) {
    auto res = sl::sim::run([&]() -> sl::Coro<long> {
      std::vector<sl::Task<int>> ts;
      for (int i = 0; i < 40; ++i) ts.push_back(sl::create_task(child(i)));
      auto values = co_await sl::gather(std::move(ts));
      long sum = 0;
      for (int v : values) sum += v;
      co_return sum;
    });
    REQUIRE(res.value == 780);
  }
}
