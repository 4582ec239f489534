#!/usr/bin/env python3
"""Seeded random scenario generator (see README.md, "The generator").

    python3 gen.py SEED              # print the scenario for SEED as JSON
    python3 gen.py --out DIR A:B     # write DIR/gen_<seed>.json for seeds A..B-1

A scenario is a pure function of the seed (random.Random(seed), Python's
Mersenne Twister; nothing else is consulted). Sizes are bounded (op budget,
nesting depth, tick counts); the generated programs are biased toward equal
deadlines (durations and timeouts drawn from a few small tick counts),
cancellations landing mid-await, timeouts equal to completion times, nested
gathers and errors inside TaskGroups.

Well-definedness by construction (so a run never depends on set order, GC or
luck, and always terminates):
- every task reference names a task that certainly exists when the op runs:
  main spawns the task definitions t1..tn at the top level of its body, in
  order; other labels become visible only after the op that creates them, and
  only inside the block (try / timeout / taskgroup / handler) that created
  them;
- awaiting is acyclic: a body may await only tasks created before it that are
  not its ancestors (definition t_i sees t_1..t_{i-1}; an inline child sees
  what its parent saw, plus its earlier siblings); ancestors (and the task
  itself) may only be cancelled or inspected, never awaited;
- wait / as_completed get tasks (references or inline bodies the interpreter
  turns into tasks in argument order), never bare coroutines, never a task
  twice (S65);
- no loops: every body runs at most once, so everything terminates.
"""

import json
import os
import random
import sys

DURATIONS = [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5]
TIMEOUTS = [None, 0, 1, 1, 2, 2, 2, 3, 3, 4]
KINDS = ["Boom", "Bang"]
CATCH_KINDS = ["CancelledError", "CancelledError", "TimeoutError", "Exception", "Boom",
               "Bang", "ExceptionGroup"]


