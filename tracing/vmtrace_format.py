"""The vmtrace recording format for Python: the one reader the runner, the tests and the
analysis scripts share.

Nothing here restates the format. At import the module reads tracing/vmtrace_format.h
(beside this file), the C definition the kernel, the recorder and the host tools compile
against, and derives from it the record and header layouts (struct vmt_record,
struct vmt_header), the magic and version, the event types and their short names
(VMT_TYPE_NAMES), the enums (outcome, source, access, page use) and the flag
constants. PTE_U, PTE_W and PTE_COW come from kernel/riscv.h the same way. A change to
the header reaches every Python reader with no edit here; a header this parser cannot
read is an error at import, not a wrong answer later.

    import vmtrace_format as F      # with tracing/ on sys.path
    hdr = F.parse_header(data)      # F.Header, checked; raises F.BadRecording
    for off, r in F.records(data, hdr): ...   # (byte offset, F.Record) in file order
    for off, r in F.expand(F.records(data, hdr), hdr): ...   # implied records spelled out
    F.unmap_pages(unmap, hdr)   # the per-page unmaps of a packed one (version 5)
    F.pack_unmap(va, perm, frames, page_size)   # (flags, arg, a, b) of one, for tests
    F.end_outcome(end.arg), F.end_cow(end.arg), F.end_refs(end.arg)   # a fault end's arg
    hdr, recs = F.read(path, "prog")          # analysis: records merged by time

    eval "$(python3 tracing/vmtrace_format.py)"   # shell: sizes, offsets, constants

Names: every VMT_X constant of the header is an attribute VMT_X; the event types are
also FAULT_BEGIN, KALLOC, ... (the VMT_ prefix dropped). Standard library only.
"""

import collections
import os
import re
import struct
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
HEADER_FILE = os.path.join(_HERE, "vmtrace_format.h")
RISCV_FILE = os.path.join(_HERE, os.pardir, "kernel", "riscv.h")

# The C field types the format uses, as struct codes (little-endian, no padding: the
# header's size checks guarantee the C structs have none).
_CTYPES = {"uint8": "B", "uint16": "H", "uint32": "I", "uint64": "Q", "char": "s"}


class FormatHeaderError(Exception):
    """tracing/vmtrace_format.h says something this parser cannot read."""


class BadRecording(Exception):
    """A recording that breaks the format; the message starts with the byte offset."""


def _source(path):
    with open(path) as f:
        text = f.read()
    # Comments out, so that words in them cannot look like definitions.
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _int(expr, known):
    """The value of a C integer expression of numbers, known names and | & ~ << >> + - * /
    % ( ) (C's integer division, for the non-negative values a format holds)."""
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr.strip())
    if not re.fullmatch(r"[\w\s()|&<>+\-~*/%]*", expr):
        raise FormatHeaderError("cannot evaluate %r" % expr)
    expr = expr.replace("/", "//")
    for name in set(re.findall(r"\b[A-Za-z_]\w*", expr)):
        if name not in known:
            raise FormatHeaderError("unknown name %s in %r" % (name, expr))
    return eval(expr, {"__builtins__": {}}, dict(known))  # checked above: arithmetic only


def _enum(name, body, known):
    """[(member, value)] of one enum, with C's numbering; adds them to known."""
    members, value = [], -1
    for item in (i.strip() for i in body.split(",")):
        if not item:
            continue
        m = re.fullmatch(r"(\w+)\s*(?:=\s*(.+))?", item, flags=re.S)
        if not m:
            raise FormatHeaderError("enum %s: cannot read %r" % (name, item))
        value = _int(m.group(2), known) if m.group(2) else value + 1
        known[m.group(1)] = value
        members.append((m.group(1), value))
    return members


def _enums(src, known):
    """Every enum this parser can read, by name; for one it cannot, the reason (an
    error only if the format's readers need that enum: _members, TYPES)."""
    enums, unreadable = {}, {}
    for name, body in re.findall(r"enum\s+(\w+)\s*\{(.*?)\}", src, flags=re.S):
        try:
            enums[name] = _enum(name, body, known)
        except FormatHeaderError as e:
            unreadable[name] = str(e)
    return enums, unreadable


