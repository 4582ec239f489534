// wait, as_completed, wait_for and shield under random scenarios and
// rapidcheck schedules (properties in combinator_property.hpp).
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/combinator_property.hpp>

namespace sp = simloop::properties;

TEST_CASE("wait: done ∪ pending = input, disjoint, states at return, return instant, cancels nothing [S50] [S51] [S52]",
          "[S50][S51][S52]") {
  sp::prop("wait.partition", sp::wait_property(sp::real_wait), {.max_success = 150});
}

TEST_CASE("as_completed: each input once, in completion order; TimeoutError after the deadline, nothing lost [S62] [S63]",
          "[S62][S63]") {
  sp::prop("as_completed.order", sp::as_completed_property(sp::real_as_completed), {.max_success = 150});
}

TEST_CASE("wait_for: inner cancelled and finished before TimeoutError; else the inner's outcome [S57] [S58]",
          "[S57][S58]") {
  sp::prop("wait_for.timeout", sp::wait_for_property(sp::real_wait_for), {.max_success = 150});
}

TEST_CASE("shield: cancelling the awaiter never cancels the inner [S67]", "[S67]") {
  sp::prop("shield.inner", sp::shield_property(sp::real_shield), {.max_success = 100});
}
