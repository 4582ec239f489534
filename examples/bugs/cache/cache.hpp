#pragma once
// Bug 2, check-then-act: a read-through cache checks for a key, awaits the
// database fetch, then inserts — duplicate fetches and a stale overwrite.
// See README.md.
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "../gallery.hpp"

namespace bugs::cache {

// The database behind the cache: a fetch reads the row when the query starts
// and answers after a remote call, as a snapshot read does.
struct Db {
  std::map<std::string, int> rows;
  std::map<std::string, int> queries;  // fetches per key
};

inline simloop::Coro<int> fetch(Db& db, std::string key) {
  int value = db.rows.at(key);
  ++db.queries[key];
  co_await remote_call(std::chrono::milliseconds(10));
  co_return value;
}

// The test, for either Cache (buggy.cpp / fixed.cpp): readers arrive at 0,
// 15 and 60 ms; a writer changes the price at 20 ms (database write 5 ms, then
// a write-through to the cache). At nominal latency the first fetch is back
// at 10 ms, before anyone else asks. Properties: the price is fetched once
// (the 15 ms reader hits the cache) and the reader at 60 ms sees the new price.
template <class Cache>
simloop::Coro<void> run_readers_and_writer() {
  using namespace std::chrono_literals;
  namespace sl = simloop;
  Db db{{{"price", 20}}, {}};
  Cache cache(db);
  std::vector<int> seen(3, 0);
  auto reader = [&](int i, sl::Duration arrival) {
    return sl::create_task(
        [&, i, arrival]() -> sl::Coro<void> {
          co_await sl::sleep(arrival);
          seen[i] = co_await cache.get("price");
        },
        fmt::format("reader@{}ms", arrival / 1ms));
  };
  auto r0 = reader(0, 0ms);
  auto r1 = reader(1, 15ms);
  auto writer = sl::create_task(
      [&]() -> sl::Coro<void> {
        co_await sl::sleep(20ms);
        co_await remote_call(5ms);  // the database write
        db.rows["price"] = 30;
        cache.put("price", 30);  // write-through
      },
      "writer@20ms");
  auto r2 = reader(2, 60ms);
  co_await r0;
  co_await r1;
  co_await writer;
  co_await r2;
  expect(seen[2] == 30, fmt::format("stale overwrite: the reader at 60ms got price {}, the database has 30 "
                                    "(an older fetch wrote its result over the writer's)",
                                    seen[2]));
  expect(db.queries["price"] == 1,
         fmt::format("duplicate fetch: the price was fetched {} times, expected once", db.queries["price"]));
}

namespace buggy {
simloop::Coro<void> test();
}
namespace fixed {
simloop::Coro<void> test();
}

}  // namespace bugs::cache
