#pragma once
// RadixHeap: the loop's timer queue, a monotone priority queue.
//
// Why not a comparison heap: virtual time never goes backwards, so a timer
// is almost never pushed below the last one popped. A radix heap uses that:
// keys are read as 32 hexadecimal digits, and an entry sits in the bucket
// named by the highest digit position in which its key differs from the last
// minimum and by its own digit there (16 buckets per position, 513 in all;
// bucket 0 holds keys equal to the last minimum). Bucket order is key order.
// A push is an append and a pop is a pop from bucket 0, except when bucket 0
// is empty: then the lowest non-empty bucket is scanned for its minimum and
// its entries are spread over the buckets below. Every access is sequential.
// With 10^6 timers (bench W3) a 4-ary heap's pop walked ~10 levels of a
// 16 MB array, each a cache miss (bench/README.md has the side-by-side
// numbers). Digits of 4 bits, not single bits: an entry moves once per digit
// that still separates it from its neighbours, ~log16(n) times, not ~log2(n).
//
// Keys are 128 bits (KeyOf::hi, KeyOf::lo), compared as (hi, lo); the loop
// uses (deadline, registration number), which is unique, so bucket 0 holds
// exactly the minimum after a spread. An entry pushed below the last minimum
// (call_at with a deadline already past, after a later timer was looked at)
// goes to a small 4-ary heap beside the buckets: it is below every bucketed
// key, so it pops first. Order is total either way.
//
// Entries must be trivially copyable (they are moved with plain copies).
#include <simloop/detail/quad_heap.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace simloop::detail {

template <class Entry, class KeyOf>
class RadixHeap {
  static_assert(std::is_trivially_copyable_v<Entry>, "RadixHeap moves entries with plain copies");
  static constexpr int kDigitBits = 4;
  static constexpr int kDigitValues = 1 << kDigitBits;
  static constexpr int kPositions = 128 / kDigitBits;  // 0..15 in lo, 16..31 in hi
  // 0: equal to the last minimum; then (position, digit) in key order.
  static constexpr int kBuckets = 1 + kPositions * kDigitValues;
  static constexpr int kWords = (kBuckets + 63) / 64;

 public:
  RadixHeap() = default;
  RadixHeap(const RadixHeap&) = delete;
  RadixHeap& operator=(const RadixHeap&) = delete;

  std::size_t size() const noexcept { return bucketed_ + early_.size(); }
  bool empty() const noexcept { return size() == 0; }

  // The minimum; the heap must not be empty. Not const: it may spread a
  // bucket (the work a pop would do next anyway).
  const Entry& top() noexcept {
    if (!early_.empty()) return early_.top();
    settle();
    return b0_.back();
  }

  void push(const Entry& e) {
    const std::uint64_t hi = KeyOf::hi(e), lo = KeyOf::lo(e);
    if (hi < last_hi_ || (hi == last_hi_ && lo < last_lo_)) {
      early_.push(e);  // below the last minimum: rare (see above)
      return;
    }
    put(bucket_of(hi, lo), e);
    ++bucketed_;
  }

  Entry pop() noexcept {
    if (!early_.empty()) return early_.pop();
    settle();
    auto& b0 = b0_;
    Entry e = b0.back();
    b0.pop_back();
    if (b0.empty()) mark_empty(0);
    --bucketed_;
    return e;
  }

  // Forget every entry (the caller released what they own first); keep the
  // buckets' storage for the next run.
  void clear() noexcept {
    for_each_occupied([](int, std::vector<Entry>& b) { b.clear(); });
    for (auto& w : occupied_) w = 0;
    bucketed_ = 0;
    last_hi_ = last_lo_ = 0;
    early_.clear();
  }

  // Every entry, in no particular order: for teardown and inspection.
  template <class Fn>
  void for_each(Fn fn) {
    for_each_occupied([&fn](int, std::vector<Entry>& b) {
      for (const Entry& e : b) fn(e);
    });
    for (const Entry& e : early_) fn(e);
  }

  // Drops every entry for which `drop(entry)` is true (it may release what
  // the entry owns). Buckets need no reordering.
  template <class Drop>
  void remove_if(Drop drop) {
    bucketed_ = 0;
    for_each_occupied([&](int i, std::vector<Entry>& b) {
      std::size_t kept = 0;
      for (std::size_t r = 0; r < b.size(); ++r)
        if (!drop(b[r])) b[kept++] = b[r];
      b.resize(kept);
      if (kept == 0) mark_empty(i);
      bucketed_ += kept;
    });
    early_.remove_if(drop);
  }

