#!/usr/bin/env python3
"""The call chains of a recording of user/faultsite, checked record by record.

    python3 tools/tests/faultsite_check.py REC.vmt user/_faultsite

Pairs each fault begin of the faultsite process with the VMT_FAULT_CHAIN record that
follows it, names every pc and return address from the program's symbol table (nm on
the unstripped binary; a return address is named by ret - 1, the call instruction), and
checks each section user/faultsite.c marks:

    faultsite: user      4 user faults, pc in g, chain f < main < _main
    faultsite: syscall   2 kernel (copyout) faults, pc in the read stub,
                         chain readinto < main < _main
    faultsite: deep      1 user fault, pc in g, 5 frames of deep, truncated
    faultsite: full      1 user fault, pc in g, deep < deep < deep < main < _main: 5
                         frames and no more, not truncated
    wild NAME            a user fault and a copyout fault with wild frame pointers: the
                         chain lengths in WILD (nothing more is readable there)
    faultsite: random    RANDOM user and RANDOM copyout faults with random frame
                         pointers: each has a chain of at most VMT_CHAIN_MAX frames

Prints one line per section; exits 1 at the first mismatch, 2 on bad usage.
NM picks the nm binary (default riscv64-unknown-elf-nm).
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "analysis"))
import vmt_format as vf  # noqa: E402

SRC_USER, SRC_KERNEL = 0, 1
USER_PAGES, SYSCALL_PAGES, RANDOM = 4, 2, 32          # user/faultsite.c
# wild case: (chain length of the user fault, of the copyout fault). A wild fp yields
# nothing; the system call's ra (a text address) one frame; the self-loop one more.
WILD = {"kernel": (0, 0), "unmapped": (0, 1), "misaligned": (0, 1), "loop": (1, 2),
        "guard": (0, 1), "inguard": (0, 1), "text": (0, 1), "data": (0, 1)}


class Bad(Exception):
    pass


def functions(elf):
    """Sorted (start, end, name) of the function symbols of elf. A symbol without a size
    (the assembly system call stubs, user/usys.S) ends where the next one starts."""
    nm = os.environ.get("NM", "riscv64-unknown-elf-nm")
    out = subprocess.run([nm, "-S", "-n", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) in (3, 4) and parts[-2] in "tT":
            start = int(parts[0], 16)
            syms.append((start, int(parts[1], 16) if len(parts) == 4 else None, parts[-1]))
    if not syms:
        raise Bad("%s: no function symbols (stripped?)" % elf)
    funcs = []
    for i, (start, size, name) in enumerate(syms):
        end = start + size if size is not None else (
            syms[i + 1][0] if i + 1 < len(syms) else start + 4)
        funcs.append((start, end, name))
    return funcs


def name_of(funcs, pc):
    for start, end, name in funcs:
        if start <= pc < end:
            return name
    return "0x%x" % pc


def faults_by_section(recs):
    """{section: [(begin record, chain record or None)]} of the faultsite process."""
    pids = {r[2] for r in recs if r[3] == vf.EXEC and vf.text16(r[7], r[8]).rstrip(b"\0") == b"faultsite"}
    if len(pids) != 1:
        raise Bad("expected one faultsite process, found %d" % len(pids))
    pid = pids.pop()
    text, section, out, last_begin = {}, None, {}, {}
    for r in recs:
        ts, seq, rpid, rtype, cpu, flags, arg, a, b = r
        if rpid != pid:
            continue
        if rtype == vf.LOST:
            raise Bad("records were dropped; chains cannot be checked")
        if rtype == vf.MARKER:
            text[cpu] = text.get(cpu, b"") + vf.text16(a, b).rstrip(b"\0")
            if not flags & vf.MORE:
                section = text.pop(cpu).decode()
                out.setdefault(section, [])
        elif rtype == vf.FAULT_BEGIN and section is not None:
            out[section].append([r, None])
            last_begin[cpu] = (seq, out[section][-1])
        elif rtype == vf.FAULT_CHAIN:
            bseq, pair = last_begin.pop(cpu, (None, None))
            if pair is None or bseq + 1 != seq:
                raise Bad("cpu %d seq %d: a chain not right after its fault begin" % (cpu, seq))
            pair[1] = r
    return out


def describe(funcs, begin, chain):
    """(source, name of the pc, names of the return addresses, truncated)."""
    flags, arg, a, b = chain[5], chain[6], chain[7], chain[8]
    rets = vf.chain(arg, a, b, flags)
    return (begin[5] & 0xf, name_of(funcs, begin[8]), [name_of(funcs, x - 1) for x in rets],
            bool(flags & vf.CHAIN_TRUNCATED))


def expect(sections, funcs, name, n, source, pc, stack, truncated=False):
    faults = sections.get(name)
    if faults is None:
        raise Bad("no marker '%s'" % name)
    if len(faults) != n:
        raise Bad("%s: %d faults, expected %d" % (name, len(faults), n))
    for begin, chain in faults:
        if chain is None:
            raise Bad("%s: a fault at va 0x%x has no chain" % (name, begin[7]))
        got = describe(funcs, begin, chain)
        if got != (source, pc, stack, truncated):
            raise Bad("%s: fault at va 0x%x: source %d, pc in %s, chain %s%s; expected "
                      "source %d, pc in %s, chain %s%s" % (
                          name, begin[7], got[0], got[1], " < ".join(got[2]) or "(none)",
                          " (truncated)" if got[3] else "", source, pc, " < ".join(stack),
                          " (truncated)" if truncated else ""))
    print("faultsite_check: %s: %d faults, pc in %s, chain %s%s" % (
        name, n, pc, " < ".join(stack) or "(none)", " (truncated)" if truncated else ""))


def expect_wild(sections, funcs):
    for case, (nuser, nkernel) in WILD.items():
        name = "wild " + case
        faults = sections.get(name, [])
        got = [(describe(funcs, b, c)[0], len(vf.chain(c[6], c[7], c[8], c[5])))
               for b, c in faults if c is not None]
        if got != [(SRC_USER, nuser), (SRC_KERNEL, nkernel)]:
            raise Bad("%s: (source, chain length) of its faults %s, expected %s" % (
                name, got, [(SRC_USER, nuser), (SRC_KERNEL, nkernel)]))
    print("faultsite_check: wild frame pointers: %d cases, chains as expected" % len(WILD))


def expect_random(sections):
    faults = sections.get("faultsite: random", [])
    sources = sorted(b[5] & 0xf for b, c in faults)
    if sources != [SRC_USER] * RANDOM + [SRC_KERNEL] * RANDOM:
        raise Bad("faultsite: random: %d faults, expected %d user and %d kernel" % (
            len(faults), RANDOM, RANDOM))
    if any(c is None for b, c in faults):
        raise Bad("faultsite: random: a fault without a chain")
    lengths = [len(vf.chain(c[6], c[7], c[8], c[5])) for b, c in faults]
    print("faultsite_check: faultsite: random: %d faults, chain lengths %s" % (
        len(faults), " ".join(str(lengths.count(n)) + "x" + str(n)
                              for n in range(vf.CHAIN_MAX + 1) if lengths.count(n))))


def main(argv):
    if len(argv) != 3:
        print("usage: faultsite_check.py REC.vmt user/_faultsite", file=sys.stderr)
        return 2
    try:
        _, recs = vf.read(argv[1], "faultsite_check")
        funcs = functions(argv[2])
        s = faults_by_section(recs)
        expect(s, funcs, "faultsite: user", USER_PAGES, SRC_USER, "g", ["f", "main", "_main"])
        expect(s, funcs, "faultsite: syscall", SYSCALL_PAGES, SRC_KERNEL, "read",
               ["readinto", "main", "_main"])
        expect(s, funcs, "faultsite: deep", 1, SRC_USER, "g", ["deep"] * vf.CHAIN_MAX, True)
        expect(s, funcs, "faultsite: full", 1, SRC_USER, "g", ["deep"] * 3 + ["main", "_main"])
        expect_wild(s, funcs)
        expect_random(s)
        if "faultsite: end" not in s:
            raise Bad("no marker 'faultsite: end'")
    except (Bad, subprocess.CalledProcessError, OSError) as e:
        print("faultsite_check: %s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