class Scope:
    """What a body may reference at the current position."""
    __slots__ = ("awaitable", "cancellable", "in_tg", "handler", "depth", "is_task")

    def __init__(self, awaitable, cancellable, in_tg=False, handler=None, depth=0, is_task=True):
        self.awaitable = awaitable      # labels that exist and are safe to await
        self.cancellable = cancellable  # labels that exist (awaitable + ancestors + self)
        self.in_tg = in_tg              # lexically inside a taskgroup body
        self.handler = handler          # kind caught by the enclosing handler, or None
        self.depth = depth
        self.is_task = is_task

    def block(self, **kw):
        s = Scope(list(self.awaitable), list(self.cancellable), self.in_tg, self.handler,
                  self.depth + 1, self.is_task)
        for k, v in kw.items():
            setattr(s, k, v)
        return s

    def add(self, label):
        self.awaitable.append(label)
        self.cancellable.append(label)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.n = 0
        self.budget = self.r.choice([6, 10, 14, 20, 28, 36])
        self.max_depth = self.r.choice([1, 2, 3, 3])

    # -- small pieces --------------------------------------------------------
    def label(self):
        self.n += 1
        return f"c{self.n}"

    def dur(self):
        return self.r.choice(DURATIONS)

    def timeout(self):
        return self.r.choice(TIMEOUTS)

    def value(self, depth=0):
        x = self.r.random()
        if x < 0.5:
            return self.r.randint(0, 9)
        if x < 0.75:
            return self.r.choice(["a", "b", "c", "x y", ""])
        if x < 0.85 or depth > 0:
            return None
        return [self.value(1) for _ in range(self.r.randint(0, 3))]

    def pick(self, seq):
        return self.r.choice(seq) if seq else None

    # -- bodies --------------------------------------------------------------
    def body(self, scope, n_max):
        ops = []
        n = self.r.randint(1, n_max)
        for _ in range(n):
            if self.budget <= 0:
                break
            self.budget -= 1
            op = self.op(scope)
            if op is None:
                continue
            ops.append(op)
            if op["op"] in ("return", "raise", "reraise"):
                break
        if self.r.random() < 0.35 and self.budget > 0 and (not ops or ops[-1]["op"] not in ("return", "raise", "reraise")):
            ops.append({"op": "return", "value": self.value()})
        return ops

    def inline(self, scope, becomes_task, siblings=()):
        """An inline {name, body} item; its body sees the parent's awaitables
        and the earlier siblings, and may cancel the parent's ancestors."""
        label = self.label()
        aw = list(scope.awaitable) + list(siblings)
        cn = list(scope.cancellable) + list(siblings) + ([label] if becomes_task else [])
        child = Scope(aw, cn, False, None, scope.depth + 1, becomes_task)
        return {"name": label, "body": self.child_body(child)}

    def child_body(self, scope):
        ops = []
        if self.r.random() < 0.8:
            ops.append({"op": "sleep", "d": self.dur()})
        ops += self.body(scope, 3)
        if self.r.random() < 0.6 and not (ops and ops[-1]["op"] in ("return", "raise", "reraise")):
            if self.r.random() < 0.25:
                ops.append({"op": "raise", "kind": self.r.choice(KINDS), "msg": self.r.choice(["x", "y"])})
            else:
                ops.append({"op": "return", "value": self.value()})
        return ops

    def items(self, scope, k_max, allow_gather, distinct, becomes_task=True):
        """Items for gather / wait / as_completed; returns (items, new labels)."""
        items, new = [], []
        refs = list(scope.awaitable)
        for _ in range(self.r.randint(1 if not allow_gather else 0, k_max)):
            x = self.r.random()
            if refs and x < 0.4:
                ref = self.r.choice(refs)
                if distinct:
                    refs.remove(ref)
                items.append(ref)
            elif allow_gather and x < 0.55 and scope.depth < self.max_depth:
                sub, sub_new = self.items(scope.block(), 3, True, False)
                items.append({"gather": sub, "return_exceptions": self.r.random() < 0.4})
                new += sub_new
            else:
                it = self.inline(scope, becomes_task, [l for l in new if l in self._direct])
                items.append(it)
                new.append(it["name"])
                self._direct.add(it["name"])
        return items, new

    def op(self, scope):
        r = self.r
        deep = scope.depth >= self.max_depth
        choices = [("sleep", 14), ("log", 4), ("return", 2), ("raise", 2)]
        if scope.awaitable:
            choices += [("await", 6), ("state", 1)]
        if scope.cancellable:
            choices += [("cancel", 6)]
        if scope.handler:
            choices += [("reraise", 3), ("uncancel", 4 if scope.handler == "CancelledError" else 1)]
        if scope.is_task:
            choices += [("cancelling", 1), ("uncancel", 1)]
        if not deep:
            choices += [("spawn", 4), ("gather", 6), ("wait", 4), ("wait_for", 5), ("as_completed", 3),
                        ("shield", 2), ("timeout", 4), ("taskgroup", 4), ("try", 7), ("call", 2)]
            if scope.in_tg:
                choices += [("spawn_group", 8)]
        total = sum(w for _, w in choices)
        x = r.uniform(0, total)
        for kind, w in choices:
            x -= w
            if x <= 0:
                break
        if kind == "sleep":
            return {"op": "sleep", "d": self.dur()}
        if kind == "log":
            return {"op": "log", "msg": r.choice(["a", "b", "hello", "here"])}
        if kind == "return":
            return {"op": "return", "value": self.value()}
        if kind == "raise":
            if r.random() < 0.15:
                op = {"op": "raise", "kind": "CancelledError"}
                if r.random() < 0.5:
                    op["msg"] = "own"
                return op
            return {"op": "raise", "kind": r.choice(KINDS), "msg": r.choice(["x", "y", ""])}
        if kind == "reraise":
            return {"op": "reraise"}
        if kind == "await":
            return {"op": "await", "task": r.choice(scope.awaitable)}
        if kind == "state":
            return {"op": "state", "task": r.choice(scope.cancellable if r.random() < 0.3 else scope.awaitable)}
        if kind == "cancel":
            op = {"op": "cancel", "task": r.choice(scope.cancellable)}
            if r.random() < 0.4:
                op["msg"] = r.choice(["m", "stop", "n"])
            return op
        if kind == "uncancel":
            return {"op": "uncancel"}
        if kind == "cancelling":
            return {"op": "cancelling"}
        if kind == "spawn":
            it = self.inline(scope, True)
            scope.add(it["name"])
            return {"op": "spawn", "task": it["name"], "body": it["body"]}
        if kind == "spawn_group":
            it = self.inline(scope, True)
            scope.add(it["name"])
            return {"op": "spawn", "task": it["name"], "body": it["body"], "group": True}
        if kind == "gather":
            self._direct = set()
            items, new = self.items(scope, 4, True, False)
            for l in new:
                scope.add(l)
            op = {"op": "gather", "items": items}
            if r.random() < 0.5:
                op["return_exceptions"] = True
            return op
        if kind in ("wait", "as_completed"):
            self._direct = set()
            if kind == "wait" and r.random() < 0.02:
                return {"op": "wait", "tasks": []}
            items, new = self.items(scope, 4, False, True)
            for l in new:
                scope.add(l)
            op = {"op": kind, "tasks": items}
            t = self.timeout()
            if t is not None or r.random() < 0.3:
                op["timeout"] = t
            if kind == "wait":
                op["return_when"] = r.choice(["ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"])
            elif r.random() < 0.6:
                op["catch"] = True
            return op
        if kind in ("wait_for", "shield"):
            t = self.timeout() if kind == "wait_for" else 0
            x = r.random()
            if scope.awaitable and x < 0.4:
                item = r.choice(scope.awaitable)
            elif x < 0.55:
                self._direct = set()
                sub, new = self.items(scope.block(), 3, True, False)
                item = {"gather": sub, "return_exceptions": r.random() < 0.4}
                for l in new:
                    scope.add(l)
            else:
                item = self.inline(scope, t is not None)
                if t is not None:
                    scope.add(item["name"])
            op = {"op": kind, "item": item}
            if kind == "wait_for":
                op["timeout"] = t
            return op
        if kind == "timeout":
            d = self.timeout()
            return {"op": "timeout", "d": d, "body": self.body(scope.block(), 4)}
        if kind == "taskgroup":
            inner = scope.block(in_tg=True)
            ops = []
            for _ in range(r.randint(1, 3)):
                it = self.inline(inner, True)
                if r.random() < 0.35:
                    it["body"].append({"op": "raise", "kind": r.choice(KINDS), "msg": "tg"})
                inner.add(it["name"])
                ops.append({"op": "spawn", "task": it["name"], "body": it["body"], "group": True})
            ops += self.body(inner, 3)
            return {"op": "taskgroup", "body": ops}
        if kind == "try":
            body = self.body(scope.block(), 4)
            catches = []
            kinds = r.sample(CATCH_KINDS, r.randint(1, 2))
            for k in dict.fromkeys(kinds):
                h = scope.block(handler=k)
                hops = [{"op": "log", "msg": "caught"}]
                if k == "CancelledError" and r.random() < 0.5:
                    hops.append({"op": "uncancel"})
                hops += self.body(h, 2) if r.random() < 0.5 else []
                if r.random() < 0.3 and hops[-1]["op"] not in ("return", "raise", "reraise"):
                    hops.append({"op": "reraise"})
                catches.append({"kind": k, "body": hops})
            return {"op": "try", "body": body, "catch": catches}
        if kind == "call":
            inner = Scope(list(scope.awaitable), list(scope.cancellable), False, None,
                          scope.depth + 1, scope.is_task)
            return {"op": "call", "body": self.body(inner, 3)}
        raise AssertionError(kind)

    def scenario(self):
        r = self.r
        self._direct = set()
        ndefs = r.choice([0, 1, 2, 2, 3, 3, 4, 5])
        names = [f"t{i}" for i in range(1, ndefs + 1)]
        defs = {}
        for i, name in enumerate(names):
            self.budget = r.choice([2, 4, 6, 10])
            scope = Scope(names[:i], names[:i] + ["main", name])
            defs[name] = self.child_body(scope)
        self.budget = r.choice([4, 8, 12, 18, 26])
        main_scope = Scope([], ["main"])
        main = []
        for name in names:
            if r.random() < 0.3 and self.budget > 0:
                main += self.body(main_scope, 2)
                if main and main[-1]["op"] in ("return", "raise", "reraise"):
                    main.pop()
            main.append({"op": "spawn", "task": name})
            main_scope.add(name)
        main += self.body(main_scope, 6)
        if main[-1]["op"] not in ("return", "raise", "reraise") and names and r.random() < 0.7:
            # Usually main ends by waiting for its workers (else teardown cancels them).
            x = r.random()
            if x < 0.4:
                main.append({"op": "gather", "items": list(names), "return_exceptions": r.random() < 0.7})
            elif x < 0.7:
                main.append({"op": "wait", "tasks": list(names)})
            elif x < 0.85:
                main.append({"op": "as_completed", "tasks": list(names), "catch": True})
            else:
                main.append({"op": "sleep", "d": 12})
        return {"name": f"gen_{self.seed}", "seed": self.seed, "tasks": defs, "main": main}


def generate(seed):
    return Gen(seed).scenario()


def parse_range(s):
    a, _, b = s.partition(":")
    return int(a), int(b)


def main(argv):
    if len(argv) == 2 and argv[1].lstrip("-").isdigit():
        print(json.dumps(generate(int(argv[1])), indent=1))
        return 0
    if len(argv) == 4 and argv[1] == "--out":
        os.makedirs(argv[2], exist_ok=True)
        a, b = parse_range(argv[3])
        for seed in range(a, b):
            with open(os.path.join(argv[2], f"gen_{seed}.json"), "w") as f:
                json.dump(generate(seed), f)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
