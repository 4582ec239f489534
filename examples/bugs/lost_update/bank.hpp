#pragma once
// Bug 1, lost update: a transfer reads a balance, awaits a fraud check (a
// remote call), then writes back the balance it read. See README.md.
#include <map>
#include <string>

#include "../gallery.hpp"

namespace bugs::lost_update {

struct Bank {
  std::map<std::string, int> balances;
};

// One version of the transfer (buggy.cpp / fixed.cpp).
using TransferFn = simloop::Coro<void> (*)(Bank& bank, std::string from, std::string to, int amount);

// The test: four clients send one transfer each, 15 ms apart; a fraud check
// takes 10 ms, so at nominal latency the transfers never overlap. Property:
// money is conserved and every balance is what the four transfers make it.
simloop::Coro<void> run_transfers(TransferFn transfer);

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::lost_update
