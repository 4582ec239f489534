// Bug 6, wait misuse — fixed: cancel the backends still pending at the
// timeout, and wait until they have stopped, before answering.
#include "search.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::wait_leftovers::fixed {

namespace {
sl::Coro<std::size_t> search(Session& session, std::string query) {
  session.results.clear();
  std::vector<sl::Task<void>> backends;
  for (int b = 0; b < 3; ++b)
    backends.push_back(sl::create_task(ask_backend(session, query, b), query + "/backend-" + std::to_string(b)));
  auto [done, pending] = co_await sl::wait(backends, {.timeout = 50ms});
  for (auto& t : pending) t.cancel();
  if (!pending.empty()) co_await sl::wait(pending);  // until they have really stopped
  co_return session.results.size();
}
}  // namespace

sl::Coro<void> test() { return run_searches(&search); }

}  // namespace bugs::wait_leftovers::fixed
