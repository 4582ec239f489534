#include <simloop/detail/pool.hpp>

#include <cstdint>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SIMLOOP_POOL_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIMLOOP_POOL_OFF 1
#endif
#endif
#if defined(SIMLOOP_DISABLE_POOL)
#define SIMLOOP_POOL_OFF 1
#endif

namespace simloop::detail {

#if defined(SIMLOOP_POOL_OFF)

bool pool_enabled() noexcept { return false; }
PoolStats pool_stats() noexcept { return {}; }
void* pool_allocate(std::size_t n, PoolKind) { return ::operator new(n); }
void pool_deallocate(void* p, std::size_t, PoolKind) noexcept { ::operator delete(p); }

#else

namespace {
// 8-byte size classes: a 72-byte Future<long> or sleep timer takes 72 bytes,
// not 80, and a 104-byte Task<void> 104, not 112. Alignment
// stays what every object needs (pool.hpp): sizes that are multiples of 16
// are carved from chunks of their own, so their blocks are 16-aligned (the
// chunk is, and every size carved from it is a multiple of 16); the other
// sizes (odd multiples of 8, types aligned to 8 at most) from another. One
// chunk for both would leave an 8-byte gap before each 16-multiple block
// that follows an odd one: a future (72) and a frame (96) made in turn
// would take 176 bytes instead of 168, no better than 16-byte classes.
constexpr std::size_t kGranule = 8;
constexpr std::size_t kAlign = 16;
constexpr std::size_t kMaxPooled = 1024;
constexpr std::size_t kClasses = kMaxPooled / kGranule;
constexpr std::size_t kChunkBytes = 64 * 1024;

struct FreeNode {
  FreeNode* next;
};

// Where this thread's chunks come from. The first kHugeAfter bytes from
// operator new, as any allocation: most programs (tests, explore's short
// runs) never need more. Beyond that, from 2 MiB slabs, 2 MiB-aligned and
// advised for transparent huge pages (Linux, MADV_HUGEPAGE: used where THP
// is "madvise", the Debian default). Why: a large simulation touches its
// tasks, frames and timers in an order unrelated to where they lie (bench
// W3 wakes 10^6 timers in duration order), and with 4 KiB pages nearly
// every such touch also misses the TLB: W3 at 10^7 timers took 1.39 us a
// timer with 4 KiB pages and 0.92 us with 2 MiB ones (bench/README.md,
// "Eighth session"). Slabs are never unmapped, like the chunks cut from them.
constexpr std::size_t kHugeAfter = 4 * 1024 * 1024;
constexpr std::size_t kSlabBytes = 2 * 1024 * 1024;
static_assert(kSlabBytes % kChunkBytes == 0);

struct ChunkSource {
  unsigned char* pos = nullptr;  // the current slab's next chunk
  unsigned char* end = nullptr;
  std::size_t given = 0;         // bytes of chunks handed out so far
  PoolStats stats;

  void* take() {
    given += kChunkBytes;
    if (given > kHugeAfter) {
      if (pos == end) new_slab();
      if (pos != end) {
        void* p = pos;
        pos += kChunkBytes;
        stats.slab_bytes += kChunkBytes;
        return p;
      }
    }
    return ::operator new(kChunkBytes);  // small, or no slab could be mapped
  }

  void new_slab() noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Map twice the size and keep the aligned middle: a huge page needs a
    // 2 MiB-aligned range.
    void* m = ::mmap(nullptr, 2 * kSlabBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;  // chunks come from operator new instead
    const auto base = reinterpret_cast<std::uintptr_t>(m);
    const std::uintptr_t aligned = (base + kSlabBytes - 1) & ~std::uintptr_t{kSlabBytes - 1};
    if (aligned > base) ::munmap(m, aligned - base);
    if (const std::uintptr_t tail = base + 2 * kSlabBytes - (aligned + kSlabBytes); tail > 0)
      ::munmap(reinterpret_cast<void*>(aligned + kSlabBytes), tail);
    if (::madvise(reinterpret_cast<void*>(aligned), kSlabBytes, MADV_HUGEPAGE) == 0) stats.slabs_advised += 1;
    stats.slabs += 1;
    pos = reinterpret_cast<unsigned char*>(aligned);
    end = pos + kSlabBytes;
#endif
  }
};

thread_local ChunkSource tl_chunks;  // shared by both kinds' pools

struct ThreadPool {
  struct Cursor {
    unsigned char* pos = nullptr;
    unsigned char* end = nullptr;
  };
  FreeNode* free[kClasses] = {};
  Cursor cursor[2];  // [0] sizes that are multiples of 16, [1] the others

  // The next `bytes` of cursor c, which has no room for them: a new chunk.
  // Out of line (once per 64 KiB), so pool_allocate's path stays short.
  [[gnu::noinline]] void* carve_from_new_chunk(Cursor& c, std::size_t bytes) {
    // The rest of the old chunk is given to the free lists it fits, so
    // nothing is wasted: 16-aligned pieces of up to kMaxPooled bytes, and
    // 8-byte pieces where an end is not aligned (cursor [1] only).
    while (c.pos != c.end) {
      const std::size_t left = static_cast<std::size_t>(c.end - c.pos);
      const bool aligned = reinterpret_cast<std::uintptr_t>(c.pos) % kAlign == 0;
      const std::size_t piece = !aligned || left < kAlign ? kGranule
                                : left >= kMaxPooled     ? kMaxPooled
                                                         : left / kAlign * kAlign;
      push(c.pos, piece / kGranule - 1);
      c.pos += piece;
    }
    // Chunks are never freed (see pool.hpp): objects may outlive this thread.
    c.pos = static_cast<unsigned char*>(tl_chunks.take());
    c.end = c.pos + kChunkBytes;
    void* p = c.pos;
    c.pos += bytes;
    return p;
  }
  void push(void* p, std::size_t cls) noexcept {
    auto* node = static_cast<FreeNode*>(p);
    node->next = free[cls];
    free[cls] = node;
  }
};

thread_local ThreadPool tl_pools[2];  // by PoolKind
}  // namespace

bool pool_enabled() noexcept { return true; }
PoolStats pool_stats() noexcept { return tl_chunks.stats; }

void* pool_allocate(std::size_t n, PoolKind kind) {
  if (n == 0) n = 1;
  if (n > kMaxPooled) return ::operator new(n);
  std::size_t cls = (n - 1) / kGranule;
  ThreadPool& tp = tl_pools[static_cast<unsigned>(kind)];
  if (FreeNode* node = tp.free[cls]) {
    tp.free[cls] = node->next;
    return node;
  }
  // Carved: bytes is a multiple of 8, and bit 3 says whether an odd one.
  const std::size_t bytes = (cls + 1) * kGranule;
  ThreadPool::Cursor& c = tp.cursor[(bytes >> 3) & 1];
  if (static_cast<std::size_t>(c.end - c.pos) < bytes) [[unlikely]]
    return tp.carve_from_new_chunk(c, bytes);
  void* p = c.pos;
  c.pos += bytes;
  return p;
}

void pool_deallocate(void* p, std::size_t n, PoolKind kind) noexcept {
  if (!p) return;
  if (n == 0) n = 1;
  if (n > kMaxPooled) {
    ::operator delete(p);
    return;
  }
  tl_pools[static_cast<unsigned>(kind)].push(p, (n - 1) / kGranule);
}

#endif

}  // namespace simloop::detail
