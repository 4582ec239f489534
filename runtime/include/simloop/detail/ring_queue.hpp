#pragma once
// RingQueue: the loop's ready queue, a FIFO in one power-of-two ring.
//
// Why not std::deque: every task step pushes one item and pops one, and
// deque's block map cost ~50 instructions a round trip (callgrind, W2); here
// it is an index mask. The ring grows by doubling and never shrinks, and
// its buffer is kept for the next queue on the thread (a simulation's queue
// stays at its high-water mark, as the pool does).
// A ring of capacity c holds c - 1 items (one slot stays free so that the
// full test is one compare). Positional access and erase serve the opt-in
// ready-order exploration, which may run any queued item next.
#include <cassert>
#include <cstddef>
#include <new>
#include <utility>

namespace simloop::detail {

template <class T>
class RingQueue {
 public:
  RingQueue() = default;
  RingQueue(const RingQueue&) = delete;
  RingQueue& operator=(const RingQueue&) = delete;
  ~RingQueue() {
    clear();
    give_back(buf_, cap());
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // The i-th item from the front.
  T& operator[](std::size_t i) noexcept {
    assert(i < size_);
    return buf_[(head_ + i) & mask_];
  }

  // Constructs the new last item in place from `args`.
  template <class... Args>
  void emplace_back(Args&&... args) {
    // One compare on the hot path: the ring grows when one slot is left
    // (size_ == mask_), which also covers no buffer at all (both 0).
    if (size_ >= mask_) [[unlikely]]
      grow();
    ::new (static_cast<void*>(buf_ + ((head_ + size_) & mask_))) T(std::forward<Args>(args)...);
    ++size_;
  }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  // Removes the front item and returns it. A T that declares
  // `relocate_tag` (ReadyItem) is built from the slot's bits by its
  // relocating constructor and the slot is left as raw memory: no clearing
  // of the slot, no destructor to run on it (a move and a destroy of the
  // moved-from slot were ~8 instructions a task step).
  T take_front() {
    assert(size_ > 0);
    T& slot = buf_[head_];
    head_ = (head_ + 1) & mask_;
    --size_;
    if constexpr (requires { typename T::relocate_tag; }) {
      return T(typename T::relocate_tag{}, slot);
    } else {
      T v(std::move(slot));
      slot.~T();
      return v;
    }
  }
  // Removes the i-th item and returns it; the items behind it move up one
  // place, so the order of the rest is kept.
  T take(std::size_t i) {
    assert(i < size_);
    T v(std::move((*this)[i]));
    for (std::size_t k = i; k + 1 < size_; ++k) (*this)[k] = std::move((*this)[k + 1]);
    (*this)[size_ - 1].~T();
    --size_;
    return v;
  }
  void clear() noexcept {
    while (size_ > 0) {
      buf_[head_].~T();
      head_ = (head_ + 1) & mask_;
      --size_;
    }
    head_ = 0;
  }

 private:
  std::size_t cap() const noexcept { return buf_ ? mask_ + 1 : 0; }
  void grow() {
    std::size_t new_cap = buf_ ? 2 * (mask_ + 1) : 64;
    T* nb = take_spare(new_cap);
    if (!nb) nb = static_cast<T*>(::operator new(new_cap * sizeof(T)));
    for (std::size_t i = 0; i < size_; ++i) {
      T& old = (*this)[i];
      ::new (static_cast<void*>(nb + i)) T(std::move(old));
      old.~T();
    }
    // Freed, not kept as the spare: holding the outgrown half would add to
    // the peak (only the final buffer is worth keeping, in ~RingQueue).
    ::operator delete(static_cast<void*>(buf_));
    buf_ = nb;
    mask_ = new_cap - 1;
    head_ = 0;
  }

  // One spare buffer per thread, the largest one given back: the next queue
  // (the next loop: explore's next run, the benchmark's next repetition)
  // starts at the size the last one reached. Without it a queue of 10^6
  // items got a fresh mapping each time (48 MB when it was measured, with
  // 48-byte items; 16 MB now), one page fault per 4 KiB (bench/README.md:
  // +45% on W1a). Freed when the thread ends.
  struct Spare {
    T* buf = nullptr;
    std::size_t cap = 0;
    ~Spare() {
      ::operator delete(static_cast<void*>(buf));
      buf = nullptr;  // a queue destroyed later (a static loop) then just frees its own
      cap = 0;
    }
  };
  static inline thread_local Spare spare_;

  // The spare buffer if it holds at least `want` items (then `want` is
  // raised to its capacity), else null.
  static T* take_spare(std::size_t& want) noexcept {
    Spare& s = spare_;
    if (s.cap < want) return nullptr;
    want = s.cap;
    s.cap = 0;
    return std::exchange(s.buf, nullptr);
  }
  static void give_back(T* buf, std::size_t cap) noexcept {
    if (!buf) return;
    Spare& s = spare_;
    if (cap <= s.cap) {
      ::operator delete(static_cast<void*>(buf));
      return;
    }
    ::operator delete(static_cast<void*>(s.buf));
    s.buf = buf;
    s.cap = cap;
  }

  T* buf_ = nullptr;
  std::size_t mask_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace simloop::detail