def _defines(src, known):
    """Every object-like #define with a string or integer value; adds them to known."""
    for name, value in re.findall(r"^[ \t]*#define[ \t]+(\w+)[ \t]+([^\n\\]+)$", src, flags=re.M):
        value = value.strip()
        if value.startswith('"'):
            known[name] = value.strip('"').encode()
        else:
            try:
                known[name] = _int(value, known)
            except FormatHeaderError:
                pass    # not an integer constant (a typedef trick, a type name): not ours


def _struct(src, name):
    """(field names, struct.Struct) of struct NAME."""
    m = re.search(r"struct\s+%s\s*\{(.*?)\}" % name, src, flags=re.S)
    if not m:
        raise FormatHeaderError("no struct %s" % name)
    fields, codes = [], "<"
    for ctype, field, count in re.findall(r"(\w+)\s+(\w+)\s*(?:\[(\d+)\])?\s*;", m.group(1)):
        if ctype not in _CTYPES:
            raise FormatHeaderError("struct %s: field type %s" % (name, ctype))
        if _CTYPES[ctype] == "s" and not count:
            raise FormatHeaderError("struct %s: a single char field %s" % (name, field))
        codes += (count or "") + _CTYPES[ctype]
        fields.append(field)
    return fields, struct.Struct(codes)


def _type_names(src, known):
    m = re.search(r"#define\s+VMT_TYPE_NAMES\s*\{(.*?)\}", src, flags=re.S)
    if not m:
        raise FormatHeaderError("no VMT_TYPE_NAMES")
    return {known[t]: n for t, n in re.findall(r'\[(\w+)\]\s*=\s*"([^"]*)"', m.group(1))}


def _load():
    src = _source(HEADER_FILE)
    known = {}
    _defines(src, known)
    enums, unreadable = _enums(src, known)
    _defines(src, known)        # again: defines that use enum members
    riscv = {}
    _defines(_source(RISCV_FILE), riscv)
    return src, known, enums, unreadable, riscv


_SRC, CONSTANTS, ENUMS, _UNREADABLE, _RISCV = _load()


def _enum_needed(name):
    if name not in ENUMS:
        raise FormatHeaderError(_UNREADABLE.get(name, "no enum %s" % name))
    return ENUMS[name]

globals().update({k: v for k, v in CONSTANTS.items() if k.startswith("VMT_")})

HEADER_FIELDS, HEADER = _struct(_SRC, "vmt_header")
RECORD_FIELDS, RECORD = _struct(_SRC, "vmt_record")
Header = collections.namedtuple("Header", HEADER_FIELDS)
Record = collections.namedtuple("Record", RECORD_FIELDS)
if RECORD.size != VMT_RECORD_SIZE:     # noqa: F821 (from the header)
    raise FormatHeaderError("struct vmt_record is %d bytes, VMT_RECORD_SIZE %d"
                            % (RECORD.size, VMT_RECORD_SIZE))  # noqa: F821

MAGIC = VMT_MAGIC         # noqa: F821
VERSION = VMT_VERSION     # noqa: F821
# Every version a reader accepts: older recordings lack only record types added since.
VERSIONS = tuple(range(VMT_VERSION_OLDEST, VMT_VERSION + 1))   # noqa: F821
MORE = VMT_MORE           # noqa: F821


def _members(enum, prefix):
    """{value: short name} of an enum: VMT_OUT_NOMEM -> "nomem"."""
    return {v: n[len(prefix):].lower() for n, v in _enum_needed(enum) if n.startswith(prefix)}


# Event types by their short C names: FAULT_BEGIN = 1, ... (NTYPES: one past the last).
TYPES = {n[len("VMT_"):]: v for n, v in _enum_needed("vmt_type")}
globals().update(TYPES)
TYPE_NAMES = _type_names(_SRC, CONSTANTS)
OUTCOMES = _members("vmt_outcome", "VMT_OUT_")
SOURCES = _members("vmt_source", "VMT_SRC_")
ACCESSES = _members("vmt_access", "VMT_ACC_")
PAGE_USES = _members("vmt_page_use", "VMT_PAGE_")
# PTE bits in VMT_MAP and VMT_UNMAP's arg: a user page, a writable one, and (from
# version 4) one shared copy-on-write.
PTE_U = _RISCV["PTE_U"]
PTE_W = _RISCV["PTE_W"]
PTE_COW = _RISCV["PTE_COW"]


