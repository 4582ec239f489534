"""CPython asyncio's side of the benchmarks (see README.md).

    python3 asyncio_bench.py <W1a|W1b|W2|W2c|W3|W4> <n> <reps> [plain|virtual]

plain is asyncio's default loop (new_event_loop(): the selector loop).
virtual is VirtualTimeLoop below: asyncio's own BaseEventLoop whose clock
jumps to the next timer, for W3 (whose durations reach 2147 s). Prints one
JSON line per repetition, the same fields as the C++ drivers (common.hpp).
"""

import asyncio
import json
import resource
import sys
import time


def w3_dur(i):
    return (i + 1) * 48271 % 2147483647  # microseconds


def triangle(n):
    return n * (n - 1) // 2


class _JumpSelector:
    """select(timeout) does not wait: it moves the loop's clock to the earliest timer."""

    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout=None):
        if timeout is None:
            raise RuntimeError('deadlock: nothing ready and no timer')
        if timeout > 0 and self._loop._scheduled:
            self._loop._now = max(self._loop._now, self._loop._scheduled[0]._when)
        return []

    def close(self):
        pass


class VirtualTimeLoop(asyncio.BaseEventLoop):
    """BaseEventLoop (asyncio's _run_once untouched) on a virtual clock."""

    def __init__(self):
        super().__init__()
        self._now = 0.0
        self._selector = _JumpSelector(self)

    def time(self):
        return self._now

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass


async def returns_at_once(i):
    return i


async def yields_once(i):
    await asyncio.sleep(0)
    return i


async def sleeps(i):
    await asyncio.sleep(w3_dur(i) * 1e-6)
    return i


async def spawn_gather(n, child):
    tasks = [asyncio.create_task(child(i)) for i in range(n)]
    return sum(await asyncio.gather(*tasks))


async def switcher(state, n, parity):
    total = 0
    while state[0] < n:
        if state[0] % 2 != parity:
            raise AssertionError('W2: the tasks did not alternate')
        total += state[0]
        state[0] += 1
        await asyncio.sleep(0)
    return total


async def w2(n):
    state = [0]
    a = asyncio.create_task(switcher(state, n, 0))
    b = asyncio.create_task(switcher(state, n, 1))
    return sum(await asyncio.gather(a, b))


async def produce(q, n):
    for i in range(n):
        await q.put(i)


async def consume(q, n):
    total = 0
    for _ in range(n):
        total += await q.get()
    return total


async def w2c(n):
    q = asyncio.Queue(1)
    p = asyncio.create_task(produce(q, n))
    c = asyncio.create_task(consume(q, n))
    _, total = await asyncio.gather(p, c)
    return total


async def await_future(f):
    return await f


async def set_all(futs):
    for i, f in enumerate(futs):
        f.set_result(i)


async def w4(n):
    loop = asyncio.get_running_loop()
    futs = [loop.create_future() for _ in range(n)]
    consumers = [asyncio.create_task(await_future(f)) for f in futs]
    producer = asyncio.create_task(set_all(futs))
    values = await asyncio.gather(*consumers)
    await producer
    return sum(values)


WORKLOADS = {
    'W1a': lambda n: spawn_gather(n, returns_at_once),
    'W1b': lambda n: spawn_gather(n, yields_once),
    'W2': w2,
    'W2c': w2c,
    'W3': lambda n: spawn_gather(n, sleeps),
    'W4': w4,
}


def rss_now():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def main(argv):
    if len(argv) < 4:
        sys.exit(f'usage: {argv[0]} <W1a|W1b|W2|W2c|W3|W4> <n> <reps> [plain|virtual]')
    workload, n, reps = argv[1], int(argv[2]), int(argv[3])
    config = argv[4] if len(argv) > 4 else 'plain'
    failures = 0
    for rep in range(reps):
        loop = VirtualTimeLoop() if config == 'virtual' else asyncio.new_event_loop()
        rss0 = rss_now()
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        try:
            total = loop.run_until_complete(WORKLOADS[workload](n))
        finally:
            wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - c0
            loop.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        expected = triangle(n)
        if workload == 'W3' and config == 'virtual' and loop.time() < max(w3_dur(i) for i in range(n)) * 1e-6 * (1 - 1e-12):
            total = -1  # the run must last as long as the longest sleep
        print(json.dumps({'impl': 'asyncio', 'config': config, 'workload': workload, 'n': n, 'ops': n,
                          'rep': rep, 'wall_ns': wall, 'cpu_ns': cpu, 'sum': total, 'expected': expected,
                          'ok': total == expected, 'rss_added': peak - rss0 if rep == 0 else -1}), flush=True)
        failures += total != expected
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
