#pragma once
// The deterministic simulator. Includes only.
#include <simloop/sim/run.hpp>
#include <simloop/sim/sim_loop.hpp>
