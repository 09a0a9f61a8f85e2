"""The vmtrace recording format (tracing/vmtrace_format.h), as the analysis scripts read it.

A recording is a header and fixed-size little-endian records; read() returns the header
as a dict and the records merged by time. Standard library only.
"""

import struct
import sys

HEADER = struct.Struct("<8sIIIIQIIQQ")   # struct vmt_header
RECORD = struct.Struct("<QIIHBBIQQ")     # struct vmt_record: ts seq pid type cpu flags arg a b
MAGIC, VERSION = b"VMTRACE1", 1

(FAULT_BEGIN, FAULT_END, KALLOC, KFREE, MAP, UNMAP, SBRK, FORK, EXEC, EXIT, KILL,
 SWITCH, MARKER, LOST) = range(1, 15)
TYPE_NAMES = {FAULT_BEGIN: "fault_begin", FAULT_END: "fault_end", KALLOC: "kalloc",
              KFREE: "kfree", MAP: "map", UNMAP: "unmap", SBRK: "sbrk", FORK: "fork",
              EXEC: "exec", EXIT: "exit", KILL: "kill", SWITCH: "switch",
              MARKER: "marker", LOST: "lost"}
OUTCOMES = {0: "mapped", 1: "illegal", 2: "protection", 3: "nomem"}
SOURCES = {0: "user", 1: "kernel"}
FAULT_SOURCE = 0x01     # VMT_FAULT_SOURCE: flags & it of VMT_FAULT_END is the source;
AROUND_SHIFT = 1        # VMT_AROUND_SHIFT: flags >> it, the pages fault-around mapped
PTE_U = 1 << 4          # kernel/riscv.h: a user page, in MAP and UNMAP's arg
MORE = 0x1              # VMT_MORE: the next marker record on this CPU continues the text


def read(path, prog="vmt"):
    """(header dict, records sorted by ts) of the recording at path; exits on bad input."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HEADER.size:
        sys.exit("%s: %s: shorter than a header" % (prog, path))
    magic, version, hsize, rsize, ncpu, hz, page, _, free, start = HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or rsize != RECORD.size:
        sys.exit("%s: %s: not a version %d vmtrace recording" % (prog, path, VERSION))
    recs = [RECORD.unpack_from(data, off)
            for off in range(hsize, len(data) - rsize + 1, rsize)]
    # Records of different CPUs are interleaved in drain order: merge by time (the sort
    # is stable, so one CPU's records keep their order when timestamps tie).
    recs.sort(key=lambda r: r[0])
    return dict(ncpu=ncpu, hz=hz, page=page, start=start, free=free), recs


def text16(a, b):
    """The up to 16 bytes of text packed into a record's a and b (exec, marker)."""
    return struct.pack("<QQ", a, b)


def int32(v):
    """A record's unsigned 32-bit arg as the signed int the kernel wrote (exit status)."""
    return struct.unpack("<i", struct.pack("<I", v))[0]
