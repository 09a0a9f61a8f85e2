#!/usr/bin/env python3
"""The recording reducer's per-process counts on a hand-made record sequence, in the
order the kernel writes them (kernel/proc.c, kernel/exec.c): the child's copy under the
child's pid before the parent's FORK record, an exiting process's teardown under its own
pid after its EXIT record, exec's new image mapped before its old one is unmapped; and
a copy-on-write fork (version 4): SHARE runs under the child's pid before the FORK, a
copying fault's unmap and map, a take-over that writes neither. And through
vmt_summary.py's reading of a recording file: a teardown written as version 5's packed
unmaps (VMT_UNMAP_PAGES, up to five pages a record) counts as the same teardown written
page by page in version 4, but for the written records.

    python3 analysis/test_vmt_procs.py      (make test-analysis runs it too)
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tracing"))
import vmtrace_format as F  # noqa: E402  (the record format, from tracing/vmtrace_format.h)
from vmt_procs import ProcTable
import vmt_summary  # noqa: E402

PAGE = 4096
U = F.PTE_U | 0x6          # a user read/write page
KERNEL = 0x6               # the trap frame: no PTE_U


def feed(table, events):
    for t, (typ, pid, arg, a, b) in enumerate(events):
        table.record(float(t), typ, pid, arg, a, b)


def scenario():
    """Parent 1 grows 4 pages, touches 3, forks 2; 2 faults once and exits; then 1 execs."""
    ev = [(F.SBRK, 1, 0, 0, 4 * PAGE)]
    ev += [(F.MAP, 1, U, i * PAGE, 0x1000 + i) for i in range(3)]
    ev += [(F.FAULT_END, 1, 0, 0, 0)]
    ev += [(F.MAP, 2, KERNEL, 0, 0x9000)]                        # allocproc: not user
    ev += [(F.MAP, 2, U, i * PAGE, 0x2000 + i) for i in range(3)]  # fork's copy
    ev += [(F.FORK, 1, 2, 0, 0)]
    ev += [(F.MAP, 2, U, 3 * PAGE, 0x2003), (F.FAULT_END, 2, 0, 0, 0)]
    ev += [(F.EXIT, 2, 7, 0, 0)]
    ev += [(F.UNMAP, 2, U, i * PAGE, 0x2000 + i) for i in range(4)]  # its own teardown
    ev += [(F.MAP, 1, U, 0, 0x3000), (F.MAP, 1, U, PAGE, 0x3001)]    # the new image
    ev += [(F.EXEC, 1, 2 * PAGE, int.from_bytes(b"cat", "little"), 0)]
    ev += [(F.UNMAP, 1, U, i * PAGE, 0x1000 + i) for i in range(3)]  # the old image
    return ev


def check(table):
    """Failures as strings; empty if the counts are right."""
    p, c = table.by_pid[1], table.by_pid[2]
    want = [("parent peak resident", p.peak_r, 5),   # 3, then 2 more during exec
            ("parent resident at the end", len(p.frames), 2),
            ("parent virtual after exec", p.vpages, 2),
            ("parent name after exec", p.name, "cat"),
            ("child copied pages", c.copied, 3),
            ("child shared pages (copying fork)", c.shared, 0),
            ("child peak resident", c.peak_r, 4),
            ("child resident after its teardown", len(c.frames), 0),
            ("child parent", c.parent, 1),
            ("child faults", c.faults, 1),
            ("child exit status", c.status, "7"),
            ("child virtual at fork", c.peak_v, 4)]
    return ["%s: %r, want %r" % (what, got, exp) for what, got, exp in want if got != exp]


def cow_scenario():
    """Parent 1 maps 4 user pages at 0..3 and its guard page (no PTE_U) at 4, forks 3
    copy-on-write (runs 0..1 read-only, 2..4 COW); 3 copies page 2 and takes page 3 over,
    faults a new page 5 in, then exits."""
    ev = [(F.SBRK, 1, 0, 0, 5 * PAGE)]
    ev += [(F.MAP, 1, U, i * PAGE, 0x1000 + i) for i in range(4)]
    ev += [(F.MAP, 1, KERNEL, 4 * PAGE, 0x1004)]                  # the guard page
    ev += [(F.SHARE, 3, 1, 0, 2), (F.SHARE, 3, 1, 2 * PAGE, 3)]
    ev += [(F.FORK, 1, 3, 0, 0)]
    copied = F.VMT_OUT_COPIED | F.VMT_END_COW | 2 << F.VMT_END_REFS_SHIFT
    ev += [(F.UNMAP, 3, U | F.PTE_COW, 2 * PAGE, 0x1002), (F.MAP, 3, U, 2 * PAGE, 0x5000),
           (F.FAULT_END, 3, copied, 2 * PAGE, 0x5000)]
    taken = F.VMT_OUT_TAKEN | F.VMT_END_COW | 1 << F.VMT_END_REFS_SHIFT
    ev += [(F.FAULT_END, 3, taken, 3 * PAGE, 0x1003)]
    ev += [(F.MAP, 3, U, 5 * PAGE, 0x5001), (F.FAULT_END, 3, F.VMT_OUT_MAPPED, 5 * PAGE, 0)]
    ev += [(F.EXIT, 3, 0, 0, 0)]
    ev += [(F.UNMAP, 3, U, va * PAGE, pa) for va, pa in
           ((0, 0x1000), (1, 0x1001), (2, 0x5000), (3, 0x1003), (5, 0x5001))]
    ev += [(F.UNMAP, 3, KERNEL, 4 * PAGE, 0x1004)]
    return ev


def check_cow(table):
    c = table.by_pid[3]
    want = [("shared child's pages from fork", c.copied, 4),
            ("of them shared", c.shared, 4),
            ("shared child's peak resident", c.peak_r, 5),
            ("shared child's faults", c.faults, 3),
            ("of them copy-on-write", c.cow_faults, 2),
            ("shared child's resident after its teardown", sum(c.frames.values()), 0),
            ("parent's resident untouched by the child", sum(table.by_pid[1].frames.values()), 4)]
    return ["%s: %r, want %r" % (what, got, exp) for what, got, exp in want if got != exp]


FRAMES = [0x80010000 + i * PAGE for i in range(7)]
TRAPFRAME = 0x80020000


def teardown_events(packed):
    """(type, pid, flags, arg, a, b): process 1 maps 7 user pages and its trap frame,
    exits and unmaps them, page by page or packed (runs of 5 and 2 user pages, and the
    trap frame, whose permissions differ)."""
    ev = [(F.MAP, 1, 0, U, i * PAGE, pa) for i, pa in enumerate(FRAMES)]
    ev += [(F.MAP, 1, 0, KERNEL, 16 * PAGE, TRAPFRAME), (F.EXIT, 1, 0, 0, 0, 0)]
    if not packed:
        return ev + [(F.UNMAP, 1, F.VMT_UNMAP_FREED, U, i * PAGE, pa)
                     for i, pa in enumerate(FRAMES)] + [(F.UNMAP, 1, 0, KERNEL, 16 * PAGE,
                                                         TRAPFRAME)]
    for va, perm, frames, freed in ((0, U, FRAMES[:5], True), (5 * PAGE, U, FRAMES[5:], True),
                                    (16 * PAGE, KERNEL, [TRAPFRAME], False)):
        flags, arg, a, b = F.pack_unmap(va, perm, frames, PAGE, freed)
        ev.append((F.UNMAP, 1, flags, arg, a, b))
    return ev


def summary_of(version, events):
    """vmt_summary.py's summary and info rows of a recording of events, one CPU."""
    with tempfile.TemporaryDirectory(prefix="test-vmt-procs-") as tmp:
        path = os.path.join(tmp, "r.vmt")
        with open(path, "wb") as f:
            f.write(F.HEADER.pack(F.MAGIC, version, F.HEADER.size, F.RECORD.size, 1,
                                  10000000, PAGE, 0, 1000, 0))
            for seq, (typ, pid, flags, arg, a, b) in enumerate(events):
                f.write(F.RECORD.pack(10000 * (seq + 1), seq, pid, typ, 0, flags, arg, a, b))
        hdr, recs = F.read(path, "test_vmt_procs")
    s = vmt_summary.summarize(hdr, recs, 20.0)
    info = vmt_summary.info_rows(s, hdr, len(recs), argparse.Namespace(label="", bin_ms=20.0),
                                 [])
    return s, dict(info)


