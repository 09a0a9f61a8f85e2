#!/usr/bin/env python3
"""A windowed timeline (--from/--to, as qemu-trace --split writes per test) names only
the processes that have events in that window.

    python3 tools/convert/tests/window_procs_test.py CONVERTER VMTGEN

Generates a recording with many short-lived processes, converts it whole and in three
windows, and checks in each: every process_name/thread_name belongs to a pid with an
event in the file, and a window names fewer processes than the whole run.
Exit status 0 if all passed.
"""

import json
import os
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def pids(path):
    events = json.load(open(path))["traceEvents"]
    named = {e["pid"] for e in events if e["ph"] == "M" and
             e["name"] in ("process_name", "thread_name")}
    used = {e["pid"] for e in events if e["ph"] != "M"}
    return named, used, max((e["ts"] for e in events if "ts" in e), default=0)


def main(argv):
    conv, vmtgen = argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        rec, whole = os.path.join(tmp, "g.vmt"), os.path.join(tmp, "g.json")
        subprocess.run([vmtgen, "-s", "3", "-n", "60000", "-p", "16", "-o", rec], check=True)
        subprocess.run([conv, rec, "-o", whole], check=True)
        all_named, _, end = pids(whole)
        for lo, hi in ((0.0, 0.1), (0.4, 0.5), (0.9, 1.0)):
            out = os.path.join(tmp, "w.json")
            subprocess.run([conv, rec, "-o", out, "--from", "%.3f" % (lo * end),
                            "--to", "%.3f" % (hi * end)], check=True)
            named, used, _ = pids(out)
            check(named <= used, "window %.1f-%.1f: %d processes named, all with events "
                  "(%d without)" % (lo, hi, len(named), len(named - used)))
            check(len(named) < len(all_named), "window %.1f-%.1f: fewer than the run's %d"
                  % (lo, hi, len(all_named)))
    print("window processes: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