 private:
  struct Before {
    bool operator()(const Entry& a, const Entry& b) const noexcept {
      const std::uint64_t ah = KeyOf::hi(a), bh = KeyOf::hi(b);
      return ah != bh ? ah < bh : KeyOf::lo(a) < KeyOf::lo(b);
    }
  };

  // The entry differs from the last minimum first at digit position p (in
  // its word); its digit there is above the minimum's (it is not below the
  // minimum and agrees with it above p).
  int bucket_of(std::uint64_t hi, std::uint64_t lo) const noexcept {
    if (std::uint64_t d = hi ^ last_hi_) return in_word(hi, d, kPositions / 2);
    if (std::uint64_t d = lo ^ last_lo_) return in_word(lo, d, 0);
    return 0;
  }
  static int in_word(std::uint64_t key, std::uint64_t diff, int first_position) noexcept {
    const int p = (63 - std::countl_zero(diff)) / kDigitBits;
    const int digit = static_cast<int>((key >> (p * kDigitBits)) & (kDigitValues - 1));
    return 1 + (first_position + p) * kDigitValues + digit;
  }
  void put(int i, const Entry& e) {
    if (i != 0 && !positions_[(i - 1) / kDigitValues])  // the first entry at this position
      positions_[(i - 1) / kDigitValues] = std::make_unique<std::vector<Entry>[]>(kDigitValues);
    bucket(i).push_back(e);
    occupied_[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  // Makes bucket 0 hold the minimum: if it is empty, the lowest non-empty
  // bucket's minimum becomes the new reference key and that bucket's
  // entries move to lower positions (they agree with it down to their
  // bucket's position). Entries of higher buckets stay where they are: they
  // differ from the new minimum where they differed from the old one. So an
  // entry moves at most 32 times: once or twice when timers are set near
  // the current time, about log16(n) when n timers are all set before any
  // expires (bench W3, where this is an MSD radix sort).
  void settle() {
    if (occupied_[0] & 1) return;
    int i = lowest_occupied();
    auto& from = bucket(i);
    const Entry* m = &from[0];
    for (const Entry& e : from)
      if (Before{}(e, *m)) m = &e;
    last_hi_ = KeyOf::hi(*m);
    last_lo_ = KeyOf::lo(*m);
    for (const Entry& e : from) put(bucket_of(KeyOf::hi(e), KeyOf::lo(e)), e);  // all land below i
    from.clear();
    mark_empty(i);
  }
  // Only the non-empty buckets: a loop's teardown must not cost 129 visits
  // (bench X1 makes and drops a loop per run).
  template <class Fn>
  // fn(index, bucket); it may empty the bucket and mark_empty(index).
  void for_each_occupied(Fn fn) {
    for (int w = 0; w < kWords; ++w)
      for (std::uint64_t bits = occupied_[w]; bits != 0; bits &= bits - 1) {
        const int i = w * 64 + std::countr_zero(bits);
        fn(i, bucket(i));
      }
  }
  void mark_empty(int i) noexcept { occupied_[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
  int lowest_occupied() const noexcept {
    for (int w = 0; w < kWords; ++w)
      if (occupied_[w]) return w * 64 + std::countr_zero(occupied_[w]);
    return kBuckets;  // unreachable: callers check for entries first
  }

  // Bucket i > 0 is positions_[(i - 1) / 16][(i - 1) % 16]; only occupied
  // buckets are ever looked up. A position's 16 buckets are allocated with
  // its first entry, so a loop pays for the positions its timers use (a run
  // with a few timers near now: one or two, 384 bytes each), not for 513
  // buckets: explore makes a loop per run.
  std::vector<Entry>& bucket(int i) noexcept {
    return i == 0 ? b0_ : positions_[(i - 1) / kDigitValues][(i - 1) % kDigitValues];
  }
  std::vector<Entry> b0_;
  std::unique_ptr<std::vector<Entry>[]> positions_[kPositions];
  std::uint64_t occupied_[kWords] = {};  // bit i: bucket(i) is not empty
  std::size_t bucketed_ = 0;
  std::uint64_t last_hi_ = 0, last_lo_ = 0;  // the key bucket 0 holds (the last minimum)
  QuadHeap<Entry, Before> early_;            // entries pushed below the last minimum
};

}  // namespace simloop::detail
