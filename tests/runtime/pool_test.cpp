// The small-object pool (detail/pool.hpp) behind frames, futures and tasks.
#include <simloop/detail/pool.hpp>
#include <simloop/sim.hpp>
#include <simloop/simloop.hpp>

#include <catch2/catch.hpp>

#include <coroutine>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace sl = simloop;

namespace {
// What an object of size n needs (pool.hpp, "Alignment"): a type aligned to
// 16 has a size that is a multiple of 16; any other size needs 8 at most.
bool aligned_for(const void* p, std::size_t n) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  return n % 16 == 0 ? a % 16 == 0 : a % 8 == 0;
}
}  // namespace

TEST_CASE("pool: blocks are aligned for their size, sized as asked, and distinct while alive", "[pool]") {
  std::vector<std::pair<void*, std::size_t>> live;
  for (std::size_t n : {1u, 8u, 16u, 17u, 100u, 120u, 240u, 1024u, 1025u, 5000u}) {
    for (int k = 0; k < 50; ++k) {
      void* p = sl::detail::pool_allocate(n);
      CHECK(aligned_for(p, n));
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
  void* b = sl::detail::pool_allocate(193);  // same 8-byte class (193..200)
  CHECK(b == a);
  sl::detail::pool_deallocate(b, 193);
}

TEST_CASE("pool: coroutine frames and other objects of one size never share a free list", "[pool]") {
  // A task and its frame are often the same size (96 bytes in bench W4).
  // Sharing a list made the next run get its memory back interleaved in
  // the order it was freed (W4: 280 ns a future against 160); each kind
  // now reuses only its own blocks.
  using sl::detail::PoolKind;
  void* frame = sl::detail::pool_allocate(96, PoolKind::frame);
  void* object = sl::detail::pool_allocate(96);
  CHECK(frame != object);
  if (!sl::detail::pool_enabled()) {
    sl::detail::pool_deallocate(frame, 96, PoolKind::frame);
    sl::detail::pool_deallocate(object, 96);
    SUCCEED("pool disabled under AddressSanitizer");
    return;
  }
  sl::detail::pool_deallocate(frame, 96, PoolKind::frame);
  void* other = sl::detail::pool_allocate(96);  // not the frame's block
  CHECK(other != frame);
  void* frame2 = sl::detail::pool_allocate(96, PoolKind::frame);  // the frame's block again
  CHECK(frame2 == frame);
  sl::detail::pool_deallocate(object, 96);
  void* object2 = sl::detail::pool_allocate(96);
  CHECK(object2 == object);
  sl::detail::pool_deallocate(frame2, 96, PoolKind::frame);
  sl::detail::pool_deallocate(other, 96);
  sl::detail::pool_deallocate(object2, 96);
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

TEST_CASE("pool: mixed sizes in 8-byte steps stay aligned and intact across chunks, frees and reuse", "[pool]") {
  // Odd multiples of 8 carved next to multiples of 16 in one chunk, chunk
  // ends handed to the free lists, freed blocks reused: each block keeps
  // what was written to it, so none overlaps another.
  struct Block {
    unsigned char* p;
    std::size_t n;
    unsigned char fill;
  };
  std::vector<Block> live;
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  auto check_and_free = [](const Block& b) {
    bool intact = true;
    for (std::size_t i = 0; i < b.n; ++i) intact = intact && b.p[i] == b.fill;
    REQUIRE(intact);
    sl::detail::pool_deallocate(b.p, b.n);
  };
  for (int round = 0; round < 20000; ++round) {
    if (!live.empty() && next() % 3 == 0) {
      const std::size_t i = next() % live.size();
      check_and_free(live[i]);
      live[i] = live.back();
      live.pop_back();
      continue;
    }
    const std::size_t n = 8 * (1 + next() % 128);  // 8 .. 1024
    auto* p = static_cast<unsigned char*>(sl::detail::pool_allocate(n));
    REQUIRE(aligned_for(p, n));
    const auto fill = static_cast<unsigned char>(round);
    std::memset(p, fill, n);
    live.push_back({p, n, fill});
  }
  for (const Block& b : live) check_and_free(b);
}

TEST_CASE("pool: size classes are 8 bytes, so a 120-byte object takes 120 bytes", "[pool]") {
  if (!sl::detail::pool_enabled()) {
    SUCCEED("pool disabled under AddressSanitizer");
    return;
  }
  // Fresh blocks of one class carved back to back are 120 bytes apart (128
  // with 16-byte classes). Drain the free list first so they are fresh.
  std::vector<void*> drained;
  void* prev = nullptr;
  int adjacent = 0;
  for (int k = 0; k < 200; ++k) {
    void* p = sl::detail::pool_allocate(120);
    if (prev && reinterpret_cast<std::uintptr_t>(p) == reinterpret_cast<std::uintptr_t>(prev) + 120) ++adjacent;
    prev = p;
    drained.push_back(p);
  }
  CHECK(adjacent >= 100);  // most: a chunk holds 546 of them
  for (void* p : drained) sl::detail::pool_deallocate(p, 120);
}

TEST_CASE("pool: a coroutine frame of any size gets a 16-byte aligned block", "[pool]") {
  // A frame's size need not be a multiple of its alignment (FramePoolAllocated
  // rounds it up); a frame holding a 16-aligned local must get one.
  struct alignas(16) Wide {
    unsigned char b[16];
  };
  auto coro = []() -> sl::Coro<bool> {
    Wide w{};
    co_await sl::sleep(sl::Duration::zero());
    co_return reinterpret_cast<std::uintptr_t>(&w) % 16 == 0;
  };
  for (int k = 0; k < 20; ++k) CHECK(sl::sim::run(coro).value);
  CHECK(sl::detail::FramePoolAllocated::round16(120) == 128);
  CHECK(sl::detail::FramePoolAllocated::round16(112) == 112);
}

TEST_CASE("pool: past the first 4 MiB a thread's chunks come from 2 MiB huge-page slabs", "[pool]") {
  // A fresh thread, so that its pool starts empty whatever ran before. (The
  // pool's memory is per thread; nothing simulated runs here.)
  sl::detail::PoolStats before, after;
  bool distinct = true;
  std::thread([&] {
    before = sl::detail::pool_stats();
    std::vector<void*> blocks;
    for (int k = 0; k < 7 * 1024; ++k) {  // 7 MiB of 1 KiB blocks
      void* p = sl::detail::pool_allocate(1024);
      std::memset(p, k & 0xff, 1024);  // every byte usable
      blocks.push_back(p);
    }
    for (int k = 0; k < 7 * 1024; ++k)
      if (static_cast<const unsigned char*>(blocks[static_cast<std::size_t>(k)])[1023] != (k & 0xff)) distinct = false;
    after = sl::detail::pool_stats();
    for (void* p : blocks) sl::detail::pool_deallocate(p, 1024);
  }).join();
  CHECK(distinct);  // no block was handed out twice
  CHECK(before.slabs == 0);
  if (!sl::detail::pool_enabled()) {
    CHECK(after.slabs == 0);
    SUCCEED("pool disabled under AddressSanitizer");
    return;
  }
#if defined(__linux__)
  // ~3 MiB past the threshold: two slabs. Whether the kernel accepted the
  // advice depends on how it was built, so slabs_advised is only reported.
  CHECK(after.slabs == 2);
  CHECK(after.slab_bytes >= 2u * 1024 * 1024);
  CHECK(after.slab_bytes <= after.slabs * 2u * 1024 * 1024);
  INFO("slabs advised for huge pages: " << after.slabs_advised);
#endif
}
