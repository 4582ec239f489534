#pragma once
// Everything user code is written against. Includes only.
#include <simloop/coro.hpp>
#include <simloop/errors.hpp>
#include <simloop/future.hpp>
#include <simloop/loop.hpp>
#include <simloop/run.hpp>
#include <simloop/sleep.hpp>
#include <simloop/task.hpp>
#include <simloop/time.hpp>
