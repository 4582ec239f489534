"""A virtual-time asyncio event loop for CPython 3.11 (stdlib only).

VirtualLoop is a BaseEventLoop whose clock is an integer number of ticks that
starts at 0. asyncio's own scheduling code (BaseEventLoop._run_once,
call_soon, call_later, Task.__step, gather, wait, ...) runs untouched:

- The selector is fake. _run_once computes how long it would block
  (0 when callbacks are ready, the distance to the earliest timer otherwise)
  and calls select(timeout); the fake select advances the clock by exactly
  that much instead of sleeping. With nothing ready and no timer, a real loop
  would block forever: the fake select raises Deadlock instead.
- clock_resolution is 1 tick, so _run_once's test `when < now + resolution`
  fires exactly the timers with `when <= now` (all times are integers).

One documented change (SEMANTICS S5): CPython's timer heap compares only
deadlines, so timers with exactly equal deadlines pop in heap order. On a real
clock a later registration has a later deadline; here equal deadlines fire in
registration order: call_at creates a SeqTimerHandle, which breaks ties by a
per-loop registration sequence number.

Determinism helpers (not asyncio changes):
- create_task names unnamed tasks `Task-<n>` from a per-loop counter (every
  create_task uses up a number, named or not: S26), so names do not depend on
  how many loops ran before in the process. It also calls `on_task_created`
  (if set) so an interpreter can keep every task alive (no GC mid-run) and map
  tasks to scenario labels.
- The default exception handler is replaced by a silent one ("Task exception
  was never retrieved" and friends are GC-time log messages, not behaviour).
"""

import asyncio
import heapq
import itertools
from asyncio import events


class Deadlock(Exception):
    """Nothing is ready and no timer is scheduled: the loop would block forever."""


class SeqTimerHandle(events.TimerHandle):
    """A TimerHandle ordered by (deadline, registration sequence)."""

    __slots__ = ['_seq']

    def __init__(self, when, seq, callback, args, loop, context=None):
        super().__init__(when, callback, args, loop, context)
        self._seq = seq

    def __lt__(self, other):
        if isinstance(other, SeqTimerHandle):
            return (self._when, self._seq) < (other._when, other._seq)
        return NotImplemented

    def __gt__(self, other):
        if isinstance(other, SeqTimerHandle):
            return (self._when, self._seq) > (other._when, other._seq)
        return NotImplemented

    def __le__(self, other):
        if isinstance(other, SeqTimerHandle):
            return self < other or self is other
        return NotImplemented

    def __ge__(self, other):
        if isinstance(other, SeqTimerHandle):
            return self > other or self is other
        return NotImplemented

    __hash__ = events.TimerHandle.__hash__


class _VirtualSelector:
    """Stands in for selectors.BaseSelector: select() advances virtual time."""

    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout=None):
        if timeout is None:
            raise Deadlock(f"deadlock at t={self._loop.time()}: nothing ready, no timer")
        assert timeout >= 0, timeout
        self._loop._now_ticks += timeout
        return []

    def close(self):
        pass


class VirtualLoop(asyncio.BaseEventLoop):
    def __init__(self):
        super().__init__()
        self._now_ticks = 0
        self._clock_resolution = 1
        self._selector = _VirtualSelector(self)
        self._timer_seq = itertools.count()
        self._task_counter = itertools.count(1)
        self.on_task_created = None
        self.set_debug(False)
        self.set_exception_handler(lambda loop, context: None)

    # -- the clock -------------------------------------------------------
    def time(self):
        return self._now_ticks

    # -- what BaseEventLoop leaves to subclasses -------------------------
    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass

    def close(self):
        super().close()
        if self._selector is not None:
            self._selector.close()
            self._selector = None

    # -- the one scheduling change: FIFO tie-break of equal deadlines ----
    def call_at(self, when, callback, *args, context=None):
        # Same as BaseEventLoop.call_at, with a sequence-numbered handle.
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()
        timer = SeqTimerHandle(when, next(self._timer_seq), callback, args, self, context)
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    # -- deterministic task names ----------------------------------------
    def create_task(self, coro, *, name=None, context=None):
        number = next(self._task_counter)
        if name is None:
            name = f"Task-{number}"
        task = super().create_task(coro, name=name, context=context)
        if self.on_task_created is not None:
            self.on_task_created(task, coro)
        return task
