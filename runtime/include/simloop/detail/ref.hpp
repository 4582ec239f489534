#pragma once
// Intrusive, single-threaded reference counting for futures, tasks and handles.
// Everything here lives on one loop's thread, so the count is a plain integer:
// no atomics on the hot path. (Executors hand results back through the loop's
// thread-safe queue, never by touching these counts from another thread.)
#include <simloop/detail/pool.hpp>

#include <cassert>
#include <cstdint>
#include <utility>

namespace simloop::detail {

// Pool-allocated (detail/pool.hpp): futures, tasks and handles are the
// objects a simulation makes and drops by the million.
class RefCounted : public PoolAllocated {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  virtual ~RefCounted() = default;

  void add_ref() noexcept { ++refs_; }
  void release() noexcept {
    assert(refs_ > 0);
    if (--refs_ == 0) delete this;
  }
  std::uint32_t ref_count() const noexcept { return refs_; }

 private:
  std::uint32_t refs_ = 0;
};

// A strong reference to a RefCounted object (like boost::intrusive_ptr).
template <class T>
class Ref {
 public:
  Ref() noexcept = default;
  Ref(std::nullptr_t) noexcept {}
  explicit Ref(T* p) noexcept : p_(p) {
    if (p_) p_->add_ref();
  }
  Ref(const Ref& o) noexcept : Ref(o.p_) {}
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
  Ref(const Ref<U>& o) noexcept : Ref(static_cast<T*>(o.get())) {}
  template <class U>
  Ref(Ref<U>&& o) noexcept : p_(static_cast<T*>(o.detach())) {}
  ~Ref() {
    if (p_) p_->release();
  }
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T* detach() noexcept { return std::exchange(p_, nullptr); }
  // Takes over a reference the caller already holds (one detach() gave up):
  // no count changes hands.
  static Ref adopt(T* p) noexcept {
    Ref r;
    r.p_ = p;
    return r;
  }
  friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }

 private:
  T* p_ = nullptr;
};

template <class T, class... Args>
Ref<T> make_ref(Args&&... args) {
  return Ref<T>(new T(std::forward<Args>(args)...));
}

}  // namespace simloop::detail
