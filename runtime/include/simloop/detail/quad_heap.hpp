#pragma once
// QuadHeap: a 4-ary min-heap laid out for the cache. It was the loop's timer
// queue; now RadixHeap (radix_heap.hpp) is, and keeps one of these beside
// its buckets for the rare entry pushed below its last minimum.
//
// Why not std::priority_queue: with 10^6 entries a pop walks ~10 levels of a
// 16-24 MB array, and every level is a cache miss. A 4-ary heap has half the
// levels of a binary one; with 16-byte entries and the storage 64-byte
// aligned, the four children of a node are one cache line, so each level
// costs one miss instead of two.
//
// Layout: heap index i lives at storage position i + 3 (positions 0..2 are
// unused), so the children of i, heap indices 4i+1..4i+4, sit at positions
// 4(i+1)..4(i+1)+3: an aligned group of four.
//
// Entries must be trivially copyable (they are moved with plain copies);
// `Before` is a strict weak order, `Before{}(a, b)` meaning a pops first.
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace simloop::detail {

template <class Entry, class Before>
class QuadHeap {
  static_assert(std::is_trivially_copyable_v<Entry>, "QuadHeap moves entries with plain copies");
  static constexpr std::size_t kPad = 3;
  static constexpr std::align_val_t kAlign{64};

 public:
  QuadHeap() = default;
  QuadHeap(const QuadHeap&) = delete;
  QuadHeap& operator=(const QuadHeap&) = delete;
  ~QuadHeap() { release(); }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const Entry& top() const noexcept { return data_[kPad]; }
  // The entries in heap order (not sorted): for teardown and inspection.
  const Entry* begin() const noexcept { return data_ ? data_ + kPad : nullptr; }
  const Entry* end() const noexcept { return data_ ? data_ + kPad + size_ : nullptr; }

  void push(const Entry& e) {
    if (size_ == cap_) grow();
    sift_up(size_++, e);
  }
  Entry pop() noexcept {
    Entry top_entry = data_[kPad];
    Entry last = data_[kPad + --size_];
    if (size_ > 0) sift_down(0, last);
    return top_entry;
  }
  void clear() noexcept { size_ = 0; }

  // Drops every entry for which `drop(entry)` is true (it may release what the
  // entry owns), then restores the heap order in O(n).
  template <class Drop>
  void remove_if(Drop drop) {
    std::size_t w = 0;
    for (std::size_t r = 0; r < size_; ++r) {
      Entry e = at(r);
      if (!drop(e)) at(w++) = e;
    }
    size_ = w;
    if (size_ < 2) return;
    // Floyd's heapify: sift down every node that has a child, last first.
    for (std::size_t i = (size_ - 2) / 4 + 1; i-- > 0;) sift_down(i, at(i));
  }

 private:
  Entry& at(std::size_t i) noexcept { return data_[kPad + i]; }
  static bool before(const Entry& a, const Entry& b) noexcept { return Before{}(a, b); }

  void sift_up(std::size_t i, Entry e) noexcept {
    while (i > 0) {
      std::size_t parent = (i - 1) / 4;
      if (!before(e, at(parent))) break;
      at(i) = at(parent);
      i = parent;
    }
    at(i) = e;
  }
  void sift_down(std::size_t i, Entry e) noexcept {
    const std::size_t n = size_;
    while (true) {
      std::size_t c = 4 * i + 1;
      if (c >= n) break;
      std::size_t end = c + 4 < n ? c + 4 : n;
      std::size_t best = c;
      for (std::size_t k = c + 1; k < end; ++k)
        if (before(at(k), at(best))) best = k;
      if (!before(at(best), e)) break;
      at(i) = at(best);
      i = best;
    }
    at(i) = e;
  }
  void grow() {
    std::size_t cap = cap_ ? cap_ * 2 : 61;  // 61 + 3 padding = 64 entries
    auto* p = static_cast<Entry*>(::operator new((cap + kPad) * sizeof(Entry), kAlign));
    if (size_) std::memcpy(static_cast<void*>(p + kPad), data_ + kPad, size_ * sizeof(Entry));
    release();
    data_ = p;
    cap_ = cap;
  }
  void release() noexcept {
    if (data_) ::operator delete(static_cast<void*>(data_), kAlign);
    data_ = nullptr;
    cap_ = 0;
  }

  Entry* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

}  // namespace simloop::detail
