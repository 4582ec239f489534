// Bug 5, gather without return_exceptions — the buggy order handler.
#include "shop.hpp"

namespace sl = simloop;

namespace bugs::gather_orphan::buggy {

namespace {
sl::Coro<void> place_order(Shop& shop, Order order) {
  try {
    // The first exception propagates at once; the other child is NOT
    // cancelled and keeps running [S45].
    co_await sl::gather(reserve_stock(shop, order), charge_card(shop, order));
    shop.confirmed.push_back(order.id);
  } catch (const CardDeclined&) {
    roll_back(shop, order.id);  // undoes only what has landed so far
    shop.declined.push_back(order.id);
  }
}
}  // namespace

sl::Coro<void> test() { return run_orders(&place_order); }

}  // namespace bugs::gather_orphan::buggy
