// The gallery's table, in README.md's order. The claims are what README.md
// states and tests/bugs checks; `simloop_hunt --measure` prints the numbers
// they come from.
#include "cache/cache.hpp"
#include "gallery.hpp"
#include "gather_orphan/shop.hpp"
#include "lock_order/accounts.hpp"
#include "lost_update/bank.hpp"
#include "queue_loss/jobs.hpp"
#include "timeout_leak/pool.hpp"
#include "wait_leftovers/search.hpp"

namespace bugs {

using simloop::sim::Strategy;

const std::vector<Bug>& gallery() {
  static const std::vector<Bug> all{
      {"lost_update",
       "a transfer writes back a balance it read before an await",
       &lost_update::buggy::test,
       &lost_update::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 3}}},
      {"cache",
       "check-then-act cache: duplicate fetches and a stale overwrite",
       &cache::buggy::test,
       &cache::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 3}}},
      {"lock_order",
       "two transfers lock two accounts in opposite orders: deadlock",
       &lock_order::buggy::test,
       &lock_order::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 3}}},
      {"timeout_leak",
       "wait_for times out just as the pool hands over a connection: leaked",
       &timeout_leak::buggy::test,
       &timeout_leak::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 2}}},
      {"gather_orphan",
       "gather raises on the first error; a sibling writes after the rollback",
       &gather_orphan::buggy::test,
       &gather_orphan::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 3}}},
      {"wait_leftovers",
       "wait() times out; backends never cancelled write into the next search",
       &wait_leftovers::buggy::test,
       &wait_leftovers::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 2}}},
      {"queue_loss",
       "a worker cancelled while handling a job loses it",
       &queue_loss::buggy::test,
       &queue_loss::fixed::test,
       {{Strategy::random, 100}, {Strategy::pct, 100}, {Strategy::dfs, 9}}},
  };
  return all;
}

}  // namespace bugs
