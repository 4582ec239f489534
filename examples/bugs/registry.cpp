// The gallery's table: README.md tells each bug's story in this order.
#include "cache/cache.hpp"
#include "gallery.hpp"
#include "lock_order/accounts.hpp"
#include "lost_update/bank.hpp"
#include "queue_loss/jobs.hpp"

namespace bugs {

const std::vector<Bug>& gallery() {
  static const std::vector<Bug> all{
      {"lost_update", "a transfer writes back a balance it read before an await", &lost_update::buggy::test,
       &lost_update::fixed::test, 50},
      {"cache", "check-then-act cache: duplicate fetches and a stale overwrite", &cache::buggy::test,
       &cache::fixed::test, 50},
      {"lock_order", "two transfers lock two accounts in opposite orders: deadlock", &lock_order::buggy::test,
       &lock_order::fixed::test, 50},
      {"queue_loss", "a worker cancelled while handling a job loses it", &queue_loss::buggy::test,
       &queue_loss::fixed::test, 50},
  };
  return all;
}

}  // namespace bugs
