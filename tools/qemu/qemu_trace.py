#!/usr/bin/env python3
"""From boot to Perfetto timeline: record workloads under vmtrace and convert them.

    python3 tools/qemu/qemu_trace.py [--cpus N] [--policy lazy|eager|faultaround|default]
                                [--icount SHIFT] [--fork-policy cow|copy]
                                [--out traces] [--split] [--record-args ARGS]
                                [--after CMD]... WORKLOAD...

For each WORKLOAD (a shell command line such as "lazytests" or "usertests sbrkbasic"),
faultline boots headless with the host link attached, runs
`vmtrace record [ARGS] -- POLICY WORKLOAD` (POLICY: the wrapper program `lazy`, the
default, `eager` or `faultaround`; with --policy default no wrapper, so each call gets
what it asks for: sbrk eager, sbrklazy lazy), then each --after CMD (a shell command
line run in the guest once the recording is done, e.g. "vmtrace stat" for the kernel's
counters; its output is in the console log), and halts. --record-args passes more flags
to `vmtrace record`, e.g. "-b 16 -w 0" for 16-record rings that drop rather than hold
the workload back (user/vmtrace.c lists the flags). --fork-policy boots with that
fork policy for every process (qemu_run.py --fork-policy; default: the kernel's,
copy-on-write). The recording lands in
OUT/NAME.vmt on the host (NAME: the command's first word, plus "-eager", "-faultaround"
or "-default" under those policies). Then build/tools/vmtcheck checks it, build/tools/vmtrace2perfetto turns it into
OUT/NAME.json, and with --split each test of the suite (cut at the "test NAME" markers the
suites write) also gets OUT/NAME/TEST.json, listed in OUT/NAME/index.md with its faults,
how many of them were copy-on-write, and the pages its forks shared. Fault pcs and
call chains are named from the programs' ELF files in the --symbols directories and
the kernel's (--kernel-symbols); OUT/NAME.report.txt (top fault sites and call chains
per program) and OUT/NAME.folded (folded stacks) are written beside the timeline by
tools/report/fault_report.py, and OUT/NAME.flame.svg (the flame graph) from the folded
stacks by tools/report/flame_graph.py; with --split each test's too, OUT/NAME/TEST.folded
and OUT/NAME/TEST.flame.svg (none for a test without faults).

While a workload runs it shows the tests as they finish and the bytes recorded so far;
at the end it says where each JSON file is and what it holds.
Exit status: 0 if every step of every workload succeeded, 1 otherwise.
"""

import argparse
import collections
import os
import re
import select
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir)
sys.path.insert(0, os.path.join(ROOT, "tracing"))
sys.path.insert(0, os.path.join(ROOT, "tools", "report"))
import vmtrace_format as F  # noqa: E402  (the record format, from tracing/vmtrace_format.h)
# In-process rather than as commands: a suite has a hundred tests, and each Python start
# costs about half a second on a loaded machine.
import fault_report  # noqa: E402
import flame_graph  # noqa: E402

PROGRESS_EVERY = 3.0                       # seconds between "recorded" lines
SHOW_RE = re.compile(r"^(test \S+: |ALL TESTS PASSED|SOME TESTS FAILED|vmtrace: |"
                     r"pid \d+ .*panic|panic)")


def fail(msg):
    print("qemu-trace: %s" % msg, file=sys.stderr)
    return 1


def workload_name(workload, policy):
    name = os.path.basename(workload.split()[0])
    return name + ("" if policy == "lazy" else "-" + policy)


def record(args, workload, rec, log):
    """Boot, record workload into rec, halt. Returns the runner's exit status."""
    wrapper = "" if args.policy == "default" else args.policy + " "
    wrapped = "vmtrace record %s-- %s%s" % (
        args.record_args + " " if args.record_args else "", wrapper, workload)
    cmd = [sys.executable, "tools/qemu/qemu_run.py", "--cpus", str(args.cpus),
           "--kernel", args.kernel, "--fs", args.fs, "--hostlink", rec,
           "--timeout", str(args.timeout), "--log", log, "--expect", "vmtrace: ",
           wrapped, *args.after]
    if args.icount is not None:
        cmd += ["--icount", str(args.icount)]
    if args.fork_policy is not None:
        cmd += ["--fork-policy", args.fork_policy]
    if os.path.exists(rec):
        os.remove(rec)
    print("qemu-trace: %s (CPUS=%d, %s%s)" % (wrapped, args.cpus, args.policy,
          ", icount shift=%d" % args.icount if args.icount is not None else ""))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    show_progress(proc, rec)
    return proc.wait()


