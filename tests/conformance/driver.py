#!/usr/bin/env python3
"""Differential conformance driver (see README.md).

    driver.py --cxx 'CMD ARGS' [--seeds A:B] [--no-golden] [--batch N] [--fail-dir DIR]
        Runs the C++ interpreter CMD (batch protocol: `CMD ARGS --batch F1 F2 ...`)
        on every hand-written scenario (compared with its golden .trace, and the
        golden with live CPython) and on the generated seeds A..B-1 (compared
        with live CPython).
    driver.py --self-check [--seeds A:B]
        No C++: checks every golden against live CPython, and runs each
        generated seed twice on CPython (must terminate, be valid, and give the
        same trace both times).

Prints the first differing line of each failure (the scenario, expected and
actual traces are written to --fail-dir, default ./conformance-failures) and
ends with the line `N passed, M failed`. Exit status 1 on any failure.
"""

import argparse
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen      # noqa: E402
import interp   # noqa: E402

SCENARIO_DIR = os.path.join(HERE, "scenarios")


def hand_written():
    """(name, path, scenario, golden text) for every scenarios/NNN_*.json."""
    out = []
    for path in sorted(glob.glob(os.path.join(SCENARIO_DIR, "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            sc = json.load(f)
        golden_path = os.path.splitext(path)[0] + ".trace"
        golden = None
        if os.path.exists(golden_path):
            with open(golden_path) as f:
                golden = f.read()
        out.append((name, path, sc, golden))
    return out


def first_difference(expected, got):
    """(line number, expected line, got line) of the first difference, or None."""
    e, g = expected.splitlines(), got.splitlines()
    for i in range(max(len(e), len(g))):
        a = e[i] if i < len(e) else "<end of trace>"
        b = g[i] if i < len(g) else "<end of trace>"
        if a != b:
            return i + 1, a, b
    return None


class Report:
    def __init__(self, fail_dir, max_print):
        self.passed = 0
        self.failed = 0
        self.fail_dir = fail_dir
        self.max_print = max_print

    def ok(self):
        self.passed += 1

    def fail(self, name, what, sc, expected, got, note=""):
        self.failed += 1
        os.makedirs(self.fail_dir, exist_ok=True)
        base = os.path.join(self.fail_dir, name)
        with open(base + ".json", "w") as f:
            json.dump(sc, f, indent=1)
        with open(base + ".expected", "w") as f:
            f.write(expected)
        with open(base + ".got", "w") as f:
            f.write(got)
        if self.failed <= self.max_print:
            diff = first_difference(expected, got)
            print(f"FAIL {name}: {what}{' (' + note + ')' if note else ''}")
            if diff:
                n, a, b = diff
                print(f"  line {n}: expected: {a}")
                print(f"  line {n}: got:      {b}")
            print(f"  scenario: {base}.json  (traces: {base}.expected, {base}.got)")
        elif self.failed == self.max_print + 1:
            print("... (further failures are counted, not printed)")

    def check(self, name, what, sc, expected, got, note=""):
        if expected == got:
            self.ok()
            return True
        self.fail(name, what, sc, expected, got, note)
        return False


def parse_seeds(s):
    if s is None:
        return range(0)
    a, _, b = s.partition(":")
    return range(int(a), int(b))


# ---------------------------------------------------------------------------
# The C++ side: batch protocol

def run_cxx_batch(cmd, paths, timeout_s):
    """{path: trace text} from one invocation; paths whose '#end' marker is
    missing (crash, timeout) are absent. Returns (traces, note)."""
    traces, note = {}, ""
    try:
        proc = subprocess.run(cmd + ["--batch"] + paths, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout_s, text=True)
        out = proc.stdout
        if proc.returncode not in (0, 2):
            note = f"exit status {proc.returncode}; stderr: {proc.stderr.strip()[-300:]}"
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        note = f"timed out after {timeout_s}s"
    cur = []
    for line in out.splitlines(keepends=True):
        if line.startswith("#end "):
            traces[line[5:].rstrip("\n")] = "".join(cur)
            cur = []
        else:
            cur.append(line)
    return traces, note


def run_cxx(cmd, paths, batch, timeout_s=120):
    """{path: (trace text or None, note)} for every path, in batches; a path
    missing from its batch's output is retried alone."""
    result = {}
    for i in range(0, len(paths), batch):
        chunk = paths[i:i + batch]
        traces, note = run_cxx_batch(cmd, chunk, timeout_s)
        for p in chunk:
            if p in traces:
                result[p] = (traces[p], "")
            else:
                t, n = run_cxx_batch(cmd, [p], 20)
                result[p] = (t.get(p), n or note or "no '#end' marker in the output")
    return result


# ---------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cxx", help="command of the C++ interpreter (shell-split; '--batch FILES' is appended)")
    ap.add_argument("--self-check", action="store_true", help="no C++: goldens vs live CPython, seeds twice")
    ap.add_argument("--seeds", help="generated seeds A:B (A inclusive, B exclusive)")
    ap.add_argument("--no-golden", action="store_true", help="skip the hand-written scenarios")
    ap.add_argument("--batch", type=int, default=250, help="scenario files per C++ invocation")
    ap.add_argument("--fail-dir", default="conformance-failures", help="where failing scenarios are written")
    ap.add_argument("--max-print", type=int, default=10, help="failures printed in full")
    args = ap.parse_args(argv[1:])
    if bool(args.cxx) == bool(args.self_check):
        ap.error("give exactly one of --cxx CMD or --self-check")

    rep = Report(args.fail_dir, args.max_print)
    seeds = parse_seeds(args.seeds)
    t0 = time.time()

    if args.self_check:
        if not args.no_golden:
            for name, path, sc, golden in hand_written():
                live = interp.trace_text(sc)
                if golden is None:
                    rep.fail(name, "no golden .trace (run make_goldens.py)", sc, "", live)
                else:
                    rep.check(name, "golden differs from live CPython", sc, golden, live)
                if live.startswith("#error"):
                    print(f"note: {name}: {live.strip()}")
        for seed in seeds:
            sc = gen.generate(seed)
            a = interp.trace_text(sc)
            b = interp.trace_text(gen.generate(seed))
            name = f"gen_{seed}"
            if a.startswith("#error"):
                rep.fail(name, "generated scenario is invalid or undefined", sc, "", a)
            else:
                rep.check(name, "CPython trace not deterministic", sc, a, b)
    else:
        cmd = shlex.split(args.cxx)
        with tempfile.TemporaryDirectory(prefix="simloop-conf-") as tmp:
            cases = []   # (name, path, scenario, expected, what)
            if not args.no_golden:
                for name, path, sc, golden in hand_written():
                    live = interp.trace_text(sc)
                    if golden is not None and golden != live:
                        rep.fail(name, "golden differs from live CPython (stale golden?)", sc, golden, live)
                    expected = golden if golden is not None else live
                    cases.append((name, os.path.abspath(path), sc, expected, "C++ differs from golden"))
            for seed in seeds:
                sc = gen.generate(seed)
                name = f"gen_{seed}"
                path = os.path.join(tmp, name + ".json")
                with open(path, "w") as f:
                    json.dump(sc, f)
                expected = interp.trace_text(sc)
                if expected.startswith("#error"):
                    rep.fail(name, "generated scenario is invalid or undefined on CPython", sc, "", expected)
                    continue
                cases.append((name, path, sc, expected, "C++ differs from CPython"))
            got = run_cxx(cmd, [c[1] for c in cases], args.batch)
            for name, path, sc, expected, what in cases:
                text, note = got[path]
                rep.check(name, what, sc, expected, text if text is not None else "", note)

    print(f"({time.time() - t0:.1f}s)", file=sys.stderr)
    print(f"{rep.passed} passed, {rep.failed} failed")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
