#pragma once
// The C++ interpreter of conformance scenarios: runs a Scenario on simloop's
// SimLoop (fifo: asyncio's own order) and returns its trace, one line per
// event, in the format of README.md — byte for byte what interp.py prints for
// CPython's asyncio.
//
// Each op maps onto simloop's public API exactly as interp.py maps it onto
// asyncio (sleep, create_task, Task::cancel/uncancel/cancelling, gather,
// wait, wait_for, as_completed, shield, timeout, TaskGroup); the one place
// where C++ typing needs more is a gather of mixed arguments (task
// references, coroutines and nested gathers in one call), which is built from
// gather's own pieces (see interp.cpp).
#include "scenario.hpp"

#include <string>
#include <vector>

namespace conformance {

// One tick of scenario time is one nanosecond of loop time (any fixed unit
// would do: ticks are integers on both sides).
std::vector<std::string> run_scenario(const Scenario& sc);

// The trace as printed: lines, or "#error <message>\n" for a scenario error
// (invalid JSON, invalid scenario, or undefined behaviour at run time).
std::string trace_text(const std::string& json_text);

}  // namespace conformance