def show_progress(proc, rec):
    """Echo the interesting console lines, and every few seconds the recording's size."""
    pending = b""
    last_size, last_time = -1, time.monotonic()
    while True:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode("utf-8", "replace").rstrip("\r")
                if SHOW_RE.search(text) or text.startswith("qemu-run: "):
                    print("  " + text, flush=True)
        size = os.path.getsize(rec) if os.path.exists(rec) else 0
        if size != last_size and time.monotonic() - last_time >= PROGRESS_EVERY:
            print("  [recorded %.1f KiB]" % (size / 1024), flush=True)
            last_size, last_time = size, time.monotonic()


def markers(rec):
    """(microseconds from the start, text) of every marker in rec, in time order."""
    with open(rec, "rb") as f:
        data = f.read()
    h = F.parse_header(data)    # vmtcheck accepted the recording before this runs
    parts = {}       # cpu -> (ts, text so far) of a marker still being continued
    found = []
    for _, r in F.records(data, h):
        if r.type != F.MARKER:
            continue
        first_ts, text = parts.pop(r.cpu, (r.ts, b""))
        text += F.text16(r.a, r.b).rstrip(b"\0")
        if r.flags & F.MORE:
            parts[r.cpu] = (first_ts, text)
        else:
            found.append(((first_ts - h.start_ts) * 1e6 / h.timer_hz,
                          text.decode("utf-8", "replace")))
    return sorted(found)


def symbol_args(args):
    """The converter's flags naming where the unstripped programs and kernel are."""
    out = []
    for d in args.symbols:
        out += ["--symbols", d]
    if args.kernel_symbols:
        out += ["--kernel-symbols", args.kernel_symbols]
    return out


