// Bug 1, lost update — fixed: read, check and write with no await in between.
#include "bank.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::lost_update::fixed {

namespace {
sl::Coro<void> transfer(Bank& bank, std::string from, std::string to, int amount) {
  co_await remote_call(10ms);          // await the fraud check first ...
  int& balance = bank.balances[from];  // ... then read, check and write in one step: no other task runs between
  if (balance < amount) throw Violation("insufficient funds in " + from);
  balance -= amount;
  bank.balances[to] += amount;
}
}  // namespace

sl::Coro<void> test() { return run_transfers(&transfer); }

}  // namespace bugs::lost_update::fixed
