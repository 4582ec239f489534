// The Future state machine against a model (rapidcheck/state.h) [S16-S24].
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/future_machine.hpp>

namespace sp = simloop::properties;

TEST_CASE("Future state machine: legal transitions only, terminal states absorb, callbacks via the loop [S14] [S15] [S16] [S17] [S18] [S19] [S20] [S21] [S24]",
          "[S14][S15][S16][S17][S18][S19][S20][S21][S24]") {
  sp::prop("future.state_machine", sp::future_machine_property([] { return std::make_unique<sp::RealFutureSut>(); }),
           {.max_success = 200});
}
