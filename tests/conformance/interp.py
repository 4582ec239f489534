#!/usr/bin/env python3
"""Runs a conformance scenario (JSON, see README.md) on CPython's own asyncio,
on the virtual-time VirtualLoop, and prints its trace.

    python3 interp.py SCENARIO.json          # one trace
    python3 interp.py -                      # scenario JSON on stdin
    python3 interp.py --batch A.json B.json  # batch protocol (README.md)

Every asyncio call a scenario op maps to is the stdlib's own, with two
pinned-order replacements for the places where CPython iterates a set
(SEMANTICS S65): as_completed (a verbatim copy of 3.11's whose `todo` set is
an insertion-ordered dict) and TaskGroup (its `_tasks` set is insertion
ordered, so an abort cancels children in creation order). The end of the run
is asyncio.run's (leftover tasks cancelled, then run to completion) with the
leftovers taken in creation order instead of set order.
"""

import asyncio
import json
import re
import sys
from asyncio import events, exceptions

try:
    from . import vloop  # type: ignore
except ImportError:  # run as a script
    import vloop  # type: ignore


class ScenarioError(BaseException):
    """The scenario is invalid (static) or did something the format leaves
    undefined (dynamic: unknown task, a label started twice, self-await,
    deadlock). BaseException so that no scenario catch clause swallows it."""


# ---------------------------------------------------------------------------
# Values, errors and their formatting

RETURN_WHEN = {
    "ALL_COMPLETED": asyncio.ALL_COMPLETED,
    "FIRST_COMPLETED": asyncio.FIRST_COMPLETED,
    "FIRST_EXCEPTION": asyncio.FIRST_EXCEPTION,
}
BUILTIN_CATCH_KINDS = ("CancelledError", "TimeoutError", "ExceptionGroup", "Exception",
                       "ValueError", "RuntimeError")
RAISE_BUILTIN_KINDS = ("CancelledError", "TimeoutError")
LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
KIND_RE = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1

_user_error_classes = {}


def user_error_class(kind):
    cls = _user_error_classes.get(kind)
    if cls is None:
        cls = type(kind, (Exception,), {"__module__": "scenario"})
        _user_error_classes[kind] = cls
    return cls


def is_user_kind(kind):
    import builtins
    return (isinstance(kind, str) and KIND_RE.match(kind) is not None
            and not hasattr(builtins, kind) and not hasattr(asyncio, kind))


def fmt_str(s):
    out = ['"']
    for ch in s:
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif ' ' <= ch <= '~':
            out.append(ch)
        else:
            out.append('\\u%04x' % ord(ch))
    out.append('"')
    return ''.join(out)


def fmt_exc(e):
    name = type(e).__name__
    if isinstance(e, BaseExceptionGroup):
        inner = ','.join(fmt_exc(x) for x in e.exceptions)
        return f'{name}({fmt_str(e.message)},[{inner}])'
    parts = []
    for a in e.args:
        if isinstance(a, str):
            parts.append(fmt_str(a))
        elif isinstance(a, int) and not isinstance(a, bool):
            parts.append(str(a))
        else:
            parts.append('?')
    return f'{name}({",".join(parts)})'


def fmt_value(v):
    if v is None:
        return 'null'
    if isinstance(v, bool):
        raise ScenarioError(f"boolean value {v!r}")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return fmt_str(v)
    if isinstance(v, (list, tuple)):
        return '[' + ','.join(fmt_value(x) for x in v) + ']'
    if isinstance(v, BaseException):
        return fmt_exc(v)
    raise ScenarioError(f"unformattable value {v!r}")


def fmt_bool(b):
    return 'true' if b else 'false'


# ---------------------------------------------------------------------------
# Static validation

OP_FIELDS = {
    "sleep": ({"d"}, set()),
    "log": ({"msg"}, set()),
    "return": (set(), {"value"}),
    "raise": ({"kind"}, {"msg"}),
    "reraise": (set(), set()),
    "await": ({"task"}, set()),
    "cancel": ({"task"}, {"msg"}),
    "spawn": ({"task"}, {"body", "group"}),
    "gather": ({"items"}, {"return_exceptions"}),
    "wait": ({"tasks"}, {"timeout", "return_when"}),
    "wait_for": ({"item"}, {"timeout"}),
    "as_completed": ({"tasks"}, {"timeout", "catch"}),
    "shield": ({"item"}, set()),
    "timeout": ({"d", "body"}, set()),
    "taskgroup": ({"body"}, set()),
    "try": ({"body", "catch"}, set()),
    "uncancel": (set(), set()),
    "cancelling": (set(), set()),
    "state": ({"task"}, set()),
    "call": ({"body"}, set()),
}


