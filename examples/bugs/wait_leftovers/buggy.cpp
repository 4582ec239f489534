// Bug 6, wait misuse — the buggy search.
#include "search.hpp"

namespace sl = simloop;
using namespace std::chrono_literals;

namespace bugs::wait_leftovers::buggy {

namespace {
sl::Coro<std::size_t> search(Session& session, std::string query) {
  session.results.clear();
  std::vector<sl::Task<void>> backends;
  for (int b = 0; b < 3; ++b)
    backends.push_back(sl::create_task(ask_backend(session, query, b), query + "/backend-" + std::to_string(b)));
  // A timeout returns what is done and cancels nothing [S51]: the pending
  // backends keep running and write to the session later.
  co_await sl::wait(backends, {.timeout = 50ms});
  co_return session.results.size();
}
}  // namespace

sl::Coro<void> test() { return run_searches(&search); }

}  // namespace bugs::wait_leftovers::buggy
