#include <fmt/format.h>

#include <vector>

#include "bank.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::lost_update {

namespace {
sl::Coro<void> client(Bank& bank, TransferFn transfer, sl::Duration arrival, std::string from, std::string to,
                      int amount) {
  co_await sl::sleep(arrival);
  co_await transfer(bank, std::move(from), std::move(to), amount);
}
}  // namespace

sl::Coro<void> run_transfers(TransferFn transfer) {
  Bank bank{{{"alice", 100}, {"bob", 50}, {"carol", 0}}};
  std::vector<sl::Task<void>> clients;
  clients.push_back(sl::create_task(client(bank, transfer, 0ms, "alice", "bob", 30), "alice->bob"));
  clients.push_back(sl::create_task(client(bank, transfer, 15ms, "alice", "carol", 20), "alice->carol"));
  clients.push_back(sl::create_task(client(bank, transfer, 30ms, "bob", "alice", 10), "bob->alice"));
  clients.push_back(sl::create_task(client(bank, transfer, 45ms, "bob", "carol", 5), "bob->carol"));
  for (auto& c : clients) co_await c;

  const std::map<std::string, int> expected{{"alice", 60}, {"bob", 65}, {"carol", 25}};
  int total = 0;
  for (auto& [name, balance] : bank.balances) total += balance;
  expect(bank.balances == expected,
         fmt::format("lost update: balances alice={} bob={} carol={} (total {}), expected alice=60 bob=65 carol=25 "
                     "(total 150)",
                     bank.balances["alice"], bank.balances["bob"], bank.balances["carol"], total));
}

}  // namespace bugs::lost_update