class Validator:
    def __init__(self, sc):
        self.sc = sc
        self.labels = set()
        self.defs = {}

    def fail(self, where, msg):
        raise ScenarioError(f"invalid scenario at {where}: {msg}")

    def check_str(self, where, s, nonempty=False):
        if not isinstance(s, str):
            self.fail(where, f"expected a string, got {s!r}")
        if any(not (' ' <= ch <= '~') for ch in s):
            self.fail(where, f"strings must be printable ASCII: {s!r}")
        if nonempty and not s:
            self.fail(where, "must be a non-empty string")

    def check_ticks(self, where, d, nullable):
        if d is None and nullable:
            return
        if isinstance(d, bool) or not isinstance(d, int) or d < 0 or d > 10 ** 12:
            self.fail(where, f"expected a tick count (int >= 0){' or null' if nullable else ''}, got {d!r}")

    def check_value(self, where, v):
        if v is None:
            return
        if isinstance(v, bool):
            self.fail(where, "booleans are not values")
        if isinstance(v, int):
            if not INT_MIN <= v <= INT_MAX:
                self.fail(where, "int out of 64-bit range")
            return
        if isinstance(v, str):
            self.check_str(where, v)
            return
        if isinstance(v, list):
            for i, x in enumerate(v):
                self.check_value(f"{where}[{i}]", x)
            return
        self.fail(where, f"values are int, string, null or list: {v!r}")

    def new_label(self, where, label):
        if not isinstance(label, str) or not LABEL_RE.match(label):
            self.fail(where, f"bad label {label!r} (want [A-Za-z][A-Za-z0-9_]*)")
        if label == "main" or label in self.labels:
            self.fail(where, f"label {label!r} is not unique")
        self.labels.add(label)

    def check_ref(self, where, ref):
        if not isinstance(ref, str) or not LABEL_RE.match(ref):
            self.fail(where, f"bad task reference {ref!r}")

    def run(self):
        sc = self.sc
        if not isinstance(sc, dict) or "main" not in sc:
            self.fail("top", "a scenario is an object with a 'main' body")
        defs = sc.get("tasks", {})
        if not isinstance(defs, dict):
            self.fail("tasks", "must be an object name -> body")
        for name in defs:
            self.new_label(f"tasks.{name}", name)
        self.defs = defs
        for name, body in defs.items():
            self.body(f"tasks.{name}", body, in_tg=False, in_handler=False)
        self.body("main", sc["main"], in_tg=False, in_handler=False)
        refs = []
        self._collect_refs(sc, refs)
        return True

    def _collect_refs(self, node, out):
        pass  # references are resolved at run time (a label exists once its task is created)

    def body(self, where, ops, in_tg, in_handler):
        if not isinstance(ops, list):
            self.fail(where, "a body is a list of ops")
        for i, op in enumerate(ops):
            self.op(f"{where}[{i}]", op, in_tg, in_handler)

    def item(self, where, it, allow_gather):
        if isinstance(it, str):
            self.check_ref(where, it)
            return
        if not isinstance(it, dict):
            self.fail(where, "an item is a task name, {name, body} or {gather, return_exceptions}")
        if "gather" in it:
            if not allow_gather:
                self.fail(where, "a gather item is not allowed here (tasks only)")
            extra = set(it) - {"gather", "return_exceptions"}
            if extra:
                self.fail(where, f"unknown fields {sorted(extra)}")
            if not isinstance(it.get("return_exceptions", False), bool):
                self.fail(where, "return_exceptions must be a boolean")
            if not isinstance(it["gather"], list):
                self.fail(where, "gather must be a list of items")
            for j, x in enumerate(it["gather"]):
                self.item(f"{where}.gather[{j}]", x, True)
            return
        extra = set(it) - {"name", "body"}
        if extra or "name" not in it or "body" not in it:
            self.fail(where, "an inline item is exactly {name, body}")
        self.new_label(where, it["name"])
        self.body(f"{where}({it['name']})", it["body"], in_tg=False, in_handler=False)

    def op(self, where, op, in_tg, in_handler):
        if not isinstance(op, dict) or not isinstance(op.get("op"), str):
            self.fail(where, "an op is an object with an 'op' field")
        kind = op["op"]
        if kind not in OP_FIELDS:
            self.fail(where, f"unknown op {kind!r}")
        required, optional = OP_FIELDS[kind]
        fields = set(op) - {"op"}
        if not required <= fields:
            self.fail(where, f"{kind} needs {sorted(required - fields)}")
        if fields - required - optional:
            self.fail(where, f"{kind}: unknown fields {sorted(fields - required - optional)}")
        w = f"{where}:{kind}"
        if kind == "sleep":
            self.check_ticks(w, op["d"], False)
        elif kind == "log":
            self.check_str(w, op["msg"])
        elif kind == "return":
            self.check_value(w, op.get("value"))
        elif kind == "raise":
            k = op["kind"]
            if k not in RAISE_BUILTIN_KINDS and not is_user_kind(k):
                self.fail(w, f"error kind {k!r}: CancelledError, TimeoutError or a user kind "
                             "([A-Z][A-Za-z0-9_]*, not a Python builtin or asyncio name)")
            if "msg" in op:
                self.check_str(w, op["msg"], nonempty=(k == "CancelledError"))
        elif kind == "reraise":
            if not in_handler:
                self.fail(w, "reraise outside a catch handler")
        elif kind in ("await", "state"):
            self.check_ref(w, op["task"])
        elif kind == "cancel":
            self.check_ref(w, op["task"])
            if "msg" in op:
                self.check_str(w, op["msg"], nonempty=True)
        elif kind == "spawn":
            if not isinstance(op.get("group", False), bool):
                self.fail(w, "group must be a boolean")
            if op.get("group") and not in_tg:
                self.fail(w, "group spawn outside a taskgroup body")
            if "body" in op:
                self.new_label(w, op["task"])
                self.body(f"{w}({op['task']})", op["body"], in_tg=False, in_handler=False)
            elif not isinstance(op["task"], str) or op["task"] not in self.defs:
                self.fail(w, f"spawn of {op['task']!r}: no such task definition (or give a body)")
        elif kind == "gather":
            if not isinstance(op.get("return_exceptions", False), bool):
                self.fail(w, "return_exceptions must be a boolean")
            if not isinstance(op["items"], list):
                self.fail(w, "items must be a list")
            for j, x in enumerate(op["items"]):
                self.item(f"{w}.items[{j}]", x, True)
        elif kind in ("wait", "as_completed"):
            self.check_ticks(w, op.get("timeout"), True)
            rw = op.get("return_when", "ALL_COMPLETED")
            if kind == "wait" and (not isinstance(rw, str) or rw not in RETURN_WHEN):
                self.fail(w, f"return_when must be one of {sorted(RETURN_WHEN)}")
            if kind == "as_completed" and not isinstance(op.get("catch", False), bool):
                self.fail(w, "catch must be a boolean")
            if not isinstance(op["tasks"], list):
                self.fail(w, "tasks must be a list")
            seen = set()
            for j, x in enumerate(op["tasks"]):
                self.item(f"{w}.tasks[{j}]", x, False)
                key = x if isinstance(x, str) else x["name"]
                if key in seen:
                    self.fail(w, f"{key!r} listed twice")
                seen.add(key)
        elif kind == "wait_for":
            self.check_ticks(w, op.get("timeout"), True)
            self.item(f"{w}.item", op["item"], True)
        elif kind == "shield":
            self.item(f"{w}.item", op["item"], True)
        elif kind == "timeout":
            self.check_ticks(w, op["d"], True)
            self.body(w, op["body"], in_tg, in_handler)
        elif kind == "taskgroup":
            self.body(w, op["body"], True, in_handler)
        elif kind == "try":
            self.body(w, op["body"], in_tg, in_handler)
            if not isinstance(op["catch"], list) or not op["catch"]:
                self.fail(w, "catch must be a non-empty list of {kind, body}")
            for j, c in enumerate(op["catch"]):
                if not isinstance(c, dict) or set(c) != {"kind", "body"}:
                    self.fail(f"{w}.catch[{j}]", "a catch clause is exactly {kind, body}")
                if c["kind"] not in BUILTIN_CATCH_KINDS and not is_user_kind(c["kind"]):
                    self.fail(f"{w}.catch[{j}]", f"bad kind {c['kind']!r}")
                self.body(f"{w}.catch[{j}]", c["body"], in_tg, True)
        elif kind == "call":
            self.body(w, op["body"], in_tg=False, in_handler=False)


