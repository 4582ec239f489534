#pragma once
// A move-only type-erased callable with inline storage for small captures.
// Callbacks on the loop's ready queue are mostly "resume task T" or "wake T
// with future F": one or two pointers. Keeping them inline means scheduling a
// step allocates nothing; larger captures fall back to the heap.
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace simloop::detail {

template <class Sig>
class UniqueFunction;

template <class R, class... Args>
class UniqueFunction<R(Args...)> {
  static constexpr std::size_t kInline = 3 * sizeof(void*);
  // One pointer to a static table per callable type (not two function
  // pointers): 32 bytes in all, which keeps the ready queue's items small.
  struct Ops {
    R (*invoke)(void*, Args...);
    void (*manage)(void* dst, void* src) noexcept;  // move src to dst (if any), then destroy src
  };
  template <class D>
  static constexpr Ops kInlineOps{
      [](void* s, Args... a) -> R { return (*std::launder(static_cast<D*>(s)))(std::forward<Args>(a)...); },
      [](void* dst, void* src) noexcept {
        D* s = std::launder(static_cast<D*>(src));
        if (dst) ::new (dst) D(std::move(*s));
        s->~D();
      }};
  template <class D>
  static constexpr Ops kHeapOps{
      [](void* s, Args... a) -> R { return (**static_cast<D**>(s))(std::forward<Args>(a)...); },
      [](void* dst, void* src) noexcept {
        D** s = static_cast<D**>(src);
        if (dst) {
          *static_cast<D**>(dst) = *s;
        } else {
          delete *s;
        }
      }};

 public:
  UniqueFunction() noexcept = default;
  UniqueFunction(std::nullptr_t) noexcept {}

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, UniqueFunction> &&
                                     std::is_invocable_r_v<R, D&, Args...>>>
  UniqueFunction(F&& f) {  // NOLINT(google-explicit-constructor): a callable converts like std::function
    if constexpr (sizeof(D) <= kInline && alignof(D) <= alignof(void*) &&
                  std::is_nothrow_move_constructible_v<D>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      *reinterpret_cast<D**>(buf_) = new D(std::forward<F>(f));
      ops_ = &kHeapOps<D>;
    }
  }

  UniqueFunction(UniqueFunction&& o) noexcept : ops_(o.ops_) {
    if (ops_) ops_->manage(buf_, o.buf_);
    o.ops_ = nullptr;
  }
  UniqueFunction& operator=(UniqueFunction&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      if (ops_) ops_->manage(buf_, o.buf_);
      o.ops_ = nullptr;
    }
    return *this;
  }
  UniqueFunction(const UniqueFunction&) = delete;
  UniqueFunction& operator=(const UniqueFunction&) = delete;
  ~UniqueFunction() { reset(); }

  void reset() noexcept {
    if (ops_) std::exchange(ops_, nullptr)->manage(nullptr, buf_);
  }
  explicit operator bool() const noexcept { return ops_ != nullptr; }
  R operator()(Args... a) { return ops_->invoke(buf_, std::forward<Args>(a)...); }

 private:
  alignas(void*) unsigned char buf_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace simloop::detail
