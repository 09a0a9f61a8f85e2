"""The vmtrace recording format (tracing/vmtrace_format.h), as the analysis scripts read it.

A recording is a header and fixed-size little-endian records; read() returns the header
as a dict and the records merged by time. Standard library only.
"""

import struct
import sys

HEADER = struct.Struct("<8sIIIIQIIQQ")   # struct vmt_header
RECORD = struct.Struct("<QIIHBBIQQ")     # struct vmt_record: ts seq pid type cpu flags arg a b
MAGIC = b"VMTRACE1"
VERSIONS = (1, 2)       # VMT_VERSION_OLDEST .. VMT_VERSION; 2 added FAULT_CHAIN

(FAULT_BEGIN, FAULT_END, KALLOC, KFREE, MAP, UNMAP, SBRK, FORK, EXEC, EXIT, KILL,
 SWITCH, MARKER, LOST, FAULT_CHAIN) = range(1, 16)
TYPE_NAMES = {FAULT_BEGIN: "fault_begin", FAULT_END: "fault_end", KALLOC: "kalloc",
              KFREE: "kfree", MAP: "map", UNMAP: "unmap", SBRK: "sbrk", FORK: "fork",
              EXEC: "exec", EXIT: "exit", KILL: "kill", SWITCH: "switch",
              MARKER: "marker", LOST: "lost", FAULT_CHAIN: "chain"}
OUTCOMES = {0: "mapped", 1: "illegal", 2: "protection", 3: "nomem"}
SOURCES = {0: "user", 1: "kernel"}
PTE_U = 1 << 4          # kernel/riscv.h: a user page, in MAP and UNMAP's arg
MORE = 0x1              # VMT_MORE: the next marker record on this CPU continues the text
CHAIN_COUNT, CHAIN_TRUNCATED, CHAIN_MAX = 0x0f, 0x10, 5   # FAULT_CHAIN flags, VMT_CHAIN_MAX


def chain(arg, a, b, flags):
    """The return addresses of a FAULT_CHAIN record, innermost first."""
    slots = [arg, a & 0xffffffff, a >> 32, b & 0xffffffff, b >> 32]
    return slots[:flags & CHAIN_COUNT]


def read(path, prog="vmt"):
    """(header dict, records sorted by ts) of the recording at path; exits on bad input."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HEADER.size:
        sys.exit("%s: %s: shorter than a header" % (prog, path))
    magic, version, hsize, rsize, ncpu, hz, page, _, free, start = HEADER.unpack_from(data)
    if magic != MAGIC or version not in VERSIONS or rsize != RECORD.size:
        sys.exit("%s: %s: not a vmtrace recording of version %s" % (
            prog, path, " or ".join(map(str, VERSIONS))))
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
