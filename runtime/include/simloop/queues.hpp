#pragma once
// Queue<T>, PriorityQueue<T, Compare>, LifoQueue<T>: asyncio.queues (CPython
// 3.11.7 queues.py, ported line by line).
//
//   sl::Queue<int> q(/*maxsize=*/2);    // maxsize <= 0: unbounded
//   co_await q.put(1);                  // waits while full
//   int v = co_await q.get();           // waits while empty
//   q.put_nowait(2);                    // throws QueueFull when full
//   q.get_nowait();                     // throws QueueEmpty when empty [S76]
//   q.task_done(); co_await q.join();   // join returns when every item got its task_done [S76]
//
// Getters and putters are FIFO deques of futures. put_nowait wakes the first
// getter not yet woken (popping it), get_nowait the first putter. A get
// cancelled while waiting takes no item, and if it had been woken it wakes
// the next getter instead, so no item is stranded [S76]; a put cancelled
// while waiting adds nothing and passes its wake-up on likewise. A woken
// getter re-checks emptiness (another task may have taken the item first),
// exactly as asyncio's `while self.empty()` loop.
//
// PriorityQueue pops the smallest item under Compare (std::less: lowest
// first) with a port of Python's heapq (same sift algorithm), so even items
// that compare equal come out in the order CPython's heapq would give — which
// is NOT insertion order. Like asyncio, use (priority, sequence) pairs when
// ties must be FIFO.
#include <simloop/coro.hpp>
#include <simloop/detail/sync_base.hpp>
#include <simloop/errors.hpp>
#include <simloop/event.hpp>
#include <simloop/future.hpp>
#include <simloop/task.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace simloop {

namespace detail {

// The three storage policies (Queue._init/_put/_get and the subclasses' overrides).
template <class T>
struct FifoStore {
  std::deque<T> items;
  void put(T v) { items.push_back(std::move(v)); }
  T get() {
    T v = std::move(items.front());
    items.pop_front();
    return v;
  }
};

template <class T>
struct LifoStore {
  std::vector<T> items;
  void put(T v) { items.push_back(std::move(v)); }
  T get() {
    T v = std::move(items.back());
    items.pop_back();
    return v;
  }
};

// heapq.heappush / heappop with heapq's own _siftdown / _siftup, so ties
// break exactly as CPython's do. `less(a, b)` plays Python's `a < b`.
template <class T, class Compare>
struct HeapStore {
  std::vector<T> items;
  Compare less{};

  void put(T v) {
    items.push_back(std::move(v));
    sift_down(0, items.size() - 1);
  }
  T get() {
    T last = std::move(items.back());
    items.pop_back();
    if (items.empty()) return last;
    T top = std::move(items[0]);
    items[0] = std::move(last);
    sift_up(0);
    return top;
  }

 private:
  // heapq._siftdown: move the item at pos up towards startpos.
  void sift_down(std::size_t startpos, std::size_t pos) {
    T newitem = std::move(items[pos]);
    while (pos > startpos) {
      std::size_t parentpos = (pos - 1) >> 1;
      if (less(newitem, items[parentpos])) {
        items[pos] = std::move(items[parentpos]);
        pos = parentpos;
        continue;
      }
      break;
    }
    items[pos] = std::move(newitem);
  }
  // heapq._siftup: bubble the smaller child up to a leaf, then sift down.
  void sift_up(std::size_t pos) {
    const std::size_t endpos = items.size();
    const std::size_t startpos = pos;
    T newitem = std::move(items[pos]);
    std::size_t childpos = 2 * pos + 1;
    while (childpos < endpos) {
      std::size_t rightpos = childpos + 1;
      if (rightpos < endpos && !less(items[childpos], items[rightpos])) childpos = rightpos;
      items[pos] = std::move(items[childpos]);
      pos = childpos;
      childpos = 2 * pos + 1;
    }
    items[pos] = std::move(newitem);
    sift_down(startpos, pos);
  }
};

template <class T, class Store>
class BasicQueue : LoopBound {
 public:
  using value_type = T;