def parse_header(data):
    """The checked header of a recording held in data (bytes); raises BadRecording."""
    if len(data) < HEADER.size:
        raise BadRecording("offset 0: file shorter than the header")
    h = Header(*HEADER.unpack_from(data))
    if h.magic != MAGIC or h.version not in VERSIONS:
        raise BadRecording("offset 0: not a vmtrace recording of version %d to %d (magic %r, "
                           "version %d)" % (VERSIONS[0], VERSIONS[-1], h.magic, h.version))
    if h.header_size != HEADER.size or h.record_size != RECORD.size:
        raise BadRecording("offset 0: header says %d/%d bytes, expected %d/%d"
                           % (h.header_size, h.record_size, HEADER.size, RECORD.size))
    return h


def records(data, header):
    """(byte offset, Record) of every whole record, in file (drain) order."""
    start, size = header.header_size, header.record_size
    end = len(data) - trailing_bytes(data, header)
    body = memoryview(data)[start:end]
    return zip(range(start, end, size), map(Record._make, RECORD.iter_unpack(body)))


def expand(pairs, header):
    """(byte offset, Record) pairs as records() gives them, with what each version-3
    record implies spelled out as tracing/vmtrace_format.h says: a fault end's kalloc and
    map just before it, a map's kalloc just before it, an unmap's kfree just after it,
    each at the implying record's ts, seq, cpu, pid and offset, and the implying record
    with its implication bits cleared. So readers see what a version-2 kernel wrote for
    the same events. A fault end keeps the bits that are its own: the outcome and, from
    version 4, VMT_END_COW and the references (end_outcome, end_cow, end_refs read
    them). A VMT_SHARE stays one record: it names no frames. From version 5 a packed
    unmap (VMT_UNMAP_PAGES) becomes one unmap per page, in va order (unmap_pages),
    each followed by its frame's kfree if the record says VMT_UNMAP_FREED, all at the
    record's ts, seq, cpu, pid and offset: the pages after the first are implied, as a
    kfree is, and have no seq of their own.
    Versions 1 and 2 pass through as written. Raises BadRecording (offset first) for a
    packed unmap in a recording older than version 5 or one with no or too many pages;
    read() turns that into the exit a bad recording gets."""
    if header.version < 3:
        yield from pairs
        return
    page_mask = ~(header.page_size - 1)
    for off, r in pairs:
        if r.type == FAULT_END:                                       # noqa: F821
            if r.arg & VMT_END_KALLOC:                                # noqa: F821
                yield off, _kalloc(r)
            if r.arg & VMT_END_MAP:                                   # noqa: F821
                yield off, r._replace(type=MAP, flags=0, a=r.a & page_mask,   # noqa: F821
                                      arg=end_perm(r.arg))
            yield off, r._replace(arg=r.arg & ~_END_IMPLIED)
        elif r.type == MAP and r.flags & VMT_MAP_ALLOCATED:           # noqa: F821
            yield off, _kalloc(r)
            yield off, r._replace(flags=r.flags & ~VMT_MAP_ALLOCATED)  # noqa: F821
        elif r.type == UNMAP and r.flags & VMT_UNMAP_PAGES:           # noqa: F821
            for u in unmap_pages(r, header, off):
                yield off, u
                if r.flags & VMT_UNMAP_FREED:                          # noqa: F821
                    yield off, _kfree(u)
        elif r.type == UNMAP and r.flags & VMT_UNMAP_FREED:           # noqa: F821
            yield off, r._replace(flags=r.flags & ~VMT_UNMAP_FREED)   # noqa: F821
            yield off, _kfree(r)
        else:
            yield off, r


# The bits of a fault end's arg that stand for other records; the rest (the outcome, and
# from version 4 VMT_END_COW and the references found) are the end's own.
_END_IMPLIED = (VMT_END_KALLOC | VMT_END_MAP |                         # noqa: F821
                VMT_END_PERM_MASK << VMT_END_PERM_SHIFT)                # noqa: F821


def end_outcome(arg):
    """The outcome (enum vmt_outcome) of a fault end's arg, expanded or not."""
    return arg & VMT_END_OUTCOME                                      # noqa: F821


def end_cow(arg):
    """Whether a fault end's arg says the fault wrote to a copy-on-write page."""
    return bool(arg & VMT_END_COW)                                    # noqa: F821


