#!/usr/bin/env python3
"""Tests of tools/symbols against binutils, and on broken binaries.

    python3 tools/symbols/tests/check_symbols.py SYMRESOLVE ELF...

SYMRESOLVE is the symresolve binary (the sanitized build in tests). For each ELF:
  1. every function nm lists with a size, at its start and at several offsets inside:
     our function+offset equals nm's, our file:line equals riscv64 addr2line's;
  2. addresses outside every function and beyond the text resolve to nothing;
  3. a copy with --strip-debug keeps the functions but no lines; --strip-all resolves
     nothing; both load without error;
  4. the first ELF with its (version 3) line tables relabelled version 2 resolves the
     same (the two share a layout; gcc -gdwarf-2 writes version 3), and with an empty
     .debug_line it names functions without lines.
Then for the first ELF, rebuilt copies are not needed: broken copies (truncated at many
lengths, bytes flipped at random in the headers and in .debug_line and .symtab) must
each give exit status 0 or 1, a one-line message when 1, and never a crash or a
sanitizer report.
Exit status 0 if every check passed.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

PREFIX = os.environ.get("TOOLPREFIX", "riscv64-unknown-elf-")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        if len(failures) <= 20:
            print("FAIL: " + what)


def resolve(tool, elf, addrs):
    r = subprocess.run([tool, elf, "-"], input="".join("%x\n" % a for a in addrs),
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("%s %s failed (%d): %s" % (tool, elf, r.returncode, r.stderr))
    out = {}
    for line in r.stdout.splitlines():
        addr, rest = line.split(" ", 1)
        out[int(addr, 16)] = rest
    return out


def nm_funcs(elf):
    r = subprocess.run([PREFIX + "nm", "-S", "--defined-only", elf], capture_output=True,
                       text=True, check=True)
    funcs = []
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tT" and int(f[1], 16) > 0:
            funcs.append((int(f[0], 16), int(f[1], 16), f[3]))
    return funcs


def addr2line(elf, addrs):
    r = subprocess.run([PREFIX + "addr2line", "-e", elf, *("%x" % a for a in addrs)],
                       capture_output=True, text=True, check=True)
    return [re.sub(r" \(discriminator \d+\)", "", l) for l in r.stdout.splitlines()]


def probes(funcs):
    """(addr, name, offset) at a function's start, middle, last halfword and a few more."""
    out = []
    for lo, size, name in funcs:
        for off in sorted({0, 2, size // 2 & ~1, max(size - 2, 0), size // 3 & ~1}):
            if off < size:
                out.append((lo + off, name, off))
    return out


def check_against_binutils(tool, elf):
    funcs = nm_funcs(elf)
    check(len(funcs) > 0, "%s: nm lists no sized functions" % elf)
    ps = probes(funcs)
    ours = resolve(tool, elf, [a for a, _, _ in ps])
    theirs = addr2line(elf, [a for a, _, _ in ps])
    lines = 0
    for (addr, name, off), ref in zip(ps, theirs):
        got = ours.get(addr, "")
        m = re.match(r"(\S+)\+0x([0-9a-f]+)(?: \((.*):(\d+)\))?$", got)
        check(m is not None, "%s 0x%x: resolved to %r, expected %s+0x%x" % (elf, addr, got,
                                                                         name, off))
        if not m:
            continue
        aliases = {n for lo, s, n in funcs if lo <= addr < lo + s}
        check(m.group(1) in aliases and int(m.group(2), 16) == addr - min(
            lo for lo, s, n in funcs if n == m.group(1) and lo <= addr < lo + s),
            "%s 0x%x: %s, nm says %s+0x%x" % (elf, addr, got, name, off))
        rfile, _, rline = ref.rpartition(":")
        if rfile == "??" or rline in ("?", "0"):
            check(m.group(3) is None, "%s 0x%x: %s but addr2line has no line" % (elf, addr, got))
            continue
        lines += 1
        check(m.group(3) is not None and rfile.endswith("/" + m.group(3).lstrip("/"))
              or rfile == m.group(3), "%s 0x%x: file %s, addr2line %s" % (elf, addr, got, ref))
        check(m.group(4) == rline, "%s 0x%x: line %s, addr2line %s" % (elf, addr, got, ref))
    check(lines > len(ps) // 2, "%s: only %d of %d probes had lines" % (elf, lines, len(ps)))
    return funcs


def check_outside(tool, elf, funcs):
    inside = lambda a: any(lo <= a < lo + s for lo, s, _ in funcs)
    far = [0xffffffff0, 0x80000000 if "kernel" not in elf else 0x10, 1 << 63]
    got = resolve(tool, elf, far)
    for a in far:
        if not inside(a):
            check(got[a] == "??", "%s 0x%x: outside the text, resolved to %s" % (elf, a, got[a]))


def check_stripped(tool, elf, tmp, funcs):
    lo, size, name = funcs[len(funcs) // 2]
    dbg = os.path.join(tmp, "nodebug")
    subprocess.run([PREFIX + "objcopy", "--strip-debug", elf, dbg], check=True)
    got = resolve(tool, dbg, [lo + 2])[lo + 2]
    check(re.fullmatch(r"\S+\+0x2", got) is not None,
          "%s --strip-debug: %s, expected a function without a line" % (elf, got))
    allx = os.path.join(tmp, "stripped")
    subprocess.run([PREFIX + "objcopy", "--strip-all", elf, allx], check=True)
    got = resolve(tool, allx, [lo + 2])[lo + 2]
    check(got == "??", "%s --strip-all: %s, expected nothing" % (elf, got))


def check_dwarf2(tool, elf, tmp, funcs):
    """gcc's -gdwarf-2 line tables are version 3, whose layout version 2 shares: a copy
    with every version-3 unit relabelled 2 must resolve exactly as the original."""
    off, size = sections(elf)[".debug_line"]
    buf = bytearray(open(elf, "rb").read())
    at, units = off, 0
    while at + 6 <= off + size:
        length = int.from_bytes(buf[at:at + 4], "little")
        if length >= 0xfffffff0:
            break
        if int.from_bytes(buf[at + 4:at + 6], "little") == 3:
            buf[at + 4:at + 6] = (2).to_bytes(2, "little")
            units += 1
        at += 4 + length
    v2 = os.path.join(tmp, "dwarf2")
    open(v2, "wb").write(buf)
    addrs = [a for a, _, _ in probes(funcs)]
    check(units > 0 and resolve(tool, v2, addrs) == resolve(tool, elf, addrs),
          "%s relabelled DWARF 2 (%d units): the same answers" % (elf, units))


def section_header(data, name):
    """Offset of the section header of section `name` (ELF64 little-endian)."""
    shoff = int.from_bytes(data[0x28:0x30], "little")
    entsize, num, strndx = (int.from_bytes(data[o:o + 2], "little") for o in (0x3a, 0x3c, 0x3e))
    stroff = int.from_bytes(data[shoff + strndx * entsize + 0x18:][:8], "little")
    for i in range(num):
        h = shoff + i * entsize
        at = stroff + int.from_bytes(data[h:h + 4], "little")
        if data[at:data.index(b"\0", at)] == name.encode():
            return h
    raise SystemExit("no section %s" % name)


def check_empty_lines(tool, elf, tmp, funcs):
    """An empty .debug_line (found by the fuzzer: nothing to sort) loads, names
    functions and gives no lines."""
    buf = bytearray(open(elf, "rb").read())
    h = section_header(buf, ".debug_line")
    buf[h + 0x20:h + 0x28] = bytes(8)                  # sh_size = 0
    path = os.path.join(tmp, "nolines")
    open(path, "wb").write(buf)
    lo = funcs[0][0]
    got = resolve(tool, path, [lo])[lo]
    check(re.fullmatch(r"\S+\+0x0", got) is not None, "%s with an empty .debug_line: %s"
          % (elf, got))


def run_broken(tool, path, what):
    r = subprocess.run([tool, path, "0", "10", "100", "1000"], capture_output=True, text=True,
                       errors="replace")
    ok = r.returncode in (0, 1) and "Sanitizer" not in r.stderr and "runtime error" not in r.stderr
    if r.returncode == 1:
        ok = ok and r.stderr.count("\n") == 1 and r.stderr.startswith("symresolve: ")
    check(ok, "%s: status %d, stderr %r" % (what, r.returncode, r.stderr[-300:]))
    return r.returncode


def sections(elf):
    """name -> (offset, size) from readelf."""
    r = subprocess.run([PREFIX + "readelf", "-SW", elf], capture_output=True, text=True,
                       check=True)
    out = {}
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", r.stdout):
        out[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    return out


def check_broken(tool, elf, tmp):
    data = open(elf, "rb").read()
    path = os.path.join(tmp, "broken")
    refused = 0
    for n in sorted({0, 1, 4, 16, 63, 64, 100, len(data) // 4, len(data) // 2,
                     len(data) - 64, len(data) - 1}):
        open(path, "wb").write(data[:n])
        refused += run_broken(tool, path, "%s truncated to %d bytes" % (elf, n)) == 1
    check(refused >= 8, "%s: only %d truncations refused" % (elf, refused))
    rng = random.Random(14)
    secs = sections(elf)
    targets = [(0, 64)] + [secs[s] for s in (".debug_line", ".symtab", ".strtab")
                           if s in secs] + [(len(data) - 64 * 30, 64 * 30)]
    for i in range(300):
        off, size = targets[i % len(targets)]
        buf = bytearray(data)
        for _ in range(rng.choice((1, 2, 8))):
            buf[off + rng.randrange(size)] = rng.randrange(256)
        open(path, "wb").write(buf)
        run_broken(tool, path, "%s with bytes flipped (case %d)" % (elf, i))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tool, elfs = argv[1], argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        for elf in elfs:
            funcs = check_against_binutils(tool, elf)
            if funcs:
                check_outside(tool, elf, funcs)
                check_stripped(tool, elf, tmp, funcs)
        check_dwarf2(tool, elfs[0], tmp, nm_funcs(elfs[0]))
        check_empty_lines(tool, elfs[0], tmp, nm_funcs(elfs[0]))
        check_broken(tool, elfs[0], tmp)
    print("symbols: %d ELF files against nm and addr2line, broken copies: %s" % (
        len(elfs), "FAILED (%d)" % len(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
