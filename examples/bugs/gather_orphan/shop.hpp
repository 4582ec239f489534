#pragma once
// Bug 5, gather without return_exceptions: an order reserves stock and charges
// the card concurrently; when the charge fails, gather raises at once, the
// handler rolls back the reservation it sees — and the reservation still in
// flight lands afterwards, never rolled back. See README.md.
#include <fmt/format.h>

#include <map>
#include <simloop/gather.hpp>
#include <stdexcept>
#include <vector>

#include "../gallery.hpp"

namespace bugs::gather_orphan {

struct Order {
  int id;
  int units;
  bool card_ok;
};

class CardDeclined : public std::runtime_error {
 public:
  CardDeclined() : std::runtime_error("card declined") {}
};

struct Shop {
  int stock = 10;
  std::map<int, int> reserved;  // order id -> units held for it
  std::vector<int> confirmed;
  std::vector<int> declined;
};

// The inventory service holds the units (10 ms).
inline simloop::Coro<int> reserve_stock(Shop& shop, Order order) {
  co_await remote_call(std::chrono::milliseconds(10));
  shop.stock -= order.units;
  shop.reserved[order.id] = order.units;
  co_return order.units;
}

// The payment provider answers (20 ms).
inline simloop::Coro<int> charge_card(Shop& /*shop*/, Order order) {
  co_await remote_call(std::chrono::milliseconds(20));
  if (!order.card_ok) throw CardDeclined();
  co_return 1000 + order.id;  // the receipt
}

// Undo a reservation, if there is one.
inline void roll_back(Shop& shop, int order_id) {
  if (auto it = shop.reserved.find(order_id); it != shop.reserved.end()) {
    shop.stock += it->second;
    shop.reserved.erase(it);
  }
}

using PlaceOrderFn = simloop::Coro<void> (*)(Shop& shop, Order order);

// The test: order 1 (3 units, card ok) at 0 ms, order 2 (4 units, card
// declined) at 50 ms; the shop keeps running for 200 ms. At nominal latency
// the reservation (10 ms) is in before the payment answers (20 ms).
// Property: stock and reservations account for the confirmed order only.
inline simloop::Coro<void> run_orders(PlaceOrderFn place_order) {
  using namespace std::chrono_literals;
  namespace sl = simloop;
  Shop shop;
  auto o1 = sl::create_task(place_order(shop, {1, 3, true}), "order-1");
  auto o2 = sl::create_task(
      [&]() -> sl::Coro<void> {
        co_await sl::sleep(50ms);
        co_await place_order(shop, {2, 4, false});
      },
      "order-2");
  co_await o1;
  co_await o2;
  co_await sl::sleep(200ms);  // the shop keeps running
  expect(shop.confirmed == std::vector<int>{1} && shop.declined == std::vector<int>{2},
         "orders: expected 1 confirmed and 2 declined");
  expect(shop.stock == 7 && shop.reserved.size() == 1,
         fmt::format("orphan write: stock is {} with {} reservations after order 2 was declined and rolled back, "
                     "expected 7 with 1 (its reservation landed after the rollback)",
                     shop.stock, shop.reserved.size()));
}

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::gather_orphan
