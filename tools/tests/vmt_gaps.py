#!/usr/bin/env python3
"""Exact drop accounting of a vmtrace recording, independent of tools/vmtcheck.

    python3 tools/tests/vmt_gaps.py REC.vmt

The format is tracing/vmtrace_format.h: a 56-byte header, then 40-byte records
(ts, seq, pid, type, cpu, flags, arg, a, b). A recording starts after a reset, so on
every CPU the sequence numbers start at 0, and each record must be the next number,
except a VMT_LOST record, which must come exactly `a` numbers later: the dropped
records used up those numbers. (tools/vmtcheck accepts any first number and a VMT_LOST
count that merely covers the gap; this checks that the counts explain the gaps exactly.)

Prints one line per CPU, "cpuN records R dropped D lost_records L", and exits 1 at the
first violation with its byte offset. Standard library only.
"""

import struct
import sys

HEADER = struct.Struct("<8sIIIIQIIQQ")
RECORD = struct.Struct("<QIIHBBIQQ")
MAGIC = b"VMTRACE1"
VERSIONS = (1, 2)       # VMT_VERSION_OLDEST .. VMT_VERSION
VMT_LOST = 14


class Bad(Exception):
    pass


def read_header(data):
    if len(data) < HEADER.size:
        raise Bad("offset 0: file shorter than the header")
    magic, version, hsize, rsize, ncpu, hz, page, flags, free, start = HEADER.unpack_from(data)
    if magic != MAGIC or version not in VERSIONS:
        raise Bad("offset 0: bad magic or version (%r, %d)" % (magic, version))
    if hsize != HEADER.size or rsize != RECORD.size:
        raise Bad("offset 0: header says %d/%d bytes, expected %d/%d"
                  % (hsize, rsize, HEADER.size, RECORD.size))
    if (len(data) - hsize) % rsize:
        raise Bad("offset %d: file ends inside a record" % (len(data) - (len(data) - hsize) % rsize))
    return ncpu


class Cpu:
    def __init__(self):
        self.next_seq = 0   # the number the next record must take
        self.records = 0
        self.dropped = 0
        self.lost_records = 0


def check_record(cpu, off, seq, rtype, count):
    gap = (seq - cpu.next_seq) & 0xffffffff
    if rtype == VMT_LOST:
        if gap != count:
            raise Bad("offset %d: VMT_LOST says %d dropped, %d sequence numbers missing"
                      % (off, count, gap))
        cpu.dropped += count
        cpu.lost_records += 1
    elif gap:
        raise Bad("offset %d: sequence jumps by %d (to %d) with no VMT_LOST record"
                  % (off, gap, seq))
    cpu.next_seq = (seq + 1) & 0xffffffff
    cpu.records += 1


def check(data):
    ncpu = read_header(data)
    cpus = {}
    for off in range(HEADER.size, len(data), RECORD.size):
        ts, seq, pid, rtype, c, flags, arg, a, b = RECORD.unpack_from(data, off)
        if c >= ncpu:
            raise Bad("offset %d: cpu %d, but the header says %d CPUs" % (off, c, ncpu))
        check_record(cpus.setdefault(c, Cpu()), off, seq, rtype, a)
    return ncpu, cpus


def main(argv):
    if len(argv) != 2:
        print("usage: vmt_gaps.py REC.vmt", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    try:
        ncpu, cpus = check(data)
    except Bad as e:
        print("vmt_gaps: %s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    for c in range(ncpu):
        s = cpus.get(c, Cpu())
        print("cpu%d records %d dropped %d lost_records %d"
              % (c, s.records, s.dropped, s.lost_records))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
