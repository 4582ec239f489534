#pragma once
// DistinctFutures: the duplicate check of wait and as_completed (CPython's
// set(fs)), with each future's scratch bit (FutureBase::test_and_set_seen),
// as gather(range) does. The bits it set are cleared when it goes out of
// scope, on every path (a later argument may throw). It keeps one pointer per
// distinct future, where a hash set of them took 2-4 (and hashed addresses).
// One pass at a time per future: the check is synchronous, nothing runs
// between insert and the destructor that could start another on the same
// future (creating a task only queues its first step).
#include <simloop/detail/future_base.hpp>

#include <cstddef>
#include <vector>

namespace simloop::detail {

class DistinctFutures {
 public:
  explicit DistinctFutures(std::size_t n) { marked_.reserve(n); }
  DistinctFutures(const DistinctFutures&) = delete;
  DistinctFutures& operator=(const DistinctFutures&) = delete;
  ~DistinctFutures() {
    for (FutureBase* f : marked_) f->clear_seen();
  }
  // True the first time f is seen by this check.
  bool insert(FutureBase* f) {
    if (f->test_and_set_seen()) return false;
    marked_.push_back(f);  // reserved: no throw between the mark and here
    return true;
  }

 private:
  std::vector<FutureBase*> marked_;
};

}  // namespace simloop::detail