def end_refs(arg):
    """The references a copy-on-write fault found on its frame (0 for other faults)."""
    return (arg >> VMT_END_REFS_SHIFT) & VMT_END_REFS_MAX               # noqa: F821


def end_perm(arg):
    """The permission bits of the map a fault end implies (VMT_END_MAP)."""
    return (arg >> VMT_END_PERM_SHIFT) & VMT_END_PERM_MASK              # noqa: F821


def _kalloc(r):
    """The kalloc of data page r.b that r implies, at r's place."""
    return r._replace(type=KALLOC, flags=VMT_PAGE_DATA, arg=0, a=r.b, b=0)  # noqa: F821


def _kfree(r):
    """The kfree of data page r.b that unmap r implies, at r's place."""
    return r._replace(type=KFREE, flags=VMT_PAGE_DATA, arg=0, a=r.b, b=0)  # noqa: F821


# Where a packed unmap keeps its frame numbers (VMT_UNMAP_SLOT in the header): as many
# slots as b holds from bit 0 up, then one in a above the va, then one in arg above the
# permissions; each (field, shift). The header's VMT_UNMAP_PAGES_MAX must be that many.
# b's width in bits, from struct vmt_record's field codes
_B_BITS = 8 * struct.calcsize("<" + re.findall(r"\d*[a-zA-Z]", RECORD.format[1:])[
    RECORD_FIELDS.index("b")])
_B_SLOTS = _B_BITS // VMT_UNMAP_PFN_BITS                              # noqa: F821
_UNMAP_SLOTS = ([("b", i * VMT_UNMAP_PFN_BITS) for i in range(_B_SLOTS)] +   # noqa: F821
                [("a", VMT_UNMAP_VA_BITS), ("arg", VMT_UNMAP_ARG_SHIFT)])    # noqa: F821
if len(_UNMAP_SLOTS) != VMT_UNMAP_PAGES_MAX:                           # noqa: F821
    raise FormatHeaderError("VMT_UNMAP_PAGES_MAX is %d, the slot layout holds %d frames"
                            % (VMT_UNMAP_PAGES_MAX, len(_UNMAP_SLOTS)))  # noqa: F821
if VMT_UNMAP_COUNT_MASK < VMT_UNMAP_PAGES_MAX:                        # noqa: F821
    raise FormatHeaderError("VMT_UNMAP_COUNT_MASK %d cannot count VMT_UNMAP_PAGES_MAX %d pages"
                            % (VMT_UNMAP_COUNT_MASK, VMT_UNMAP_PAGES_MAX))  # noqa: F821


def unmap_pages(r, header, off=0):
    """The per-page unmaps a packed VMT_UNMAP (VMT_UNMAP_PAGES) stands for, in va order:
    flags 0, arg the permission bits, a the page's va, b its frame, the rest r's. The
    caller adds each frame's kfree if r.flags has VMT_UNMAP_FREED (expand does). Raises
    BadRecording, with off, for a recording older than version 5, a page count outside
    1 .. VMT_UNMAP_PAGES_MAX, a page without a frame or a frame in an unused slot (as
    the converter's reader does: no kernel writes those)."""
    if header.version < 5:
        raise BadRecording("offset %d: a packed VMT_UNMAP (VMT_UNMAP_PAGES) in a version %d "
                           "recording; packed unmaps came with version 5"
                           % (off, header.version))
    n = r.flags >> VMT_UNMAP_COUNT_SHIFT & VMT_UNMAP_COUNT_MASK         # noqa: F821
    if not 1 <= n <= VMT_UNMAP_PAGES_MAX:                              # noqa: F821
        raise BadRecording("offset %d: a packed VMT_UNMAP of %d pages (1 to %d)"
                           % (off, n, VMT_UNMAP_PAGES_MAX))             # noqa: F821
    fields = {"arg": r.arg, "a": r.a, "b": r.b}
    va = r.a & VMT_UNMAP_VA_MASK                                       # noqa: F821
    perm = r.arg & VMT_UNMAP_PERM_MASK                                 # noqa: F821
    pfn_mask = VMT_UNMAP_PFN_MASK                                      # noqa: F821
    pfns = [fields[name] >> shift & pfn_mask for name, shift in _UNMAP_SLOTS]
    for i, pfn in enumerate(pfns):
        if i < n and not pfn:
            raise BadRecording("offset %d: a packed VMT_UNMAP of %d pages names no frame "
                               "for page %d" % (off, n, i))
        if i >= n and pfn:
            raise BadRecording("offset %d: a packed VMT_UNMAP of %d pages has a frame in "
                               "unused slot %d" % (off, n, i))
    return [r._replace(flags=0, arg=perm, a=va + i * header.page_size,
                       b=pfn * header.page_size) for i, pfn in enumerate(pfns[:n])]


