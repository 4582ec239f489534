// Schedule tokens: printable, shell-safe, versioned, checksummed; anything
// that is not a whole token of ours is refused with a clear error.
#include <simloop/sim/schedule.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace sim = simloop::sim;
using Catch::Matchers::Contains;

namespace {
sim::Schedule sample() {
  sim::Schedule s;
  s.decisions = {0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 300, 70000, 0};
  s.explore_ready_order = true;
  s.explore_timer_ties = true;
  s.jitter_max = std::chrono::milliseconds(5);
  s.jitter_choices = 3;
  s.steps_max = 100000;
  s.virtual_time_max = std::chrono::seconds(60);
  s.fail_on_unretrieved_exceptions = true;
  s.seed = 123456789;
  s.strategy = 2;
  s.trace_hash = 0xdeadbeefcafef00dULL;
  return s;
}
}  // namespace

TEST_CASE("a schedule survives its token", "[schedule]") {
  sim::Schedule s = sample();
  std::string t = s.to_token();
  CHECK(t.rfind("SL2.", 0) == 0);
  for (char c : t) {
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                c == '-' || c == '_';
    REQUIRE(safe);
  }
  CHECK(sim::Schedule::from_token(t) == s);
  // Pasted with quotes or surrounding blanks from a log: still accepted.
  CHECK(sim::Schedule::from_token("  '" + t + "'\n") == s);
  CHECK(sim::Schedule::from_token(sim::Schedule{}.to_token()) == sim::Schedule{});
}

TEST_CASE("zero runs are compact", "[schedule]") {
  sim::Schedule s;
  s.decisions.assign(5000, 0);
  s.decisions[2500] = 1;
  CHECK(s.to_token().size() < 60);
  CHECK(sim::Schedule::from_token(s.to_token()) == s);
}

TEST_CASE("a token golden value (the format is fixed)", "[schedule]") {
  sim::Schedule s;
  s.decisions = {1, 0, 0, 2};
  s.seed = 7;
  s.strategy = 1;
  s.explore_timer_ties = true;
  std::string t = s.to_token();
  CHECK(t == sim::Schedule::from_token(t).to_token());
  // The payload has not changed since version 1; the version names the
  // trace hash's format (trace.hpp), which has.
  CHECK(t == "SL2.AgEHAAIAAAAAAAAAAAAABAIFBPRaZCc");
}

TEST_CASE("corrupted, truncated and foreign tokens are refused", "[schedule]") {
  std::string t = sample().to_token();
  SECTION("every single-character corruption") {
    for (std::size_t i = 4; i < t.size(); ++i) {
      std::string bad = t;
      bad[i] = bad[i] == 'A' ? 'B' : 'A';
      REQUIRE_THROWS_AS(sim::Schedule::from_token(bad), sim::TokenError);
    }
  }
  SECTION("every truncation") {
    for (std::size_t n = 0; n < t.size(); ++n)
      REQUIRE_THROWS_AS(sim::Schedule::from_token(t.substr(0, n)), sim::TokenError);
  }
  SECTION("messages name the problem") {
    CHECK_THROWS_WITH(sim::Schedule::from_token("hello"), Contains("not a simloop schedule token"));
    CHECK_THROWS_WITH(sim::Schedule::from_token("SL3." + t.substr(4)), Contains("version 3 is not supported"));
    CHECK_THROWS_WITH(sim::Schedule::from_token("SL12." + t.substr(4)), Contains("version 12 is not supported"));
    CHECK_THROWS_WITH(sim::Schedule::from_token(t.substr(0, t.size() - 3)), Contains("corrupted or truncated"));
    CHECK_THROWS_WITH(sim::Schedule::from_token(t + "!"), Contains("invalid character '!'"));
  }
}

TEST_CASE("a version 1 token is refused with the seed to record it again", "[schedule]") {
  // Its trace hash is of the trace's format 1: a replay could not say
  // whether it reproduced the recorded run.
  std::string v2 = sample().to_token();
  std::string v1 = "SL1." + v2.substr(4);
  CHECK_THROWS_AS(sim::Schedule::from_token(v1), sim::TokenError);
  CHECK_THROWS_WITH(sim::Schedule::from_token(v1), Contains("version 1") && Contains("seed 123456789") &&
                                                       Contains("strategy pct") && Contains("\"SL2.\""));
  // A corrupted version 1 token is refused as corrupted, not as old.
  CHECK_THROWS_WITH(sim::Schedule::from_token(v1.substr(0, v1.size() - 3)), Contains("corrupted or truncated"));
}
