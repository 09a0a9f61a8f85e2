#!/usr/bin/env python3
"""Faults by source and outcome in vmtrace recordings made under each fork policy: what
copy-on-write fork changes in a workload's fault profile.

    python3 analysis/fault_outcomes.py OUT.csv NAME:POLICY=REC.vmt...

e.g. usertests:cow=build/cowtrace/cow/usertests.vmt usertests:copy=... Reads each
recording's raw records through tracing/vmtrace_format.py (the one definition of the
format): every VMT_FAULT_END counted by source (user, kernel), outcome (arg &
VMT_END_OUTCOME: mapped, copied, taken, illegal ...) and whether it was a write to a
copy-on-write page (VMT_END_COW); every VMT_FORK counted, and every VMT_SHARE's pages,
copy-on-write or read-only (VMT_SHARE_COW). Writes OUT.csv with the columns
workload,fork_policy,what,source,outcome,cow,count, where what is "fault", "fork" or
"shared_pages" (source and outcome empty but for faults; cow 1 or 0).
"""

import collections
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tracing"))
import vmtrace_format as vf  # noqa: E402


def count(path):
    """Counter of (what, source, outcome, cow) over one recording's raw records."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        header = vf.parse_header(data)
    except vf.BadRecording as e:
        sys.exit("fault_outcomes.py: %s: %s" % (path, e))
    if header.version < 4:
        sys.exit("fault_outcomes.py: %s: version %d has no copy-on-write records"
                 % (path, header.version))
    c = collections.Counter()
    for _, r in vf.records(data, header):
        if r.type == vf.FAULT_END:
            c[("fault", vf.SOURCES[r.flags & vf.VMT_FAULT_SOURCE],
               vf.OUTCOMES.get(r.arg & vf.VMT_END_OUTCOME, "unknown"),
               1 if r.arg & vf.VMT_END_COW else 0)] += 1
        elif r.type == vf.FORK:
            c[("fork", "", "", 0)] += 1
        elif r.type == vf.SHARE:
            c[("shared_pages", "", "", 1 if r.flags & vf.VMT_SHARE_COW else 0)] += r.b
    return c


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: fault_outcomes.py OUT.csv NAME:POLICY=REC.vmt...")
    rows = []
    for spec in argv[1:]:
        label, eq, path = spec.partition("=")
        name, colon, policy = label.partition(":")
        if not eq or not colon or not name or not policy:
            sys.exit("fault_outcomes.py: '%s' is not NAME:POLICY=REC.vmt" % spec)
        for (what, source, outcome, cow), n in sorted(count(path).items()):
            rows.append([name, policy, what, source, outcome, cow, n])
    tmp = argv[0] + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["workload", "fork_policy", "what", "source", "outcome", "cow", "count"])
        w.writerows(rows)
    os.replace(tmp, argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