  explicit BasicQueue(std::int64_t maxsize = 0) : maxsize_(maxsize) { finished_.set(); }
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  std::size_t qsize() const noexcept { return store_.items.size(); }
  std::int64_t maxsize() const noexcept { return maxsize_; }
  bool empty() const noexcept { return store_.items.empty(); }
  // Never true for an unbounded queue (maxsize <= 0).
  bool full() const noexcept { return maxsize_ > 0 && static_cast<std::int64_t>(qsize()) >= maxsize_; }

  // Waits while full, then put_nowait(item). Cancelled while waiting: adds nothing.
  Coro<void> put(T item) {
    while (full()) {
      Future<void> putter(bound_loop("Queue"));
      putters_.push_back(putter);
      std::exception_ptr exc;
      try {
        co_await putter;
      } catch (...) {
        exc = std::current_exception();
      }
      if (exc) {
        putter.cancel();  // just in case it is not done yet
        remove_waiter(putters_, putter);  // get_nowait may have popped it already
        // Woken by get_nowait but unable to take the slot: wake the next putter.
        if (!full() && !putter.cancelled()) wakeup_next(putters_);
        std::rethrow_exception(exc);
      }
    }
    put_nowait(std::move(item));
  }

  void put_nowait(T item) {
    if (full()) throw QueueFull();
    store_.put(std::move(item));
    ++unfinished_tasks_;
    finished_.clear();
    wakeup_next(getters_);
  }

  // Waits while empty, then get_nowait(). Cancelled while waiting: takes nothing.
  Coro<T> get() {
    while (empty()) {
      Future<void> getter(bound_loop("Queue"));
      getters_.push_back(getter);
      std::exception_ptr exc;
      try {
        co_await getter;
      } catch (...) {
        exc = std::current_exception();
      }
      if (exc) {
        getter.cancel();
        remove_waiter(getters_, getter);  // put_nowait may have popped it already
        // Woken by put_nowait but unable to take the item: wake the next getter.
        if (!empty() && !getter.cancelled()) wakeup_next(getters_);
        std::rethrow_exception(exc);
      }
    }
    co_return get_nowait();
  }

  T get_nowait() {
    if (empty()) throw QueueEmpty();
    T item = store_.get();
    wakeup_next(putters_);
    return item;
  }

  // One per item got: std::invalid_argument when called more often than items were put [S76].
  void task_done() {
    if (unfinished_tasks_ <= 0) throw std::invalid_argument("task_done() called too many times");
    --unfinished_tasks_;
    if (unfinished_tasks_ == 0) finished_.set();
  }

  // Returns when every item put has had its task_done().
  Coro<void> join() {
    if (unfinished_tasks_ > 0) co_await finished_.wait();
  }

  std::int64_t unfinished_tasks() const noexcept { return unfinished_tasks_; }
  std::size_t getter_count() const noexcept { return getters_.size(); }
  std::size_t putter_count() const noexcept { return putters_.size(); }

 private:
  // Wake the first waiter not cancelled, removing it (and the cancelled ones before it).
  static void wakeup_next(std::deque<Future<void>>& waiters) {
    while (!waiters.empty()) {
      Future<void> w = waiters.front();
      waiters.pop_front();
      if (!w.done()) {
        w.set_result();
        break;
      }
    }
  }

  Store store_;
  std::int64_t maxsize_;
  std::deque<Future<void>> getters_;
  std::deque<Future<void>> putters_;
  std::int64_t unfinished_tasks_ = 0;
  Event finished_;
};

}  // namespace detail

// FIFO queue (asyncio.Queue).
template <class T>
class Queue : public detail::BasicQueue<T, detail::FifoStore<T>> {
 public:
  using detail::BasicQueue<T, detail::FifoStore<T>>::BasicQueue;
};

// Smallest-first queue (asyncio.PriorityQueue); see the tie note above.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public detail::BasicQueue<T, detail::HeapStore<T, Compare>> {
 public:
  using detail::BasicQueue<T, detail::HeapStore<T, Compare>>::BasicQueue;
};

// Last-in first-out queue (asyncio.LifoQueue).
template <class T>
class LifoQueue : public detail::BasicQueue<T, detail::LifoStore<T>> {
 public:
  using detail::BasicQueue<T, detail::LifoStore<T>>::BasicQueue;
};

}  // namespace simloop
