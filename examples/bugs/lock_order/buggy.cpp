// Bug 3, lock-order deadlock — the buggy transfer.
#include "accounts.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::lock_order::buggy {

namespace {
sl::Coro<void> transfer(Accounts& accounts, std::string from, std::string to, int amount) {
  Account& src = accounts.at(from);
  Account& dst = accounts.at(to);
  auto src_guard = co_await src.lock.scoped();  // source first ...
  co_await remote_call(10ms);                   // ... audit the debit ...
  auto dst_guard = co_await dst.lock.scoped();  // ... then the destination: an opposite transfer locks the other way
  src.balance -= amount;
  dst.balance += amount;
}
}  // namespace

sl::Coro<void> test() { return run_opposite_transfers(&transfer); }

}  // namespace bugs::lock_order::buggy
