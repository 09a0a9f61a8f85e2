#!/usr/bin/env python3
"""analysis/fault_outcomes.py on a hand-made version-4 recording: each fault end counted
once by source and outcome, whatever implication bits ride on its arg; copy-on-write
ends told apart by VMT_END_COW; forks counted; shared pages summed per kind of run; a
recording older than version 4 refused.

    python3 analysis/test_fault_outcomes.py      (make test-analysis runs it too)
"""

import csv
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tracing"))
import vmtrace_format as F  # noqa: E402
import fault_outcomes  # noqa: E402

USER, KERNEL = F.VMT_SRC_USER, F.VMT_SRC_KERNEL
OUT = {name: value for value, name in F.OUTCOMES.items()}
COW = F.VMT_END_COW | 2 << F.VMT_END_REFS_SHIFT   # a copy-on-write end, two references


def recording(version, events):
    """The bytes of a recording of events (type, pid, flags, arg, a, b), one CPU."""
    head = F.HEADER.pack(F.MAGIC, version, F.HEADER.size, F.RECORD.size, 1, 10000000,
                         4096, 0, 1000, 0)
    body = b"".join(F.RECORD.pack(t * 10, t, pid, typ, 0, flags, arg, a, b)
                    for t, (typ, pid, flags, arg, a, b) in enumerate(events))
    return head + body


EVENTS = [
    (F.FAULT_END, 1, USER, OUT["mapped"] | F.VMT_END_KALLOC | F.VMT_END_MAP, 0x1000, 0x80001000),
    (F.FAULT_END, 1, USER, OUT["mapped"], 0x2000, 0),
    (F.SHARE, 2, F.VMT_SHARE_COW, 1, 0x1000, 5),
    (F.SHARE, 2, 0, 1, 0, 3),
    (F.FORK, 1, 0, 2, 0, 0),
    (F.FAULT_END, 2, USER, OUT["copied"] | COW | F.VMT_END_KALLOC | F.VMT_END_MAP, 0x1000,
     0x80002000),
    (F.FAULT_END, 1, KERNEL, OUT["taken"] | F.VMT_END_COW | 1 << F.VMT_END_REFS_SHIFT, 0x1000, 0),
    (F.FAULT_END, 2, USER, OUT["illegal"], 0x9000000, 0),
    (F.SHARE, 3, F.VMT_SHARE_COW, 2, 0x1000, 4),
    (F.FORK, 2, 0, 3, 0, 0),
]
WANT = [
    ["w", "cow", "fault", "kernel", "taken", "1", "1"],
    ["w", "cow", "fault", "user", "copied", "1", "1"],
    ["w", "cow", "fault", "user", "illegal", "0", "1"],
    ["w", "cow", "fault", "user", "mapped", "0", "2"],
    ["w", "cow", "fork", "", "", "0", "2"],
    ["w", "cow", "shared_pages", "", "", "0", "3"],
    ["w", "cow", "shared_pages", "", "", "1", "9"],
]


def run():
    """Failures as strings; empty if the counts are right."""
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        rec, old, out = (os.path.join(tmp, n) for n in ("w.vmt", "old.vmt", "out.csv"))
        with open(rec, "wb") as f:
            f.write(recording(4, EVENTS))
        fault_outcomes.main([out, "w:cow=" + rec])
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        if rows[1:] != WANT:
            failures.append("counts %r, want %r" % (rows[1:], WANT))
        with open(old, "wb") as f:
            f.write(recording(3, EVENTS[:2]))
        try:
            fault_outcomes.count(old)
            failures.append("a version-3 recording was counted, not refused")
        except SystemExit as e:
            if "version 3" not in str(e):
                failures.append("version-3 refusal says %r" % str(e))
        try:
            fault_outcomes.main([out, "w=" + rec])
            failures.append("a spec without a policy was accepted")
        except SystemExit:
            pass
    return failures


if __name__ == "__main__":
    failures = run()
    for f in failures:
        print("FAIL: fault_outcomes: " + f)
    print("fault_outcomes: %s" % ("ok" if not failures else "%d failed" % len(failures)))
    sys.exit(1 if failures else 0)
