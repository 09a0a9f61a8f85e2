#!/usr/bin/env python3
"""Fault attribution in the converter, on recordings written here (no kernel needed).

    python3 tools/convert/tests/attrib_test.py CONVERTER SYMRESOLVE USERDIR

CONVERTER is vmtrace2perfetto (the sanitized build in tests), SYMRESOLVE the symbols
command line, USERDIR where the unstripped programs are (user/). The recordings exec
"lazytests" and fault at pcs inside its functions with a chain of return addresses in
three others, then check:
  - `at` is the faulting pc as symresolve names it (function+offset, file:line), and
    `stack` is the four functions innermost first; a truncated chain ends in "< ...";
  - a kernel-side fault (its epc is the system call's user pc) is named the same way;
  - a version-1 style recording without chain records gets a one-frame stack;
  - the ELF missing, stripped, or not the one exec'd (wrong image size): every address
    stays hex, and stderr has exactly one warning line for the program;
  - without --symbols, no `at` and a hex stack;
  - with --kernel-symbols, a user pc that points into kernel text stays hex, and a
    fault recorded in kernel context (pid 0) is named from the kernel.
Exit status 0 if all passed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "tracing"))
import vmtrace_format as F  # noqa: E402

HEADER, RECORD = F.HEADER, F.RECORD
FAULT_BEGIN, FAULT_END, EXEC, FAULT_CHAIN = F.FAULT_BEGIN, F.FAULT_END, F.EXEC, F.FAULT_CHAIN
CHAIN_TRUNCATED = F.VMT_CHAIN_TRUNCATED
SRC_USER, SRC_KERNEL = F.VMT_SRC_USER, F.VMT_SRC_KERNEL
PAGE = 4096
USERSTACK = 1          # kernel/param.h: the exec'd image is text+data, guard, stack

failures = []


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


class Recording:
    def __init__(self, version):
        self.version, self.recs, self.seq, self.ts = version, [], 0, 1000

    def add(self, typ, pid=3, flags=0, arg=0, a=0, b=0):
        self.recs.append(RECORD.pack(self.ts, self.seq, pid, typ, 0, flags, arg, a, b))
        self.seq += 1
        self.ts += 10

    def exec_(self, name, size):
        raw = name.encode().ljust(16, b"\0")
        self.add(EXEC, arg=size, a=int.from_bytes(raw[:8], "little"),
                 b=int.from_bytes(raw[8:], "little"))

    def fault(self, epc, chain=None, truncated=False, source=SRC_USER, pid=3):
        self.add(FAULT_BEGIN, pid=pid, flags=source | 1 << 4, arg=15, a=0x10000, b=epc)
        if chain is not None:
            s = list(chain) + [0] * (5 - len(chain))
            self.add(FAULT_CHAIN, flags=len(chain) | (CHAIN_TRUNCATED if truncated else 0),
                     arg=s[0], a=s[1] | s[2] << 32, b=s[3] | s[4] << 32)
        self.add(FAULT_END, pid=pid, flags=source, arg=0, a=0x10000, b=0x87000000)

    def write(self, path):
        hdr = HEADER.pack(F.MAGIC, self.version, HEADER.size, RECORD.size, 1,
                          10_000_000, PAGE, 0, 1000, 0)
        with open(path, "wb") as f:
            f.write(hdr + b"".join(self.recs))


def reader_version():
    return F.VERSION


def elf_image_size(elf):
    out = subprocess.run(["riscv64-unknown-elf-readelf", "-lW", elf], capture_output=True,
                         text=True, check=True).stdout
    end = max(int(m.group(1), 16) + int(m.group(2), 16) for m in re.finditer(
        r"LOAD\s+\S+\s+(0x[0-9a-f]+)\s+\S+\s+\S+\s+(0x[0-9a-f]+)", out))
    return (end + PAGE - 1) // PAGE * PAGE + (USERSTACK + 1) * PAGE


def functions(elf):
    out = subprocess.run(["riscv64-unknown-elf-nm", "-S", elf], capture_output=True,
                         text=True, check=True).stdout
    f = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tT":
            f[p[3]] = (int(p[0], 16), int(p[1], 16))
    return f


def convert(conv, rec, extra):
    out = rec + ".json"
    r = subprocess.run([conv, rec, "-o", out, *extra], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("converter failed: " + r.stderr)
    events = json.load(open(out))["traceEvents"]
    return [e["args"] for e in events if e.get("name") == "page fault"], r.stderr


def main(argv):
    conv, symresolve, userdir = argv[1:4]
    elf = os.path.join(userdir, "_lazytests")
    funcs = functions(elf)
    names = ["expect_killed", "dive", "check_regrow", "main"]
    for n in names:
        if n not in funcs:
            raise SystemExit("%s has no function %s" % (elf, n))
    pc = funcs["expect_killed"][0] + 4
    ras = [funcs[n][0] + funcs[n][1] // 2 for n in names[1:]]
    want_at = subprocess.run([symresolve, elf, "%x" % pc], capture_output=True, text=True,
                             check=True).stdout.split(" ", 1)[1].strip()
    size = elf_image_size(elf)
    with tempfile.TemporaryDirectory() as tmp:
        rec = os.path.join(tmp, "r.vmt")
        r = Recording(reader_version())
        r.exec_("lazytests", size)
        r.fault(pc, ras)
        r.fault(pc, ras, truncated=True)
        r.fault(pc, ras[:1], source=SRC_KERNEL)
        r.fault(pc)                             # no chain record
        r.write(rec)
        args, err = convert(conv, rec, ["--symbols", userdir])
        check(len(args) == 4, "four fault slices")
        check(all(a.get("at") == want_at for a in args), "at names the pc: " + want_at)
        check(re.fullmatch(r"expect_killed\+0x4 \(.*lazytests\.c:\d+\)", want_at) is not None,
              "symresolve gives expect_killed+0x4 with a line (%s)" % want_at)
        check(args[0].get("stack") == " < ".join(names), "stack: " + args[0].get("stack", ""))
        check(args[1].get("stack") == " < ".join(names) + " < ...", "truncated stack")
        check(args[2].get("stack") == "expect_killed < dive" and args[2]["source"] == "kernel",
              "kernel-side fault names the system call's user frames")
        check(args[3].get("stack") == "expect_killed", "no chain record: a one-frame stack")
        check(err == "", "no warning when the ELF matches (%r)" % err)

        def all_hex(args):
            return all(re.fullmatch(r"0x[0-9a-f]+", a.get("at", "")) and
                       all(re.fullmatch(r"0x[0-9a-f]+|\.\.\.", s)
                           for s in a.get("stack", "").split(" < ")) for a in args)

        cases = {}
        r2 = Recording(reader_version())
        r2.exec_("lazytests", size + PAGE)        # not the image this ELF makes
        for _ in range(3):
            r2.fault(pc, ras)
        r2.write(rec)
        cases["mismatched size"] = (["--symbols", userdir], "exec reported")
        stripped = os.path.join(tmp, "stripped")
        os.mkdir(stripped)
        subprocess.run(["riscv64-unknown-elf-objcopy", "--strip-all", elf,
                        os.path.join(stripped, "_lazytests")], check=True)
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        for what, (extra, why) in [("mismatched size", cases["mismatched size"]),
                                   ("stripped", (["--symbols", stripped], "stripped")),
                                   ("missing", (["--symbols", empty], "not found"))]:
            if what != "mismatched size":
                r.write(rec)
            args, err = convert(conv, rec, extra)
            check(all_hex(args), "%s ELF: every address stays hex" % what)
            lines = err.splitlines()
            check(len(lines) == 1 and "lazytests" in lines[0] and why in lines[0],
                  "%s ELF: one warning line (%r)" % (what, err))
        r.write(rec)
        args, err = convert(conv, rec, [])
        check(all("at" not in a for a in args) and args[0].get("stack") == " < ".join(
            "0x%x" % x for x in [pc] + ras), "without --symbols: no at, a hex stack")
        kfuncs = functions("kernel/kernel")
        kpc = kfuncs["kalloc"][0] + 4
        r3 = Recording(reader_version())
        r3.exec_("lazytests", size)
        r3.fault(kpc)                           # a user jump into kernel text
        r3.fault(kpc, pid=0, source=SRC_KERNEL)  # the kernel's own fault
        r3.write(rec)
        args, err = convert(conv, rec, ["--symbols", userdir, "--kernel-symbols",
                                        "kernel/kernel"])
        check(args[0].get("at") == "0x%x" % kpc, "a user pc in kernel text stays hex (%s)"
              % args[0].get("at"))
        check(args[1].get("at", "").startswith("kalloc+0x4 (kernel/"),
              "a kernel-context fault is named from the kernel (%s)" % args[1].get("at"))
        args, err = convert(conv, rec, ["--kernel-symbols", os.path.join(empty, "kernel")])
        check(err.count("\n") == 1 and "the kernel" in err, "a missing kernel ELF: one "
              "warning (%r)" % err)
    print("attrib: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