def pack_unmap(va, perm, frames, page_size, freed=False):
    """(flags, arg, a, b) of one packed VMT_UNMAP for the pages from va on, mapped to
    frames (physical addresses, 1 .. VMT_UNMAP_PAGES_MAX of them) with perm: what the
    kernel's VMT_UNMAP_PUT writes, for tests that make recordings."""
    if not 1 <= len(frames) <= VMT_UNMAP_PAGES_MAX:                    # noqa: F821
        raise ValueError("a packed unmap holds 1 to %d pages, not %d"
                         % (VMT_UNMAP_PAGES_MAX, len(frames)))          # noqa: F821
    fields = {"arg": perm, "a": va, "b": 0}
    for (name, shift), pa in zip(_UNMAP_SLOTS, frames):
        fields[name] |= pa // page_size << shift
    flags = (VMT_UNMAP_PAGES | len(frames) << VMT_UNMAP_COUNT_SHIFT |   # noqa: F821
             (VMT_UNMAP_FREED if freed else 0))                        # noqa: F821
    return flags, fields["arg"], fields["a"], fields["b"]


def trailing_bytes(data, header):
    """How many bytes past the last whole record (0 in a well-formed recording)."""
    return (len(data) - header.header_size) % header.record_size


def read(path, prog="vmt"):
    """(header dict, records sorted by ts) of the recording at path, with what version-3
    and later records imply spelled out (expand); exits on bad input. Records of different
    CPUs are interleaved in drain order: they are merged by time (the sort is stable, so
    one CPU's records keep their order when timestamps tie). The dict's "written" is how
    many records the file holds, before expansion: what drops compare with."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        h = parse_header(data)
    except BadRecording as e:
        sys.exit("%s: %s: %s" % (prog, path, e))
    try:
        recs = sorted((r for _, r in expand(records(data, h), h)), key=lambda r: r.ts)
    except BadRecording as e:
        sys.exit("%s: %s: %s" % (prog, path, e))
    written = (len(data) - h.header_size) // h.record_size
    return dict(ncpu=h.ncpu, hz=h.timer_hz, page=h.page_size, start=h.start_ts,
                free=h.free_pages, written=written), recs


def text16(a, b):
    """The up to 16 bytes of text packed into a record's a and b (exec, marker)."""
    return struct.pack("<QQ", a, b)


def chain(arg, a, b, flags):
    """The return addresses of a VMT_FAULT_CHAIN record, innermost first."""
    slots = [arg, a & 0xffffffff, a >> 32, b & 0xffffffff, b >> 32]
    return slots[:flags & VMT_CHAIN_COUNT]     # noqa: F821


def int32(v):
    """A record's unsigned 32-bit arg as the signed int the kernel wrote (exit status)."""
    return struct.unpack("<i", struct.pack("<I", v))[0]


def offsets(st, fields):
    """{field: byte offset} of a derived struct (its format has no padding)."""
    found, off = {}, 0
    for name, (count, code) in zip(fields, re.findall(r"(\d*)([a-zA-Z])", st.format[1:])):
        found[name] = off
        off += struct.calcsize("<" + count + code)
    return found


def shell_lines():
    """NAME=VALUE lines for shell scripts: VMT_HEADER_SIZE, VMT_RECORD_SIZE, every
    field's offset (H_version, R_type, ...) and every integer VMT_ constant."""
    lines = ["VMT_HEADER_SIZE=%d" % HEADER.size, "VMT_RECORD_SIZE=%d" % RECORD.size]
    lines += ["H_%s=%d" % kv for kv in offsets(HEADER, HEADER_FIELDS).items()]
    lines += ["R_%s=%d" % kv for kv in offsets(RECORD, RECORD_FIELDS).items()]
    lines += ["%s=%d" % (k, v) for k, v in sorted(CONSTANTS.items())
              if k.startswith("VMT_") and isinstance(v, int)]
    return lines


if __name__ == "__main__":
    print("\n".join(shell_lines()))
