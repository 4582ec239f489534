// gather under random scenarios (gen::scenario) and rapidcheck schedules
// (gen::schedule): [S42] argument order, [S45] first exception raised and no
// sibling cancelled, [S46]/[S48] return_exceptions slots, [S47] cancelling the
// gather. Each property is a function of the gather it checks, so the
// strength test (mutants_props.cpp) runs a deliberately wrong gather through
// the very same property.
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/gather_property.hpp>

namespace sp = simloop::properties;

TEST_CASE("gather(return_exceptions): every outcome in its argument slot [S42] [S46] [S48]", "[S42][S46][S48]") {
  sp::prop("gather.return_exceptions.slots", sp::gather_slots_property(sp::real_gather_re), {.max_success = 150});
}

TEST_CASE("gather: values in argument order, else the first exception to occur; no sibling cancelled [S42] [S45] [S48]",
          "[S42][S45][S48]") {
  sp::prop("gather.first_exception", sp::gather_first_exception_property(), {.max_success = 150});
}

TEST_CASE("cancelling the gather cancels every unfinished child; the awaiter gets CancelledError [S47]", "[S47]") {
  sp::prop("gather.cancel", sp::gather_cancel_property(), {.max_success = 100});
}
