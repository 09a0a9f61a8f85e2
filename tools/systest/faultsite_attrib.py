#!/usr/bin/env python3
"""The converter's names for a recording of user/faultsite (issue 14's end-to-end test).

    python3 tools/convert/tests/faultsite_attrib.py FAULTSITE.json [user/faultsite.c]

FAULTSITE.json: `vmtrace record -- faultsite` converted with --symbols (qemu-trace does
that). Between faultsite's markers (see the top of user/faultsite.c):
  "faultsite: user"     every fault's `at` is g+OFF (user/faultsite.c:LINE), one line,
                        inside g's body; `stack` is exactly g < f < main < _main
  "faultsite: syscall"  kernel-side faults: `at` in the read stub (build/user/usys.S,
                        generated), `stack` read < readinto < main < _main (the system
                        call's caller)
  "faultsite: deep"     `stack` begins g < deep and ends in "< ..." (truncated).
Exit status 0 if all passed. tools/systest/trace-e2e.sh runs it on its faultsite
recording.
"""

import json
import re
import sys

failures = []


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def g_body(source):
    """(first, last) line of g's definition in faultsite.c."""
    lines = open(source).read().splitlines()
    start = next(i for i, l in enumerate(lines, 1) if re.search(r"\bvoid g\(", l))
    end = next(i for i, l in enumerate(lines, 1) if i > start and l.startswith("}"))
    return start, end


def faults_by_marker(path):
    events = json.load(open(path))["traceEvents"]
    marks = sorted((e["ts"], e["name"]) for e in events
                   if e.get("cat") == "marker" and e["name"].startswith(("faultsite", "wild")))
    out = {}
    for e in events:
        if e.get("name") != "page fault" or e.get("ph") != "X":
            continue
        before = [m for t, m in marks if t <= e["ts"]]
        out.setdefault(before[-1] if before else None, []).append(e["args"])
    return out


def main(argv):
    path = argv[1]
    source = argv[2] if len(argv) > 2 else "user/faultsite.c"
    lo, hi = g_body(source)
    by = faults_by_marker(path)
    user = by.get("faultsite: user", [])
    check(len(user) > 0, "faults between 'faultsite: user' and the next marker")
    ats = {a.get("at") for a in user}
    m = re.fullmatch(r"g\+0x[0-9a-f]+ \(user/faultsite\.c:(\d+)\)", next(iter(ats), ""))
    check(len(ats) == 1 and m is not None and lo <= int(m.group(1)) <= hi,
          "user: every at is the one line in g (%s; g is lines %d-%d)" % (ats, lo, hi))
    check(all(a.get("stack") == "g < f < main < _main" for a in user),
          "user: stack g < f < main < _main")
    sysc = by.get("faultsite: syscall", [])
    check(len(sysc) > 0 and all(a["source"] == "kernel" and
                                re.fullmatch(r"read\+0x[0-9a-f]+ \(build/user/usys\.S:\d+\)",
                                             a.get("at", "")) for a in sysc),
          "syscall: kernel-side faults at the read stub")
    check(all(a.get("stack") == "read < readinto < main < _main" for a in sysc),
          "syscall: stack read < readinto < main < _main")
    deep = by.get("faultsite: deep", [])
    check(len(deep) > 0 and all(a.get("stack", "").startswith("g < deep") and
                                a["stack"].endswith("< ...") for a in deep),
          "deep: a truncated chain g < deep ... < ...")
    print("faultsite attribution: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
