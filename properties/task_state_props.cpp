// The Task state machine against a model (rapidcheck/state.h): a task whose
// coroutine awaits futures the commands complete [S15] [S17]-[S21] [S25]-[S35].
#include <simloop/properties/catch_prop.hpp>
#include <simloop/properties/task_machine.hpp>

namespace sp = simloop::properties;

TEST_CASE("Task state machine: cancel requests counted (Task.cancel, cancelling, uncancel), must_cancel before the first step, terminal states absorb, callbacks via the loop [S17] [S18] [S19] [S20] [S21] [S25] [S27] [S28] [S29] [S30] [S31] [S32] [S33] [S34] [S35]",
          "[S17][S18][S19][S20][S21][S25][S27][S28][S29][S30][S31][S32][S33][S34][S35]") {
  sp::prop("task.state_machine",
           sp::task_machine_property([](const sp::TaskProgram& p) { return std::make_unique<sp::RealTaskSut>(p); }),
           {.max_success = 200});
}
