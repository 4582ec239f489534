#pragma once
// FutureSet: the duplicate check of gather, wait and as_completed (CPython's
// arg_to_fut dict / set(fs)): open addressing on the pointer, sized once, so
// checking n arguments is O(n) with one allocation (a linear search made
// these combinators quadratic in their argument count). Only membership is
// asked, never iteration order, so hashing addresses is deterministic.
#include <simloop/detail/future_base.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace simloop::detail {

class FutureSet {
 public:
  explicit FutureSet(std::size_t n) {
    std::size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    slots_.assign(cap, nullptr);
    mask_ = cap - 1;
  }
  // True if f was not in the set (and adds it).
  bool insert(const FutureBase* f) {
    std::size_t i = (reinterpret_cast<std::uintptr_t>(f) >> 4) * 0x9e3779b97f4a7c15ULL >> 7 & mask_;
    while (slots_[i]) {
      if (slots_[i] == f) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = f;
    return true;
  }

 private:
  std::vector<const FutureBase*> slots_;
  std::size_t mask_ = 0;
};

}  // namespace simloop::detail
