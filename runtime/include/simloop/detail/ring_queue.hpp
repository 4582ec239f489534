#pragma once
// RingQueue: the loop's ready queue, a FIFO in one power-of-two ring.
//
// Why not std::deque: every task step pushes one item and pops one, and
// deque's block map cost ~50 instructions a round trip (callgrind, W2); here
// it is an index mask. The ring grows by doubling and never shrinks (a
// simulation's queue stays at its high-water mark, as the pool does).
// Positional access and erase serve the opt-in ready-order exploration,
// which may run any queued item next.
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
    ::operator delete(static_cast<void*>(buf_));
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
    if (size_ == cap()) grow();
    ::new (static_cast<void*>(buf_ + ((head_ + size_) & mask_))) T(std::forward<Args>(args)...);
    ++size_;
  }
  void push_back(T&& v) { emplace_back(std::move(v)); }
  // Removes the front item and returns it.
  T take_front() {
    assert(size_ > 0);
    T& slot = buf_[head_];
    T v(std::move(slot));
    slot.~T();
    head_ = (head_ + 1) & mask_;
    --size_;
    return v;
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
    T* nb = static_cast<T*>(::operator new(new_cap * sizeof(T)));
    for (std::size_t i = 0; i < size_; ++i) {
      T& old = (*this)[i];
      ::new (static_cast<void*>(nb + i)) T(std::move(old));
      old.~T();
    }
    ::operator delete(static_cast<void*>(buf_));
    buf_ = nb;
    mask_ = new_cap - 1;
    head_ = 0;
  }

  T* buf_ = nullptr;
  std::size_t mask_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace simloop::detail
