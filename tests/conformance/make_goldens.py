#!/usr/bin/env python3
"""Writes scenarios/NNN_name.trace, the CPython 3.11 trace of each
scenarios/NNN_name.json (run on interp.py's virtual-time loop).

    python3 make_goldens.py            # (re)write every golden
    python3 make_goldens.py --check    # exit 1 if any golden is missing or stale

Goldens are committed so that the C++ suite can compare against them where
python3 is missing; driver.py --self-check also checks them against live CPython.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import interp  # noqa: E402


def main(argv):
    check = "--check" in argv[1:]
    if sys.version_info[:2] != (3, 11):
        print(f"warning: goldens are CPython 3.11 traces; this is {sys.version.split()[0]}", file=sys.stderr)
    stale = 0
    for path in sorted(glob.glob(os.path.join(HERE, "scenarios", "*.json"))):
        with open(path) as f:
            sc = json.load(f)
        text = interp.trace_text(sc)
        if text.startswith("#error"):
            print(f"{os.path.basename(path)}: {text.strip()}", file=sys.stderr)
            stale += 1
            continue
        golden = os.path.splitext(path)[0] + ".trace"
        old = open(golden).read() if os.path.exists(golden) else None
        if old != text:
            stale += 1
            print(f"{'stale' if check else 'wrote'} {os.path.basename(golden)}")
            if not check:
                with open(golden, "w") as f:
                    f.write(text)
    return 1 if (check and stale) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