def validate(sc):
    Validator(sc).run()


# ---------------------------------------------------------------------------
# Pinned-order replacements for CPython's set iteration (S65)

def as_completed_ordered(fs, *, timeout=None):
    """asyncio.as_completed of CPython 3.11.7, verbatim except that `todo`
    is an insertion-ordered dict (argument order) instead of a set."""
    from asyncio.queues import Queue
    done = Queue()

    loop = events._get_event_loop()
    todo = dict.fromkeys(asyncio.ensure_future(f, loop=loop) for f in fs)
    timeout_handle = None

    def _on_timeout():
        for f in todo:
            f.remove_done_callback(_on_completion)
            done.put_nowait(None)  # Queue a dummy value for _wait_for_one().
        todo.clear()  # Can't do todo.remove(f) in the loop.

    def _on_completion(f):
        if not todo:
            return  # _on_timeout() was here first.
        del todo[f]
        done.put_nowait(f)
        if not todo and timeout_handle is not None:
            timeout_handle.cancel()

    async def _wait_for_one():
        f = await done.get()
        if f is None:
            # Dummy value from _on_timeout().
            raise exceptions.TimeoutError
        return f.result()  # May raise f.exception().

    for f in todo:
        f.add_done_callback(_on_completion)
    if todo and timeout is not None:
        timeout_handle = loop.call_later(timeout, _on_timeout)
    for _ in range(len(todo)):
        yield _wait_for_one()


