// The race-bug gallery's claims, as README.md (examples/bugs/) states them:
//   - a plain test passes: the buggy version passes under fifo (asyncio's own
//     order, what a test on a real loop sees);
//   - each strategy README.md names finds the buggy version within the runs
//     it claims (sim::explore from seed 0, deterministic);
//   - the printed token replays the same failure with the same trace hash;
//   - the fixed version survives 10x that many runs of the same strategy.
// The real-clock check ([.real], hidden: it takes real time and a loaded
// machine could stall a 5 ms margin) runs each buggy version on simloop::run.
#include "gallery.hpp"

#include <catch2/catch.hpp>
#include <simloop/sim/explore.hpp>
#include <string>

namespace sl = simloop;
namespace sim = simloop::sim;

namespace {
const bugs::Bug& bug(const std::string& id) {
  for (auto& b : bugs::gallery())
    if (id == b.id) return b;
  FAIL("no bug " << id);
  throw std::logic_error("unreachable");
}

// Every claim of one bug: found within budget, replayed, fix survives 10x.
void check_claims(const bugs::Bug& b) {
  REQUIRE(!b.claims.empty());
  CHECK(b.claims.front().strategy == sim::Strategy::random);  // the hunt's default
  for (const bugs::Claim& c : b.claims) {
    INFO(b.id << " under " << sim::to_string(c.strategy) << ", claimed within " << c.runs_max << " runs");
    sim::ExploreReport found = sim::explore(b.buggy, {.runs = c.runs_max, .strategy = c.strategy, .trace_tail = 0});
    REQUIRE(found.failure);
    const sim::Failure& f = *found.failure;
    CHECK(f.runs <= c.runs_max);
    CHECK(f.kind == (std::string(b.id) == "lock_order" ? sim::FailureKind::deadlock : sim::FailureKind::exception));
    CHECK(f.reproduced);

    sim::ReplayReport again = sim::replay(b.buggy, f.token);
    REQUIRE(again.failure);
    CHECK(again.failure->message == f.message);
    CHECK(again.same_hash);
    CHECK(again.trace_hash == f.trace_hash);

    // The fix survives 10x the budget; under dfs it must survive every
    // schedule there is (the space is small: README.md gives its size).
    bool dfs = c.strategy == sim::Strategy::dfs;
    sim::ExploreReport fixed = sim::explore(
        b.fixed, {.runs = dfs ? std::uint64_t{100'000} : 10 * c.runs_max, .strategy = c.strategy, .trace_tail = 0});
    INFO("fixed version: " << (fixed.failure ? fixed.failure->to_string() : std::string("passed")));
    CHECK(!fixed.failure);
    if (dfs) {
      CHECK(fixed.exhausted);
    } else {
      CHECK(fixed.runs == 10 * c.runs_max);
    }
  }
}
}  // namespace

TEST_CASE("gallery: every buggy version passes a plain fifo run, and so does its fix", "[bugs]") {
  REQUIRE(bugs::gallery().size() >= 7);
  for (auto& b : bugs::gallery()) {
    INFO(b.id);
    sim::RunReport buggy = sim::try_run(b.buggy, {.quiet = true});
    INFO((buggy.failure ? buggy.failure->message : std::string()));
    CHECK(!buggy.failure);
    CHECK(!sim::try_run(b.fixed, {.quiet = true}).failure);
  }
}

TEST_CASE("gallery: the buggy version fails on the seed the hunt prints, and replays from its token", "[bugs]") {
  // The same program under a different schedule fails: the bug is in the
  // interleaving, not in the scenario.
  for (auto& b : bugs::gallery()) {
    INFO(b.id);
    sim::ExploreOptions options{.runs = b.claims.front().runs_max, .trace_tail = 0};
    sim::ExploreReport r = sim::explore(b.buggy, options);
    REQUIRE(r.failure);
    sim::RunOptions run = options.run_options(r.failure->runs - 1);
    run.quiet = true;
    CHECK(run.seed == r.failure->seed);
    sim::RunReport one = sim::try_run(b.buggy, run);
    REQUIRE(one.failure);
    CHECK(one.trace_hash == r.failure->trace_hash);
    CHECK(one.token == r.failure->token);
  }
}

TEST_CASE("bug 1, lost update: found, replayed, fix survives 10x", "[bugs]") { check_claims(bug("lost_update")); }
TEST_CASE("bug 2, check-then-act cache: found, replayed, fix survives 10x", "[bugs]") { check_claims(bug("cache")); }
TEST_CASE("bug 3, lock-order deadlock: found, replayed, fix survives 10x [S72]", "[bugs][S72]") {
  const bugs::Bug& b = bug("lock_order");
  check_claims(b);
  // The deadlock diagnostic says who waits on what.
  sim::ExploreReport r = sim::explore(b.buggy, {.runs = b.claims.front().runs_max, .trace_tail = 0});
  REQUIRE(r.failure);
  CHECK(r.failure->kind == sim::FailureKind::deadlock);
  CHECK_THAT(r.failure->message, Catch::Contains("deadlock"));
}
TEST_CASE("bug 4, timeout race: found, replayed, fix survives 10x [S57][S60]", "[bugs][S57][S60]") {
  check_claims(bug("timeout_leak"));
}
TEST_CASE("bug 5, gather without return_exceptions: found, replayed, fix survives 10x [S45][S46]", "[bugs][S45][S46]") {
  check_claims(bug("gather_orphan"));
}
TEST_CASE("bug 6, wait without cancelling the pending: found, replayed, fix survives 10x [S51]", "[bugs][S51]") {
  check_claims(bug("wait_leftovers"));
}
TEST_CASE("bug 7, a cancelled consumer loses a job: found, replayed, fix survives 10x [S76]", "[bugs][S76]") {
  check_claims(bug("queue_loss"));
}

TEST_CASE("gallery on the real clock: every buggy version passes a plain test", "[.real]") {
  for (auto& b : bugs::gallery()) {
    INFO(b.id);
    CHECK_NOTHROW(sl::run(b.buggy()));
  }
}
