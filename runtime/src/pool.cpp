#include <simloop/detail/pool.hpp>

#include <cstdint>
#include <new>
#include <vector>

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
void* pool_allocate(std::size_t n) { return ::operator new(n); }
void pool_deallocate(void* p, std::size_t) noexcept { ::operator delete(p); }

#else

namespace {
constexpr std::size_t kGranule = 16;
constexpr std::size_t kMaxPooled = 1024;
constexpr std::size_t kClasses = kMaxPooled / kGranule;
constexpr std::size_t kChunkBytes = 64 * 1024;

struct FreeNode {
  FreeNode* next;
};

struct ThreadPool {
  FreeNode* free[kClasses] = {};
  unsigned char* chunk_pos = nullptr;
  unsigned char* chunk_end = nullptr;

  void* carve(std::size_t bytes) {
    if (static_cast<std::size_t>(chunk_end - chunk_pos) < bytes) {
      // The rest of the old chunk is given to the free lists it fits, so
      // nothing is wasted beyond a granule.
      while (static_cast<std::size_t>(chunk_end - chunk_pos) >= kGranule) {
        std::size_t left = static_cast<std::size_t>(chunk_end - chunk_pos);
        std::size_t take = left >= kMaxPooled ? kMaxPooled : left / kGranule * kGranule;
        push(chunk_pos, take / kGranule - 1);
        chunk_pos += take;
      }
      // Chunks are never freed (see pool.hpp): objects may outlive this thread.
      chunk_pos = static_cast<unsigned char*>(::operator new(kChunkBytes));
      chunk_end = chunk_pos + kChunkBytes;
    }
    void* p = chunk_pos;
    chunk_pos += bytes;
    return p;
  }
  void push(void* p, std::size_t cls) noexcept {
    auto* node = static_cast<FreeNode*>(p);
    node->next = free[cls];
    free[cls] = node;
  }
};

thread_local ThreadPool tl_pool;
}  // namespace

bool pool_enabled() noexcept { return true; }

void* pool_allocate(std::size_t n) {
  if (n == 0) n = 1;
  if (n > kMaxPooled) return ::operator new(n);
  std::size_t cls = (n - 1) / kGranule;
  ThreadPool& tp = tl_pool;
  if (FreeNode* node = tp.free[cls]) {
    tp.free[cls] = node->next;
    return node;
  }
  return tp.carve((cls + 1) * kGranule);
}

void pool_deallocate(void* p, std::size_t n) noexcept {
  if (!p) return;
  if (n == 0) n = 1;
  if (n > kMaxPooled) {
    ::operator delete(p);
    return;
  }
  tl_pool.push(p, (n - 1) / kGranule);
}

#endif

}  // namespace simloop::detail
