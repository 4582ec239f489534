// Bug 3, lock-order deadlock — fixed: every transfer takes the two locks in
// one global order (by account name), whichever way the money goes.
#include "accounts.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::lock_order::fixed {

namespace {
sl::Coro<void> transfer(Accounts& accounts, std::string from, std::string to, int amount) {
  Account& src = accounts.at(from);
  Account& dst = accounts.at(to);
  Account& first = from < to ? src : dst;
  Account& second = from < to ? dst : src;
  auto first_guard = co_await first.lock.scoped();
  co_await remote_call(10ms);
  auto second_guard = co_await second.lock.scoped();
  src.balance -= amount;
  dst.balance += amount;
}
}  // namespace

sl::Coro<void> test() { return run_opposite_transfers(&transfer); }

}  // namespace bugs::lock_order::fixed