def check_packed():
    """A packed teardown reads as the per-page one; only the written records differ."""
    (s4, info4), (s5, info5) = summary_of(4, teardown_events(False)), summary_of(
        5, teardown_events(True))
    p4, p5 = s4["procs"][0], s5["procs"][0]
    want = [("peak resident", p5.peak_r, 7),
            ("resident after the packed teardown", sum(p5.frames.values()), 0),
            ("peak resident, per page", p4.peak_r, 7),
            ("resident after the first packed unmap (5 of 7 pages)", p5.rows.get(10), (0, 2)),
            ("last memory row, packed and per page", (list(p5.rows.values())[-1],
                                                      list(p4.rows.values())[-1]),
             ((0, 0), (0, 0))),
            ("records (expanded), packed against per page", info5["records"],
             info4["records"]),
            ("unmap records (expanded)", info5["records_unmap"], 8),
            ("written records, per page", info4["written_records"], 17),
            ("written records, packed", info5["written_records"], 12)]
    return ["%s: %r, want %r" % (what, got, exp) for what, got, exp in want if got != exp]


def run():
    table = ProcTable(PAGE)
    feed(table, scenario())
    cow = ProcTable(PAGE)
    feed(cow, cow_scenario())
    return check(table) + check_cow(cow) + check_packed()


if __name__ == "__main__":
    failures = run()
    for f in failures:
        print("FAIL: vmt_procs: " + f)
    print("vmt_procs: %s" % ("ok" if not failures else "%d failed" % len(failures)))
    sys.exit(1 if failures else 0)