def convert(rec, out, extra=()):
    r = subprocess.run(["build/tools/vmtrace2perfetto", rec, "-o", out, *extra],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.stdout:                       # the error, or warnings (ELF files without symbols)
        print(r.stdout, end="", file=sys.stderr)
    return r.returncode == 0


def write_report(json_path, base, title, report=True):
    """base.folded and its flame graph base.flame.svg from the timeline, and with report
    base.report.txt. A timeline without faults has nothing to draw: no flame graph (and
    none left from an earlier run). Returns success."""
    out = base + ".report.txt" if report else os.devnull
    if fault_report.main([json_path, "-o", out, "--folded", base + ".folded"]) != 0:
        return False
    svg = base + ".flame.svg"
    if os.path.getsize(base + ".folded") == 0:
        if os.path.exists(svg):
            os.remove(svg)
        return True
    return flame_graph.main([base + ".folded", "-o", svg, "--title", title]) == 0


def window_counts(rec, bounds):
    """Per window [start, end) of bounds (microseconds from the start, end None: to the
    end): Counter of faults, copy-on-write faults of them, and pages forks shared."""
    with open(rec, "rb") as f:
        data = f.read()
    h = F.parse_header(data)
    counts = [collections.Counter() for _ in bounds]
    for _, r in F.records(data, h):
        if r.type not in (F.FAULT_END, F.SHARE):
            continue
        t = (r.ts - h.start_ts) * 1e6 / h.timer_hz
        i = next((i for i, (s, e) in enumerate(bounds) if s <= t and (e is None or t < e)),
                 None)
        if i is None:
            continue
        if r.type == F.SHARE:
            counts[i]["shared"] += r.b
        else:
            counts[i]["faults"] += 1
            counts[i]["cow"] += F.end_cow(r.arg)
    return counts


def split_tests(rec, outdir, extra):
    """One JSON per "test NAME" marker window, and an index. Returns success."""
    tests = [(t, m[5:]) for t, m in markers(rec) if m.startswith("test ")]
    if not tests:
        return True   # not a test suite: the whole-run JSON is all there is
    os.makedirs(outdir, exist_ok=True)
    bounds = [(start, tests[i + 1][0] if i + 1 < len(tests) else None)
              for i, (start, _) in enumerate(tests)]
    counts = window_counts(rec, bounds)
    rows = []
    for i, (start, name) in enumerate(tests):
        end = bounds[i][1]
        window = ["--from", "%.3f" % start] + (["--to", "%.3f" % end] if end else [])
        out = os.path.join(outdir, "%s.json" % name)
        if not convert(rec, out, window + extra) or \
                not write_report(out, os.path.join(outdir, name), "%s, test %s" % (
                    os.path.basename(outdir), name), report=False):
            return False
        svg = os.path.join(outdir, "%s.flame.svg" % name)
        rows.append((name, out, start, end, os.path.getsize(out), counts[i],
                     os.path.basename(svg) if os.path.exists(svg) else "no faults"))
    with open(os.path.join(outdir, "index.md"), "w") as f:
        f.write("# %s, one timeline per test\n\n" % os.path.basename(rec))
        f.write("Faults: ended in the test's window; copy-on-write: of them, writes to "
                "pages a fork shared; shared: pages forks shared copy-on-write or "
                "read-only.\n\n")
        f.write("| test | file | from (ms) | to (ms) | size (KiB) | faults | "
                "copy-on-write | shared | flame graph |\n"
                "|---|---|---|---|---|---|---|---|---|\n")
        for name, out, start, end, size, n, flame in rows:
            f.write("| %s | %s | %.3f | %s | %.0f | %d | %d | %d | %s |\n" % (
                name, os.path.basename(out), start / 1000,
                "%.3f" % (end / 1000) if end else "end", size / 1024, n["faults"],
                n["cow"], n["shared"], flame))
    print("  %d per-test timelines in %s/ with their folded stacks and flame graphs "
          "(index.md lists them)" % (len(rows), outdir))
    return True


def describe(rec, json_path, policy):
    """The summary lines for one finished recording."""
    r = subprocess.run(["build/tools/vmtcheck", rec], stdout=subprocess.PIPE, text=True)
    text = r.stdout
    with open(rec, "rb") as f:
        data = f.read()
    pids = {r.pid for _, r in F.records(data, F.parse_header(data))} - {0}

    def line(prefix):
        return next((l for l in text.splitlines() if l.startswith(prefix)), prefix + " ?")
    print("%s (%s policy, %.1f MiB): %d processes; %s; %s; %s" % (
        json_path, policy, os.path.getsize(json_path) / 2**20, len(pids), line("records:"),
        line("faults:"), line("dropped:")))


def run_workload(args, workload):
    name = workload_name(workload, args.policy)
    rec = os.path.join(args.out, name + ".vmt")
    out = os.path.join(args.out, name + ".json")
    log = os.path.join(args.out, name + ".console.log")
    if record(args, workload, rec, log) != 0:
        return fail("recording %s failed; console log in %s" % (name, log)), None
    if subprocess.run(["build/tools/vmtcheck", "-q", rec]).returncode != 0:
        return fail("%s is not a well-formed recording" % rec), None
    if not convert(rec, out, symbol_args(args)):
        return fail("converting %s failed" % rec), None
    base = os.path.join(args.out, name)
    if not write_report(out, base, name):
        return fail("the fault report of %s failed" % out), None
    print("  fault report in %s.report.txt, folded stacks in %s.folded, %s" % (
        base, base, "flame graph in %s.flame.svg" % base if os.path.exists(
            base + ".flame.svg") else "no faults, so no flame graph"))
    if args.split and not split_tests(rec, os.path.join(args.out, name),
                                      symbol_args(args)):
        return fail("splitting %s per test failed" % rec), None
    return 0, (rec, out)


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Record workloads on faultline and convert "
                                 "them to Perfetto JSON.")
    ap.add_argument("--cpus", type=int, default=3)
    ap.add_argument("--policy", choices=("lazy", "eager", "faultaround", "default"),
                    default="lazy", help="the sbrk policy the workloads run under")
    ap.add_argument("--icount", type=int, metavar="SHIFT",
                    help="repeatable virtual time (see tools/qemu/qemu_run.py)")
    ap.add_argument("--fork-policy", choices=("cow", "copy"),
                    help="the fork policy of every process of the boot")
    ap.add_argument("--kernel", default="kernel/kernel")
    ap.add_argument("--fs", default="fs.img")
    ap.add_argument("--out", default="traces", help="where recordings and JSON go")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per workload")
    ap.add_argument("--split", action="store_true",
                    help="also write one JSON per test marker, with an index")
    ap.add_argument("--record-args", default="", metavar="ARGS",
                    help='more flags for `vmtrace record`, one string, e.g. "-b 16 -w 0"')
    ap.add_argument("--after", action="append", default=[], metavar="CMD",
                    help='a command run in the guest after the recording, e.g. '
                    '"vmtrace stat" (repeatable)')
    ap.add_argument("--symbols", action="append", default=[], metavar="DIR",
                    help="where the unstripped programs are (DIR/_NAME; repeatable)")
    ap.add_argument("--kernel-symbols", metavar="ELF", help="the kernel with symbols")
    ap.add_argument("workloads", nargs="+", metavar="WORKLOAD")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    done, status = [], 0
    for workload in args.workloads:
        rc, result = run_workload(args, workload)
        status |= rc
        if result:
            done.append(result)
    print("\nqemu-trace: %d of %d workloads recorded in %.0f s; open the JSON files in "
          "https://ui.perfetto.dev and the .flame.svg files in a browser (traces/README.md "
          "says what to look for)" % (
              len(done), len(args.workloads), time.monotonic() - started))
    for rec, out in done:
        describe(rec, out, args.policy)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
