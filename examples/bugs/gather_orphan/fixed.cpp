// Bug 5, gather without return_exceptions — fixed: gather with
// return_exceptions waits for both children, so the handler decides (and
// rolls back) only once nothing is in flight any more.
#include "shop.hpp"

namespace sl = simloop;

namespace bugs::gather_orphan::fixed {

namespace {
sl::Coro<void> place_order(Shop& shop, Order order) {
  auto [reserved, charged] =
      co_await sl::gather(sl::return_exceptions, reserve_stock(shop, order), charge_card(shop, order));
  if (reserved.has_value() && charged.has_value()) {
    shop.confirmed.push_back(order.id);
  } else {
    roll_back(shop, order.id);  // both children have finished: nothing lands after this
    shop.declined.push_back(order.id);
  }
}
}  // namespace

sl::Coro<void> test() { return run_orders(&place_order); }

}  // namespace bugs::gather_orphan::fixed
