#!/usr/bin/env python3
"""Runs the harness test binaries as subprocesses and checks what a user sees:
the buggy cases fail with a report (seed, token, replay line); the replay line
fails again with the same trace hash; SIMLOOP_SEED / SIMLOOP_SHARD select the
expected runs; malformed values are refused; simloop-sweep finds the failure
and writes valid JUnit XML. Exit 0 when every check held."""
import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

failures = []


def check(cond, what, output=""):
    if cond:
        print(f"ok    {what}")
    else:
        print(f"FAIL  {what}")
        if output:
            print("      output (last 40 lines):\n" + "\n".join(output.splitlines()[-40:]))
        failures.append(what)


def run(cmd, env=None, shell=False):
    full = dict(os.environ)
    for k in list(full):
        if k.startswith("SIMLOOP_") or k.startswith("RC_"):
            del full[k]
    full.update(env or {})
    p = subprocess.run(cmd, env=full, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace", timeout=240)
    return p.returncode, p.stdout


def results(out):
    return [json.loads(l[len("SIMLOOP_RESULT "):]) for l in out.splitlines() if l.startswith("SIMLOOP_RESULT ")]


def one_result(out):
    rs = results(out)
    return rs[0] if len(rs) == 1 else None


def check_failure_and_replay(label, cmd):
    rc, out = run(cmd, {"SIMLOOP_MACHINE": "1"})
    r = one_result(out)
    check(rc != 0 and r is not None and r["status"] == "fail", f"{label}: the buggy case fails", out)
    if not r or r["status"] != "fail":
        return None
    check(f"seed:       {r['seed']}" in out and r["token"] in out and r["token"].startswith("SL2."),
          f"{label}: the report shows the seed and the token", out)
    check("SIMLOOP_REPLAY=" + r["token"] in out and r["replay"] in out,
          f"{label}: the report shows the replay line", out)
    check("suspended on" in r["report"] and "t=0.0" in r["report"], f"{label}: the report has a trace timeline", out)
    # The replay line, run by a shell exactly as printed.
    rc2, out2 = run(r["replay"], {"SIMLOOP_MACHINE": "1"}, shell=True)
    r2 = one_result(out2)
    check(rc2 != 0 and r2 is not None and r2["status"] == "fail" and r2["replayed"],
          f"{label}: the replay line fails again", out2)
    if r2:
        check(r2["trace_hash"] == r["trace_hash"] and r2["same_hash"],
              f"{label}: the replay has the same trace hash ({r['trace_hash']})", out2)
        check(r2["check"] == r["check"], f"{label}: the replay fails the same check", out2)
    # SIMLOOP_SEED of the failing seed: one run, the same run.
    rc3, out3 = run(cmd, {"SIMLOOP_MACHINE": "1", "SIMLOOP_SEED": str(r["seed"])})
    r3 = one_result(out3)
    check(rc3 != 0 and r3 is not None and r3["runs"] == 1 and r3["trace_hash"] == r["trace_hash"],
          f"{label}: SIMLOOP_SEED={r['seed']} runs that one schedule and fails the same way", out3)
    return r


def check_catch(binary, sweep):
    r = check_failure_and_replay("catch2", [binary, "lost update"])
    if r:
        check("REQUIRE( balance == 2 )" in r["check"], "catch2: the failing check is named", r["check"])
        check("1 == 2" in run([binary, "lost update"])[1], "catch2: the failing values are shown")

    rc, out = run([binary, "deadlocks"], {"SIMLOOP_MACHINE": "1"})
    r = one_result(out)
    check(rc != 0 and r and "deadlock" in r["check"], "catch2: a deadlock is reported as the failure", out)

    passing = [binary, "always passes"]
    rc, out = run(passing, {"SIMLOOP_MACHINE": "1"})
    r = one_result(out)
    check(rc == 0 and r and r["status"] == "pass" and r["runs"] == 100, "catch2: 100 schedules by default", out)
    total = 0
    for i in range(3):
        rc, out = run(passing, {"SIMLOOP_MACHINE": "1", "SIMLOOP_RUNS": "31", "SIMLOOP_SHARD": f"{i}/3"})
        r = one_result(out)
        check(rc == 0 and r and r["runs"] == [11, 10, 10][i], f"catch2: SIMLOOP_SHARD={i}/3 of 31 runs its share",
              out)
        total += r["runs"] if r else 0
    check(total == 31, "catch2: the three shards add up to the 31 runs")
    rc, out = run(passing, {"SIMLOOP_MACHINE": "1", "SIMLOOP_SEED": "12345"})
    r = one_result(out)
    check(rc == 0 and r and r["runs"] == 1, "catch2: SIMLOOP_SEED runs exactly one schedule", out)

    rc, out = run(passing, {"SIMLOOP_STRATEGY": "bogus"})
    check(rc != 0 and "SIMLOOP_STRATEGY='bogus'" in out and "random, pct, fifo, dfs" in out,
          "catch2: an unknown strategy is refused, listing the valid ones", out)
    rc, out = run(passing, {"SIMLOOP_SHARD": "4/4"})
    check(rc != 0 and "SIMLOOP_SHARD='4/4'" in out, "catch2: a malformed shard is refused", out)
    rc, out = run(passing, {"SIMLOOP_REPLAY": "SL2.garbage"})
    check(rc != 0 and "SIMLOOP_REPLAY" in out, "catch2: a corrupted token is refused", out)

    # simloop-sweep over the buggy case: finds it, dedups, writes JUnit.
    junit = os.path.join(args.workdir, "sweep.xml")
    rc, out = run([sys.executable, sweep, "--runs", "120", "--jobs", "2", "--junit", junit, "--", binary,
                   "lost update"])
    check(rc == 1, "sweep: exits 1 on failure", out)
    check("distinct failure 1 of" in out and "SIMLOOP_REPLAY=SL2." in out,
          "sweep: prints each distinct failure with its replay line", out)
    try:
        root = ET.parse(junit).getroot()
        fl = root.findall("./testcase/failure")
        check(root.tag == "testsuite" and len(fl) >= 1 and "SIMLOOP_REPLAY=SL2." in (fl[0].text or "")
              and int(root.get("failures")) == len(fl), "sweep: the JUnit file is valid XML with the failure in it")
    except (ET.ParseError, OSError, TypeError) as e:
        check(False, f"sweep: the JUnit file is valid XML ({e})")
    # Two sweep shards over a passing case partition the seeds.
    seen = 0
    for i in range(2):
        rc, out = run([sys.executable, sweep, "--runs", "90", "--chunk", "7", "--jobs", "2", "--shard", f"{i}/2",
                       "--", binary, "always passes"])
        check(rc == 0, f"sweep: shard {i}/2 of a passing case exits 0", out)
        last = [l for l in out.splitlines() if l.startswith("simloop-sweep: ") and " seeds, " in l]
        seen += int(last[-1].split()[1]) if last else 0
    check(seen == 90, f"sweep: shards 0/2 and 1/2 cover the 90 seeds exactly ({seen})")
    rc, out = run([sys.executable, sweep, "--shard", "2/2", "--", binary])
    check(rc == 2 and "0 <= i < n" in out, "sweep: a malformed --shard is refused", out)


def check_gtest(binary):
    cmd = [binary, "--gtest_also_run_disabled_tests", "--gtest_filter=Harness.DISABLED_LostUpdate"]
    r = check_failure_and_replay("gtest", cmd)
    if r:
        check("Which is: 1" in r["check"], "gtest: the failing expectation and its values are named", r["check"])
    rc, out = run([binary], {"SIMLOOP_MACHINE": "1", "SIMLOOP_RUNS": "20"})
    r = one_result(out)
    check(rc == 0 and r and r["runs"] == 20, "gtest: the passing test runs SIMLOOP_RUNS schedules", out)
    rc, out = run([binary], {"SIMLOOP_TIME_BUDGET": "soon"})
    check(rc != 0 and "SIMLOOP_TIME_BUDGET='soon'" in out, "gtest: a malformed time budget is refused", out)


def check_rapidcheck(binary):
    rc, out = run([binary, "--buggy"])
    check(rc != 0 and "Falsifiable" in out and "token:      SL2." in out and "RC_PARAMS" in out,
          "rapidcheck: the lost update is a counterexample with a schedule token", out)
    rc, out = run([binary])
    check(rc == 0 and "OK, passed" in out, "rapidcheck: a property that holds passes", out)


ap = argparse.ArgumentParser()
ap.add_argument("--catch")
ap.add_argument("--gtest")
ap.add_argument("--rapidcheck")
ap.add_argument("--sweep")
ap.add_argument("--workdir", default=".")
args = ap.parse_args()
os.makedirs(args.workdir, exist_ok=True)
if args.catch:
    check_catch(args.catch, args.sweep)
if args.gtest:
    check_gtest(args.gtest)
if args.rapidcheck:
    check_rapidcheck(args.rapidcheck)
print(f"\n{len(failures)} check(s) failed" if failures else "\nall checks passed")
sys.exit(1 if failures else 0)
