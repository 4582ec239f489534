#!/usr/bin/env python3
"""Two builds of bench_simloop side by side, interleaved, on one machine.

    git worktree add /tmp/before <commit>
    cmake --preset release -B /tmp/before/build -S /tmp/before
    cmake --build /tmp/before/build --target bench_simloop
    bench/compare.py /tmp/before/build/bench/bench_simloop build/bench-release/bench/bench_simloop

On a shared, noisy machine two runs an hour apart can differ by more than
the change being measured; alternating the two binaries workload by workload
(several rounds) exposes both to the same noise. Prints a Markdown table of
median CPU ns per operation over the warm repetitions (the first repetition
of each process, on fresh pages, is left out of the time and gives the peak
RSS per task instead) and the ratio before/after.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

WORKLOADS = {"W1a": 1_000_000, "W1b": 1_000_000, "W2": 10_000_000, "W2c": 10_000_000, "W3": 1_000_000, "W4": 1_000_000}
# As bench/run.py: glibc keeps freed memory, so warm repetitions reuse it.
TUNABLES = "glibc.malloc.trim_threshold=68719476736:glibc.malloc.mmap_threshold=33554432"


def run(binary, workload, n, reps, config, env):
    out = subprocess.run([binary, workload, str(n), str(reps), config], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{binary} {workload} failed:\n{out.stderr}")
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    for r in rows:
        if not r.get("ok", False):
            sys.exit(f"{binary} {workload}: wrong sum {r.get('sum')} (expected {r.get('expected')})")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", help="bench_simloop binary (the baseline)")
    ap.add_argument("after", help="bench_simloop binary (the change)")
    ap.add_argument("--workloads", default="W1a,W1b,W2,W3,W4", help="comma-separated (default %(default)s)")
    ap.add_argument("--config", default="sim-random", help="bench_simloop config (default %(default)s)")
    ap.add_argument("--reps", type=int, default=4, help="repetitions per process (default %(default)s)")
    ap.add_argument("--rounds", type=int, default=2, help="alternations of the two binaries (default %(default)s)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every n (e.g. 0.01 for a quick look)")
    args = ap.parse_args()
    if args.reps < 2:
        sys.exit("--reps must be at least 2: the first repetition is cold and left out")

    env = dict(os.environ, GLIBC_TUNABLES=TUNABLES)
    names = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for w in names:
        if w not in WORKLOADS:
            sys.exit(f"unknown workload {w}: choose from {', '.join(WORKLOADS)}")
    times, rss = {}, {}
    for _ in range(args.rounds):
        for w in names:
            n = max(1, int(WORKLOADS[w] * args.scale))
            for side, binary in (("before", args.before), ("after", args.after)):
                rows = run(binary, w, n, args.reps, args.config, env)
                times.setdefault((w, side), []).extend(r["cpu_ns"] / r["ops"] for r in rows[1:])
                if rows[0].get("rss_added", -1) > 0:
                    rss.setdefault((w, side), []).append(rows[0]["rss_added"] / rows[0]["ops"])

    print(f"config {args.config}, {args.rounds} rounds x {args.reps} repetitions; median CPU ns per operation (warm)")
    print("| workload | before | after | before/after | peak bytes/op before | after |")
    print("|---|---|---|---|---|---|")
    for w in names:
        b, a = statistics.median(times[(w, "before")]), statistics.median(times[(w, "after")])
        rb = f"{statistics.median(rss[(w, 'before')]):,.0f}" if (w, "before") in rss else "-"
        ra = f"{statistics.median(rss[(w, 'after')]):,.0f}" if (w, "after") in rss else "-"
        print(f"| {w} | {b:,.1f} | {a:,.1f} | {b / a:.2f}x | {rb} | {ra} |")


if __name__ == "__main__":
    main()
