#pragma once
// asyncio.locks: every synchronization primitive. Includes only.
#include <simloop/barrier.hpp>
#include <simloop/condition.hpp>
#include <simloop/event.hpp>
#include <simloop/lock.hpp>
#include <simloop/semaphore.hpp>
