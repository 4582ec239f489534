// Bug 1, lost update — the buggy transfer.
#include "bank.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::lost_update::buggy {

namespace {
sl::Coro<void> transfer(Bank& bank, std::string from, std::string to, int amount) {
  int balance = bank.balances[from];  // read ...
  co_await remote_call(10ms);         // ... await the fraud check: other transfers run meanwhile ...
  if (balance < amount) throw Violation("insufficient funds in " + from);
  bank.balances[from] = balance - amount;  // ... and write back what was read: their updates are lost
  bank.balances[to] += amount;
}
}  // namespace

sl::Coro<void> test() { return run_transfers(&transfer); }

}  // namespace bugs::lost_update::buggy
