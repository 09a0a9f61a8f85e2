#!/usr/bin/env python3
"""Exact drop accounting of a vmtrace recording, independent of tools/vmtcheck.

    python3 tools/systest/vmt_gaps.py REC.vmt

The format comes from tracing/vmtrace_format.py (which reads tracing/vmtrace_format.h):
a header, then fixed-size records. A recording starts after a reset, so on
every CPU the sequence numbers start at 0, and each record must be the next number,
except a VMT_LOST record, which must come exactly `a` numbers later: the dropped
records used up those numbers. (build/tools/vmtcheck accepts any first number and a VMT_LOST
count that merely covers the gap; this checks that the counts explain the gaps exactly.)
Records are taken as written, not expanded: a record that stands for others (a fault
end's kalloc and map, version 5's packed unmap of up to five pages) is one record with
one sequence number.

Prints one line per CPU, "cpuN records R dropped D lost_records L", and exits 1 at the
first violation with its byte offset. With --where (before REC.vmt) it first says where
each drop happened: "lost cpuN D records before T s, in MARKER", MARKER being the last
marker any CPU wrote before (a suite's "test NAME"), which is where to look when a test
that must not drop does. Standard library only.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "tracing"))
import vmtrace_format as F  # noqa: E402  (the record format, from tracing/vmtrace_format.h)


def read_header(data):
    """The recording's checked header; raises F.BadRecording (offset first)."""
    h = F.parse_header(data)
    extra = F.trailing_bytes(data, h)
    if extra:
        raise F.BadRecording("offset %d: file ends inside a record" % (len(data) - extra))
    return h


class Cpu:
    def __init__(self):
        self.next_seq = 0   # the number the next record must take
        self.records = 0
        self.dropped = 0
        self.lost_records = 0


def check_record(cpu, off, r):
    gap = (r.seq - cpu.next_seq) & 0xffffffff
    if r.type == F.LOST:
        if gap != r.a:
            raise F.BadRecording("offset %d: VMT_LOST says %d dropped, %d sequence numbers "
                                 "missing" % (off, r.a, gap))
        cpu.dropped += r.a
        cpu.lost_records += 1
    elif gap:
        raise F.BadRecording("offset %d: sequence jumps by %d (to %d) with no VMT_LOST record"
                             % (off, gap, r.seq))
    cpu.next_seq = (r.seq + 1) & 0xffffffff
    cpu.records += 1


def check(data):
    h = read_header(data)
    cpus = {}
    for off, r in F.records(data, h):
        if r.cpu >= h.ncpu:
            raise F.BadRecording("offset %d: cpu %d, but the header says %d CPUs"
                                 % (off, r.cpu, h.ncpu))
        check_record(cpus.setdefault(r.cpu, Cpu()), off, r)
    return h.ncpu, cpus


def run(argv, prog, examine):
    """The command line both checkers share: one recording, examined by examine(data);
    returns (exit status or None, examine's result)."""
    if len(argv) != 2:
        print("usage: %s.py REC.vmt" % prog, file=sys.stderr)
        return 2, None
    with open(argv[1], "rb") as f:
        data = f.read()
    try:
        return None, examine(data)
    except F.BadRecording as e:
        print("%s: %s: %s" % (prog, argv[1], e), file=sys.stderr)
        return 1, None


def where(data):
    """A "lost" line for every VMT_LOST record, with the marker in effect before it."""
    h = read_header(data)
    pieces = {}            # cpu -> marker text so far, while VMT_MORE continues it
    last = "(no marker yet)"
    for _, r in F.records(data, h):
        if r.type == F.MARKER:
            text = pieces.pop(r.cpu, b"") + F.text16(r.a, r.b).rstrip(b"\0")
            if r.flags & F.MORE:
                pieces[r.cpu] = text
            else:
                last = text.decode("utf-8", "replace")
        elif r.type == F.LOST:
            print("lost cpu%d %d records before %.3f s, in %s"
                  % (r.cpu, r.a, (r.ts - h.start_ts) / h.timer_hz, last))


def main(argv):
    args = argv[1:]
    show_where = args[:1] == ["--where"]
    if show_where:
        args = args[1:]
    if len(args) != 1:
        print("usage: vmt_gaps.py [--where] REC.vmt", file=sys.stderr)
        return 2
    argv = argv[:1] + args
    if show_where:
        rc, _ = run(argv, "vmt_gaps", where)
        if rc is not None:
            return rc
    rc, result = run(argv, "vmt_gaps", check)
    if rc is not None:
        return rc
    ncpu, cpus = result
    for c in range(ncpu):
        s = cpus.get(c, Cpu())
        print("cpu%d records %d dropped %d lost_records %d"
              % (c, s.records, s.dropped, s.lost_records))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
