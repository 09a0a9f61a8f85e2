#!/usr/bin/env python3
"""What a trap costs, before and after a kernel change, measured in one sitting.

    bench_trap.py [--before REV] [--repeats N] [--rounds R] [--qemu QEMU]

Builds the kernel of commit REV (default: the parent of the commit that added
kernel/kaddr.h, i.e. the last kernel with a page table of its own, whose traps switched
page tables) under build/bench-trap/before/, and boots it and kernel/kernel, one hart each,
on the host clock and under -icount 3, alternating which goes first, R rounds (default
2). Each boot runs `trapbench -n N` (user/trapbench.c) on this tree's fs.img: the two
kernels take the same system calls, so the same image serves both.

Prints a table of each figure's median over the rounds (ns per null system call, per
eager, lazy and fault-around heap page), after/before, and the goals: null system call
after/before <= 0.2 and lazy/eager <= 2.0 on the host clock. Figures, not a test: it
fails only when a build or a boot fails. Logs go to build/bench-trap/.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

OUT = "build/bench-trap"
FIGURES = ["null_syscall", "eager_page", "lazy_page", "faultaround_page"]
CLOCKS = {"host": [], "icount": ["--icount", "3"]}
LINE = re.compile(r"^trapbench: (\w+) (\d+) ", re.M)


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def default_before():
    """The parent of the commit that moved the kernel to the upper half (added kaddr.h)."""
    commit = git("log", "-1", "--format=%H", "--diff-filter=A", "--", "kernel/kaddr.h")
    if not commit:
        sys.exit("bench-trap: no commit added kernel/kaddr.h; give --before")
    return commit + "^"


def build_before(rev):
    tree = os.path.join(OUT, "before")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    archive = subprocess.run(["git", "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    r = subprocess.run(["make", "-C", tree, "kernel/kernel"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench-trap: building %s failed:\n%s" % (rev, r.stdout[-2000:] + r.stderr[-2000:]))
    return os.path.join(tree, "kernel/kernel")


def boot(qemu, kernel, clock, repeats, log):
    cmd = [sys.executable, "tools/qemu/qemu_run.py", "--qemu", qemu, "--cpus", "1",
           "--kernel", kernel, "--fs", "fs.img", "--timeout", "900", "--log", log,
           *CLOCKS[clock], "trapbench -n %d" % repeats]
    r = subprocess.run(cmd, capture_output=True, text=True)
    found = dict((k, int(v)) for k, v in LINE.findall(r.stdout))
    if r.returncode != 0 or set(found) != set(FIGURES):
        sys.exit("bench-trap: the boot of %s (%s clock) failed; see %s" % (kernel, clock, log))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", help="the commit to compare against")
    ap.add_argument("--repeats", type=int, default=5, help="trapbench -n (default 5)")
    ap.add_argument("--rounds", type=int, default=2, help="boots per kernel and clock")
    ap.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-riscv64"))
    a = ap.parse_args()
    if a.repeats < 1 or a.rounds < 1:
        sys.exit("bench-trap: --repeats and --rounds must be at least 1")
    os.makedirs(OUT, exist_ok=True)
    rev = a.before or default_before()
    kernels = {"before": build_before(rev), "after": "kernel/kernel"}
    print("bench-trap: before = %s (%s), after = this tree" % (rev, git("rev-parse", "--short", rev)))

    got = {(k, c): {f: [] for f in FIGURES} for k in kernels for c in CLOCKS}
    for rnd in range(a.rounds):
        for clock in CLOCKS:
            order = list(kernels) if rnd % 2 == 0 else list(reversed(kernels))
            for name in order:
                log = os.path.join(OUT, "%s-%s-%d.log" % (name, clock, rnd))
                for f, v in boot(a.qemu, kernels[name], clock, a.repeats, log).items():
                    got[(name, clock)][f].append(v)

    med = {key: {f: statistics.median(v) for f, v in figs.items()} for key, figs in got.items()}
    print("%-17s %-7s %10s %10s %8s" % ("ns per", "clock", "before", "after", "after/before"))
    for clock in CLOCKS:
        for f in FIGURES:
            b, af = med[("before", clock)][f], med[("after", clock)][f]
            print("%-17s %-7s %10.0f %10.0f %8.2f" % (f, clock, b, af, af / b))
    for clock in CLOCKS:
        for name in kernels:
            m = med[(name, clock)]
            print("lazy/eager page, %-6s %-6s %5.2f" % (clock, name, m["lazy_page"] / m["eager_page"]))
    host_b, host_a = med[("before", "host")], med[("after", "host")]
    null = host_a["null_syscall"] / host_b["null_syscall"]
    lazy = host_a["lazy_page"] / host_a["eager_page"]
    print("goal: null system call after/before on the host clock <= 0.20: %.2f (%s)"
          % (null, "met" if null <= 0.2 else "not met"))
    print("goal: lazy/eager page on the host clock <= 2.0: %.2f (%s)"
          % (lazy, "met" if lazy <= 2.0 else "not met"))


if __name__ == "__main__":
    main()