class _InsertionOrderedSet:
    """The subset of set that TaskGroup uses, iterating in insertion order."""

    def __init__(self):
        self._d = {}

    def add(self, x):
        self._d[x] = None

    def discard(self, x):
        self._d.pop(x, None)

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)

    def __contains__(self, x):
        return x in self._d


class OrderedTaskGroup(asyncio.TaskGroup):
    """asyncio.TaskGroup whose abort cancels children in creation order."""

    def __init__(self):
        super().__init__()
        self._tasks = _InsertionOrderedSet()


# ---------------------------------------------------------------------------
# The interpreter

class Frame:
    """Lexical context of a running body: its trace label, the innermost
    enclosing TaskGroup of this body, the exception a catch handler handles."""
    __slots__ = ("label", "tg", "exc")

    def __init__(self, label, tg=None, exc=None):
        self.label = label
        self.tg = tg
        self.exc = exc


class Run:
    def __init__(self, sc):
        self.sc = sc
        self.defs = sc.get("tasks", {})
        self.lines = []
        self.loop = None
        self.coro_labels = {}      # coroutine object -> label (until it becomes a task)
        self.label_task = {}       # label -> Task
        self.task_label = {}       # Task -> label
        self.created = []          # every task, creation order (keeps them alive: no GC)
        self.error = None          # first ScenarioError raised inside a task

    # -- trace -------------------------------------------------------------
    def emit(self, label, event):
        self.lines.append(f"t={self.loop.time()} {label} {event}")

    # -- tasks and labels ---------------------------------------------------
    def on_task_created(self, task, coro):
        self.created.append(task)
        label = self.coro_labels.pop(coro, None)
        if label is None:
            return
        if label in self.label_task:
            self.scenario_error(f"label {label!r} started twice")
        self.label_task[label] = task
        self.task_label[task] = label

    def scenario_error(self, msg):
        err = ScenarioError(msg)
        if self.error is None:
            self.error = err
        raise err

    def make_coro(self, label, ops):
        coro = self.body(label, ops)
        self.coro_labels[coro] = label
        return coro

    def lookup(self, ref):
        task = self.label_task.get(ref)
        if task is None:
            self.scenario_error(f"no task named {ref!r} exists yet")
        return task

    def lookup_awaitable(self, ref):
        task = self.lookup(ref)
        if task is asyncio.current_task():
            self.scenario_error(f"task {ref!r} awaits itself")
        return task

    def resolve_item(self, item):
        """An awaitable for gather / wait_for / shield: a Task, a coroutine
        (inline body, wrapped into a task by asyncio itself, or run inline by
        wait_for(timeout=None)), or a nested gather future."""
        if isinstance(item, str):
            return self.lookup_awaitable(item)
        if "gather" in item:
            return self.make_gather(item["gather"], item.get("return_exceptions", False))
        return self.make_coro(item["name"], item["body"])

    def make_gather(self, items, return_exceptions):
        aws = [self.resolve_item(x) for x in items]
        return asyncio.gather(*aws, return_exceptions=return_exceptions)

    def task_items(self, items):
        """Tasks for wait / as_completed: references, or inline bodies that
        the interpreter turns into tasks itself, in argument order (S65)."""
        out = []
        for x in items:
            if isinstance(x, str):
                out.append(self.lookup_awaitable(x))
            else:
                out.append(asyncio.get_running_loop().create_task(
                    self.make_coro(x["name"], x["body"]), name=x["name"]))
        return out

    # -- bodies --------------------------------------------------------------
    async def body(self, label, ops):
        self.emit(label, "start")
        try:
            r = await self.exec_ops(Frame(label), ops)
        except ScenarioError:
            raise
        except BaseException as e:
            self.emit(label, "end raise " + fmt_exc(e))
            raise
        value = r[0] if r is not None else None
        self.emit(label, "end return " + fmt_value(value))
        return value

    async def exec_ops(self, frame, ops):
        """Runs ops in order; returns None, or (value,) when a return op ran."""
        for op in ops:
            r = await self.exec_op(frame, op)
            if r is not None:
                return r
        return None

    async def exec_op(self, frame, op):
        kind = op["op"]
        label = frame.label
        if kind == "sleep":
            await asyncio.sleep(op["d"])
        elif kind == "log":
            self.emit(label, "log " + fmt_str(op["msg"]))
        elif kind == "return":
            return (op.get("value"),)
        elif kind == "raise":
            k = op["kind"]
            cls = {"CancelledError": asyncio.CancelledError,
                   "TimeoutError": TimeoutError}.get(k) or user_error_class(k)
            raise cls(op["msg"]) if "msg" in op else cls()
        elif kind == "reraise":
            raise frame.exc
        elif kind == "await":
            task = self.lookup_awaitable(op["task"])
            v = await task
            self.emit(label, f"await {op['task']} -> {fmt_value(v)}")
        elif kind == "cancel":
            task = self.lookup(op["task"])
            r = task.cancel(op["msg"]) if "msg" in op else task.cancel()
            self.emit(label, f"cancel {op['task']} -> {fmt_bool(r)}")
        elif kind == "spawn":
            name = op["task"]
            coro = self.make_coro(name, op["body"] if "body" in op else self.defs[name])
            if op.get("group"):
                try:
                    frame.tg.create_task(coro, name=name)
                except RuntimeError:
                    # "TaskGroup <repr> is shutting down": the repr is not portable.
                    self.coro_labels.pop(coro, None)
                    coro.close()
                    raise RuntimeError("TaskGroup is shutting down") from None
            else:
                asyncio.get_running_loop().create_task(coro, name=name)
            self.emit(label, f"spawn {name}")
        elif kind == "gather":
            fut = self.make_gather(op["items"], op.get("return_exceptions", False))
            v = await fut
            self.emit(label, "gather -> " + fmt_value(v))
        elif kind == "wait":
            tasks = self.task_items(op["tasks"])
            done, pending = await asyncio.wait(
                tasks, timeout=op.get("timeout"),
                return_when=RETURN_WHEN[op.get("return_when", "ALL_COMPLETED")])
            d = ",".join(sorted(self.task_label[t] for t in done))
            p = ",".join(sorted(self.task_label[t] for t in pending))
            self.emit(label, f"wait -> done=[{d}] pending=[{p}]")
        elif kind == "wait_for":
            aw = self.resolve_item(op["item"])
            v = await asyncio.wait_for(aw, op.get("timeout"))
            self.emit(label, "wait_for -> " + fmt_value(v))
        elif kind == "as_completed":
            tasks = self.task_items(op["tasks"])
            for aw in as_completed_ordered(tasks, timeout=op.get("timeout")):
                if op.get("catch", False):
                    try:
                        v = await aw
                    except Exception as e:
                        self.emit(label, "as_completed raise " + fmt_exc(e))
                        continue
                else:
                    v = await aw
                self.emit(label, "as_completed -> " + fmt_value(v))
        elif kind == "shield":
            aw = self.resolve_item(op["item"])
            v = await asyncio.shield(aw)
            self.emit(label, "shield -> " + fmt_value(v))
        elif kind == "timeout":
            cm = asyncio.timeout(op["d"])
            async with cm:
                r = await self.exec_ops(frame, op["body"])
            self.emit(label, "timeout -> " + ("expired" if cm.expired() else "ok"))
            return r
        elif kind == "taskgroup":
            async with OrderedTaskGroup() as tg:
                r = await self.exec_ops(Frame(label, tg, frame.exc), op["body"])
            self.emit(label, "taskgroup -> ok")
            return r
        elif kind == "try":
            try:
                return await self.exec_ops(frame, op["body"])
            except ScenarioError:
                raise
            except BaseException as e:
                for clause in op["catch"]:
                    if self.matches(clause["kind"], e):
                        self.emit(label, "catch " + fmt_exc(e))
                        return await self.exec_ops(Frame(label, frame.tg, e), clause["body"])
                raise
        elif kind == "uncancel":
            n = asyncio.current_task().uncancel()
            self.emit(label, f"uncancel -> {n}")
        elif kind == "cancelling":
            n = asyncio.current_task().cancelling()
            self.emit(label, f"cancelling -> {n}")
        elif kind == "state":
            self.emit(label, f"state {op['task']} -> {self.state(self.lookup(op['task']))}")
        elif kind == "call":
            r = await self.exec_ops(Frame(label), op["body"])
            self.emit(label, "call -> " + fmt_value(r[0] if r is not None else None))
        else:
            raise ScenarioError(f"unknown op {kind!r}")
        return None

    @staticmethod
    def matches(kind, e):
        if kind == "CancelledError":
            return isinstance(e, asyncio.CancelledError)
        if kind == "TimeoutError":
            return isinstance(e, TimeoutError)
        if kind == "ExceptionGroup":
            return isinstance(e, ExceptionGroup)
        if kind == "Exception":
            return isinstance(e, Exception)
        if kind == "ValueError":
            return isinstance(e, ValueError)
        if kind == "RuntimeError":
            return isinstance(e, RuntimeError)
        return type(e) is _user_error_classes.get(kind)

    @staticmethod
    def state(task):
        if not task.done():
            return "pending"
        if task.cancelled():
            return "cancelled"
        exc = task.exception()
        if exc is not None:
            return "raise " + fmt_exc(exc)
        return "done " + fmt_value(task.result())

    # -- the run -------------------------------------------------------------
    def go(self):
        loop = vloop.VirtualLoop()
        self.loop = loop
        loop.on_task_created = self.on_task_created
        try:
            main = loop.create_task(self.make_coro("main", self.sc["main"]), name="main")
            try:
                loop.run_until_complete(main)
            except vloop.Deadlock as e:
                raise ScenarioError(str(e))
            except ScenarioError:
                raise
            except BaseException:
                pass  # main's outcome is in its end line and the final report
            # asyncio.run's _cancel_all_tasks, with the leftovers in creation
            # order instead of all_tasks()'s set order.
            leftovers = [t for t in self.created if not t.done()]
            if leftovers and self.error is None:
                for t in leftovers:
                    t.cancel()
                try:
                    loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                except vloop.Deadlock as e:
                    raise ScenarioError(str(e))
            if self.error is not None:
                raise self.error
            for label in sorted(self.label_task):
                self.emit(label, "final " + self.state(self.label_task[label]))
            lines = list(self.lines)
        finally:
            loop.close()
            self.close_leftovers()
        return lines

    def close_leftovers(self):
        """Closes the coroutines of tasks still pending after the run (and of
        coroutines never wrapped), so that GC does not run their cleanup
        later on a closed loop (asyncio.run would only log them)."""
        coros = [t.get_coro() for t in self.created if not t.done()] + list(self.coro_labels)
        self.coro_labels.clear()
        for coro in coros:
            try:
                coro.close()
            except BaseException:
                pass


def run_scenario(sc):
    """Validates and runs a scenario; returns its trace as a list of lines.
    Raises ScenarioError if the scenario is invalid or undefined."""
    validate(sc)
    return Run(sc).go()


def trace_text(sc):
    """The trace as printed: lines, or '#error <message>' for a scenario error."""
    try:
        return "".join(line + "\n" for line in run_scenario(sc))
    except ScenarioError as e:
        return f"#error {e}\n"


def main(argv):
    args = argv[1:]
    batch = False
    if args and args[0] == "--batch":
        batch, args = True, args[1:]
    if not args or (not batch and len(args) != 1):
        print(__doc__, file=sys.stderr)
        return 2
    status = 0
    for path in args:
        try:
            if path == "-":
                sc = json.load(sys.stdin)
            else:
                with open(path) as f:
                    sc = json.load(f)
            text = trace_text(sc)
        except (OSError, ValueError) as e:
            text = f"#error cannot read {path}: {e}\n"
        if text.startswith("#error"):
            status = 2
        sys.stdout.write(text)
        if batch:
            sys.stdout.write(f"#end {path}\n")
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
