#pragma once
// Bug 6, wait misuse: a search fans out to three backends and answers with
// whatever is back after a timeout — but never cancels the backends still
// running, and they append their hits to the session later, into the next
// search's results. See README.md.
#include <fmt/format.h>

#include <simloop/wait.hpp>
#include <string>
#include <vector>

#include "../gallery.hpp"

namespace bugs::wait_leftovers {

struct Hit {
  std::string query;
  int backend;
};

struct Session {
  std::vector<Hit> results;  // what the page shows for the current query
};

// A backend answers after its latency and appends its hit to the session.
inline simloop::Coro<void> ask_backend(Session& session, std::string query, int backend) {
  co_await remote_call(std::chrono::milliseconds(10 * (backend + 1)));  // 10, 20, 30 ms
  session.results.push_back({std::move(query), backend});
}

// search(): show the results for `query` within 50 ms; returns how many hits
// the page shows.
using SearchFn = simloop::Coro<std::size_t> (*)(Session& session, std::string query);

// The test: a user searches "cats", then "dogs" 20 ms after the first answer, then reads the
// page for 200 ms. At nominal latency all backends answer within 30 ms.
// Property: the page shows exactly the "dogs" hits search() returned.
inline simloop::Coro<void> run_searches(SearchFn search) {
  using namespace std::chrono_literals;
  namespace sl = simloop;
  Session session;
  co_await search(session, "cats");
  co_await sl::sleep(20ms);
  std::size_t shown = co_await search(session, "dogs");
  co_await sl::sleep(200ms);  // the user reads the page
  std::size_t stale = 0;
  for (auto& h : session.results) stale += h.query != "dogs";
  expect(stale == 0 && session.results.size() == shown,
         fmt::format("late writes: the \"dogs\" page shows {} hits ({} of them for \"cats\"), search() answered "
                     "with {}: backends left running after the timeout kept appending",
                     session.results.size(), stale, shown));
}

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::wait_leftovers
