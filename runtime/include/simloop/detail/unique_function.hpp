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
      invoke_ = [](void* s, Args... a) -> R {
        return (*std::launder(static_cast<D*>(s)))(std::forward<Args>(a)...);
      };
      manage_ = [](void* dst, void* src) noexcept {
        D* s = std::launder(static_cast<D*>(src));
        if (dst) ::new (dst) D(std::move(*s));
        s->~D();
      };
    } else {
      *reinterpret_cast<D**>(buf_) = new D(std::forward<F>(f));
      invoke_ = [](void* s, Args... a) -> R {
        return (**static_cast<D**>(s))(std::forward<Args>(a)...);
      };
      manage_ = [](void* dst, void* src) noexcept {
        D** s = static_cast<D**>(src);
        if (dst) {
          *static_cast<D**>(dst) = *s;
        } else {
          delete *s;
        }
      };
    }
  }

  UniqueFunction(UniqueFunction&& o) noexcept : invoke_(o.invoke_), manage_(o.manage_) {
    if (manage_) manage_(buf_, o.buf_);
    o.invoke_ = nullptr;
    o.manage_ = nullptr;
  }
  UniqueFunction& operator=(UniqueFunction&& o) noexcept {
    if (this != &o) {
      reset();
      invoke_ = o.invoke_;
      manage_ = o.manage_;
      if (manage_) manage_(buf_, o.buf_);
      o.invoke_ = nullptr;
      o.manage_ = nullptr;
    }
    return *this;
  }
  UniqueFunction(const UniqueFunction&) = delete;
  UniqueFunction& operator=(const UniqueFunction&) = delete;
  ~UniqueFunction() { reset(); }

  void reset() noexcept {
    if (manage_) manage_(nullptr, buf_);
    invoke_ = nullptr;
    manage_ = nullptr;
  }
  explicit operator bool() const noexcept { return invoke_ != nullptr; }
  R operator()(Args... a) { return invoke_(buf_, std::forward<Args>(a)...); }

 private:
  alignas(void*) unsigned char buf_[kInline];
  R (*invoke_)(void*, Args...) = nullptr;
  void (*manage_)(void* dst, void* src) noexcept = nullptr;
};

}  // namespace simloop::detail
