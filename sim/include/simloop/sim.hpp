#pragma once
// The deterministic simulator. Includes only.
#include <simloop/sim/buggify.hpp>
#include <simloop/sim/chooser.hpp>
#include <simloop/sim/explore.hpp>
#include <simloop/sim/failure.hpp>
#include <simloop/sim/options.hpp>
#include <simloop/sim/prng.hpp>
#include <simloop/sim/run.hpp>
#include <simloop/sim/schedule.hpp>
#include <simloop/sim/sim_loop.hpp>
#include <simloop/sim/strategy.hpp>
#include <simloop/sim/trace.hpp>
