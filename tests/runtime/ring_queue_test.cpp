// The loop's ready queue (detail/ring_queue.hpp): FIFO order across growth
// and wrap-around, positional take for ready-order exploration, and every
// item destroyed exactly once (they hold references to tasks and futures).
#include <catch2/catch.hpp>
#include <simloop/detail/ring_queue.hpp>

#include <deque>
#include <memory>
#include <vector>

using simloop::detail::RingQueue;

namespace {
// Move-only, counts live instances: a leak or a double destroy shows.
struct Item {
  static inline int live = 0;
  std::unique_ptr<int> v;
  explicit Item(int x) : v(std::make_unique<int>(x)) { ++live; }
  Item(Item&& o) noexcept : v(std::move(o.v)) { ++live; }
  Item& operator=(Item&& o) noexcept {
    v = std::move(o.v);
    return *this;
  }
  ~Item() { --live; }
};
}  // namespace

TEST_CASE("RingQueue is a FIFO across growth and wrap-around", "[loop][ready]") {
  RingQueue<Item> q;
  std::deque<int> model;
  int next = 0;
  // Interleave pushes and pops so the head walks around the ring while it
  // grows from 64 to 512 slots.
  for (int round = 0; round < 40; ++round) {
    for (int k = 0; k < round % 7 + 10; ++k) {
      q.push_back(Item(next));
      model.push_back(next++);
    }
    for (int k = 0; k < round % 5 + 3 && !model.empty(); ++k) {
      REQUIRE(*q.take_front().v == model.front());
      model.pop_front();
    }
    REQUIRE(q.size() == model.size());
    for (std::size_t i = 0; i < model.size(); ++i) REQUIRE(*q[i].v == model[i]);
  }
  while (!model.empty()) {
    REQUIRE(*q.take_front().v == model.front());
    model.pop_front();
  }
  CHECK(q.empty());
  CHECK(Item::live == 0);
}

TEST_CASE("RingQueue::take(i) removes one item and keeps the order of the rest", "[loop][ready]") {
  RingQueue<Item> q;
  std::vector<int> model;
  for (int i = 0; i < 100; ++i) {  // wrap the head first
    q.push_back(Item(-1));
    (void)q.take_front();
  }
  for (int i = 0; i < 50; ++i) {
    q.push_back(Item(i));
    model.push_back(i);
  }
  for (std::size_t pick : {0u, 48u, 17u, 3u, 30u}) {  // 48: the last of 49
    REQUIRE(*q.take(pick).v == model[pick]);
    model.erase(model.begin() + static_cast<std::ptrdiff_t>(pick));
    REQUIRE(q.size() == model.size());
    for (std::size_t i = 0; i < model.size(); ++i) REQUIRE(*q[i].v == model[i]);
  }
  CHECK(Item::live == static_cast<int>(model.size()));
}

TEST_CASE("RingQueue destroys what it still holds on clear and destruction", "[loop][ready]") {
  {
    RingQueue<Item> q;
    for (int i = 0; i < 70; ++i) q.push_back(Item(i));  // past the first growth
    (void)q.take_front();
    CHECK(Item::live == 69);
    q.clear();
    CHECK(Item::live == 0);
    CHECK(q.empty());
    for (int i = 0; i < 5; ++i) q.push_back(Item(i));
    CHECK(*q[0].v == 0);
  }
  CHECK(Item::live == 0);
}

TEST_CASE("RingQueue hands its buffer to the next queue on the thread", "[loop][ready]") {
  // A simulation's next run (explore, a benchmark's next repetition) starts
  // with the buffer the last one grew to, instead of growing and faulting in
  // fresh pages again.
  const Item* first = nullptr;
  {
    RingQueue<Item> a;
    for (int i = 0; i < 300; ++i) a.push_back(Item(i));  // grows to 512 slots
    first = &a[0];                                       // head at 0: the buffer's start
  }
  RingQueue<Item> b;
  b.push_back(Item(7));
  CHECK(&b[0] == first);
  for (int i = 0; i < 400; ++i) b.push_back(Item(i));  // fits: no growth, same buffer
  CHECK(&b[0] == first);
  CHECK(*b.take_front().v == 7);
}
