// The harness's options from the environment, seed selection (SIMLOOP_SEED,
// SIMLOOP_SEED_RANGE, SIMLOOP_SHARD partition the range), refusal of
// malformed values, and the runner finding, reporting and replaying the
// buggy example's failure in-process.
#include "buggy.hpp"

#include <simloop/sim/harness/catch2.hpp>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace h = simloop::sim::harness;
using Catch::Matchers::Contains;

namespace {

// Sets SIMLOOP_* for one scope and clears every one of them afterwards.
struct Env {
  Env(std::initializer_list<std::pair<const char*, const char*>> vars) {
    clear();
    for (auto& [k, v] : vars) setenv(k, v, 1);
  }
  ~Env() { clear(); }
  static void clear() {
    for (const char* k : {"SIMLOOP_SEED", "SIMLOOP_SEED_RANGE", "SIMLOOP_REPLAY", "SIMLOOP_RUNS", "SIMLOOP_STRATEGY",
                          "SIMLOOP_SHARD", "SIMLOOP_TIME_BUDGET", "SIMLOOP_TRACE_OUT", "SIMLOOP_MACHINE"})
      unsetenv(k);
  }
};

std::vector<std::uint64_t> seeds(const h::HarnessOptions& o) {
  std::vector<std::uint64_t> out;
  o.for_each_seed([&](std::uint64_t s) {
    out.push_back(s);
    return true;
  });
  return out;
}

std::string error_of(std::initializer_list<std::pair<const char*, const char*>> vars) {
  Env e(vars);
  try {
    h::options_from_env();
  } catch (const h::HarnessConfigError& err) {
    return err.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("defaults suit a unit test: 100 random schedules, seeds [0, 100), a 30 s cap", "[harness]") {
  Env e{};
  auto o = h::options_from_env();
  CHECK(o.runs == 100);
  CHECK(o.strategy == simloop::sim::Strategy::random);
  CHECK(o.time_budget == std::chrono::seconds(30));
  auto s = seeds(o);
  REQUIRE(s.size() == 100);
  CHECK(s.front() == 0);
  CHECK(s.back() == 99);
}

TEST_CASE("SIMLOOP_SEED selects exactly one seed; SIMLOOP_SEED_RANGE a half-open range", "[harness]") {
  {
    Env e{{"SIMLOOP_SEED", "41"}, {"SIMLOOP_RUNS", "500"}};
    CHECK(seeds(h::options_from_env()) == std::vector<std::uint64_t>{41});
  }
  {
    Env e{{"SIMLOOP_SEED_RANGE", "10:14"}};
    CHECK(seeds(h::options_from_env()) == std::vector<std::uint64_t>{10, 11, 12, 13});
  }
}

TEST_CASE("SIMLOOP_SHARD i/n: the n shards partition the seed range, no overlap, no gap", "[harness]") {
  for (const char* n : {"1", "3", "4", "7"}) {
    std::multiset<std::uint64_t> all;
    int count = std::atoi(n);
    for (int i = 0; i < count; ++i) {
      std::string shard = std::to_string(i) + "/" + n;
      Env e{{"SIMLOOP_RUNS", "50"}, {"SIMLOOP_SHARD", shard.c_str()}};
      for (auto s : seeds(h::options_from_env())) all.insert(s);
    }
    std::multiset<std::uint64_t> expected;
    for (std::uint64_t s = 0; s < 50; ++s) expected.insert(s);
    CHECK(all == expected);
  }
}

TEST_CASE("durations: ms, s, m, h and plain seconds", "[harness]") {
  Env e{{"SIMLOOP_TIME_BUDGET", "250ms"}};
  CHECK(h::options_from_env().time_budget == std::chrono::milliseconds(250));
  setenv("SIMLOOP_TIME_BUDGET", "5m", 1);
  CHECK(h::options_from_env().time_budget == std::chrono::minutes(5));
  setenv("SIMLOOP_TIME_BUDGET", "12", 1);
  CHECK(h::options_from_env().time_budget == std::chrono::seconds(12));
}

TEST_CASE("malformed values are refused with a message naming the variable and what is valid", "[harness]") {
  std::string strategy = error_of({{"SIMLOOP_STRATEGY", "bogus"}});
  CHECK_THAT(strategy, Contains("SIMLOOP_STRATEGY='bogus'") && Contains("random, pct, fifo, dfs"));
  CHECK_THAT(error_of({{"SIMLOOP_STRATEGY", "replay"}}), Contains("SIMLOOP_REPLAY"));
  CHECK_THAT(error_of({{"SIMLOOP_RUNS", "12x"}}), Contains("SIMLOOP_RUNS='12x'") && Contains("integer"));
  CHECK_THAT(error_of({{"SIMLOOP_SEED", "-3"}}), Contains("SIMLOOP_SEED='-3'"));
  CHECK_THAT(error_of({{"SIMLOOP_SHARD", "4/4"}}), Contains("0 <= i < n"));
  CHECK_THAT(error_of({{"SIMLOOP_SHARD", "1"}}), Contains("SIMLOOP_SHARD='1'"));
  CHECK_THAT(error_of({{"SIMLOOP_SEED_RANGE", "9:3"}}), Contains("a <= b"));
  CHECK_THAT(error_of({{"SIMLOOP_TIME_BUDGET", "10 parsecs"}}), Contains("250ms, 10s, 5m, 1h"));
  CHECK_THAT(error_of({{"SIMLOOP_REPLAY", "hello"}}), Contains("SL2."));
  CHECK(error_of({{"SIMLOOP_SHARD", "3/4"}}) == "(accepted)");
}

TEST_CASE("the runner finds the lost update and its report says how to replay it", "[harness]") {
  Env e{};
  auto body = []() -> simloop::Coro<void> {
    int balance = co_await harness_example::two_deposits();
    if (balance != 2) throw std::runtime_error("balance is " + std::to_string(balance));
  };
  h::Outcome out = h::run_test(simloop::sim::detail::erase_test(body), h::options_from_env(), "lost", "'lost'");
  REQUIRE(out.failed);
  CHECK(out.runs >= 1);
  CHECK(out.runs <= 100);
  CHECK(out.seed == out.runs - 1);  // seeds [0, 100) in order, unsharded
  CHECK_THAT(out.check, Contains("balance is 1"));
  CHECK_THAT(out.report, Contains("seed:       " + std::to_string(out.seed)));
  CHECK_THAT(out.report, Contains(out.token));
  CHECK_THAT(out.report, Contains("SIMLOOP_REPLAY=" + out.token));
  CHECK_THAT(out.report, Contains("suspended on"));  // the trace tail
  CHECK_THAT(out.machine_line, Contains("\"status\":\"fail\""));

  SECTION("replaying the token fails the same way with the same trace hash") {
    h::HarnessOptions o;
    o.replay_token = out.token;
    h::Outcome again = h::run_test(simloop::sim::detail::erase_test(body), o, "lost", "'lost'");
    REQUIRE(again.failed);
    CHECK(again.same_hash);
    CHECK(again.trace_hash == out.trace_hash);
    CHECK(again.check == out.check);
  }
  SECTION("SIMLOOP_SEED of the failing seed fails on the first run; of a passing seed passes") {
    std::string s = std::to_string(out.seed);
    setenv("SIMLOOP_SEED", s.c_str(), 1);
    h::Outcome one = h::run_test(simloop::sim::detail::erase_test(body), h::options_from_env(), "lost", "'lost'");
    CHECK(one.failed);
    CHECK(one.runs == 1);
    CHECK(one.trace_hash == out.trace_hash);
    if (out.seed > 0) {
      setenv("SIMLOOP_SEED", "0", 1);
      h::Outcome pass = h::run_test(simloop::sim::detail::erase_test(body), h::options_from_env(), "lost", "'lost'");
      CHECK_FALSE(pass.failed);
      CHECK(pass.runs == 1);
    }
  }
}

TEST_CASE("sim::check runs a Catch2 body once per selected seed", "[harness]") {
  int calls = 0;
  auto body = [&]() -> simloop::Coro<void> {
    ++calls;
    int balance = 0;
    co_await harness_example::deposit(balance);
    REQUIRE(balance == 1);
  };
  {
    Env e{{"SIMLOOP_RUNS", "40"}, {"SIMLOOP_SHARD", "1/4"}};
    simloop::sim::check(body);
    CHECK(calls == 10);
  }
  calls = 0;
  {
    Env e{{"SIMLOOP_SEED", "7"}};
    simloop::sim::check(body);
    CHECK(calls == 1);
  }
}

TEST_CASE("dfs has no seeds: sharding it is refused, running it unsharded explores", "[harness]") {
  CHECK_THAT(error_of({{"SIMLOOP_STRATEGY", "dfs"}, {"SIMLOOP_SHARD", "0/2"}}), Contains("no seeds to shard"));
  Env e{{"SIMLOOP_STRATEGY", "dfs"}};
  auto body = []() -> simloop::Coro<void> {
    int balance = co_await harness_example::two_deposits();
    if (balance != 2) throw std::runtime_error("balance is " + std::to_string(balance));
  };
  h::Outcome out = h::run_test(simloop::sim::detail::erase_test(body), h::options_from_env(), "lost", "'lost'");
  CHECK(out.failed);
  CHECK_THAT(out.report, Contains("SIMLOOP_REPLAY=SL2."));
}
