#!/usr/bin/env python3
"""Summary table of the tracer benchmark (tools/systest/bench-trace.sh) from its CSV.

    python3 tools/systest/bench_trace_summary.py analysis/data/tracebench.csv

Each CSV row is one figure of one boot: run,boot,clock,kernel,mode,case,metric,runs,
median,min,max,unit (tracebench's csv columns with the repeat and boot prepended). A
row of the table takes one figure from every repeat and shows the median over repeats
and their range, so the spread between boots is visible next to the within-boot value.
Standard library only.
"""

import csv
import statistics
import sys

NS_PER_INSN = 8  # -icount shift=3: each instruction advances virtual time by 2^3 ns


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def series(rows, boot, mode, case, metric, column="median"):
    """{run: value} of one figure; column is median or min (over tracebench's rounds)."""
    return {r["run"]: float(r[column]) for r in rows
            if (r["boot"], r["mode"], r["case"], r["metric"]) == (boot, mode, case, metric)}


def ratio_series(num, den):
    """Per-run num/den, for the runs that have both."""
    return {k: num[k] / den[k] for k in num if k in den and den[k]}


def cell(values, fmt):
    if not values:
        return "(none)"
    v = sorted(values)
    return "%s [%s .. %s]" % (fmt % statistics.median(v), fmt % v[0], fmt % v[-1])


def line(label, values, fmt, goal=""):
    print("  %-54s %-30s %s" % (label, cell(list(values), fmt), goal))


def verdict(values, limit):
    """Met or not by the median over repeats; inconclusive when the repeats disagree by
    more than the margin the goal allows (host-clock noise)."""
    if not values:
        return ""
    m = statistics.median(values)
    spread = max(values) - min(values)
    if len(values) > 1 and spread > limit - 1:
        return "goal <= %.2f: inconclusive (repeats spread %.3f)" % (limit, spread)
    return "goal <= %.2f: %s" % (limit, "met" if m <= limit else "NOT met")


# Recorded against tracing off, per phase: tracebench's ratio metric, its label, and the
# most it may cost (None: no goal). Every event (call chains included), and the fault
# phase with every event but the chains (recordings that leave the walk out).
ON_OFF_GOALS = (("fault_on_off", "fault phase", 1.10),
                ("fault_nochain_off", "fault phase without chains", 1.05),
                ("fork_on_off", "fork phase", 1.10), ("round_on_off", "whole round", None))


def on_off_rows(rows):
    for metric, label, limit in ON_OFF_GOALS:
        for suffix, how in (("", "median of pairs"), ("_min", "fastest/fastest")):
            v = list(series(rows, "traced", "on", "ratio", metric + suffix).values())
            if v or metric != "fault_nochain_off":   # before tracebench measured it
                line("on/off, %s (%s)" % (label, how), v, "%.4f",
                     verdict(v, limit) if limit else "")


def compiled_out_rows(rows):
    """Compiled-in-but-off over compiled-out: two boots per repeat, so per repeat the
    ratio of the two boots' medians, and of their fastest rounds."""
    for metric, label, goal in (("round_ns", "whole round", True),
                                ("fault_ns", "fault phase", True),
                                ("fork_ns", "fork phase", False)):
        for column, how in (("median", "medians"), ("min", "fastest")):
            on = series(rows, "traced", "off", "off", metric, column)
            out = series(rows, "notrace", "off", "off", metric, column)
            v = list(ratio_series(on, out).values())
            line("in-but-off / out, %s (%s)" % (label, how), v, "%.4f",
                 verdict(v, 1.01) if goal else "")


def cost_rows(rows, icount):
    for case, label in (("fault", "emit, fault-path events"), ("marker", "emit, marker write")):
        for metric, how in (("emit_ns", "pairs"), ("emit_ns_min", "fastest")):
            v = list(series(rows, "traced", "emit", case, metric).values())
            line("%s, ns/event (%s)" % (label, how), v, "%.1f")
            if icount:
                line("%s, instructions/event (%s)" % (label, how),
                     [x / NS_PER_INSN for x in v], "%.0f")
    for column in ("median", "min"):
        v = list(series(rows, "traced", "emit", "read", "read_ns", column).values())
        line("read() of the rings, ns/record (%s)" % column, v, "%.1f")
        if icount:
            line("read() of the rings, instructions/record (%s)" % column,
                 [x / NS_PER_INSN for x in v], "%.0f")
    line("one CSR access (rdtime) in user mode, ns",
         series(rows, "traced", "emit", "csr", "rdtime_ns").values(), "%.1f")


def recording_rows(rows):
    line("records dropped, in-band (recorder summary)",
         series(rows, "traced", "record", "on", "dropped_inband").values(), "%.0f")
    line("records dropped, kernel counters",
         series(rows, "traced", "on", "on", "dropped").values(), "%.0f")
    line("recording of `tracebench on` (bytes)",
         series(rows, "traced", "record", "on", "recording_bytes").values(), "%.0f")


def usertests_rows(rows):
    """Present only when bench-trace.sh ran with --usertests."""
    for metric, label in (("dropped_inband", "usertests recorded: records dropped, in-band"),
                          ("dropped_kernel", "usertests recorded: records dropped, kernel"),
                          ("recording_bytes", "usertests recorded: recording size (bytes)")):
        v = series(rows, "usertests", "record", "usertests", metric).values()
        if v:
            line(label, v, "%.0f", "goal: 0 dropped" if metric.startswith("dropped") else "")


def link_rows(rows):
    for case, label in (("write_4k", "host link, 4 KiB writes (MB/s)"),
                        ("write_64k", "host link, 64 KiB writes (MB/s)")):
        line(label, series(rows, "link", "link", case, "throughput").values(), "%.2f")


def main(argv):
    if len(argv) != 2:
        print("usage: bench_trace_summary.py CSV", file=sys.stderr)
        return 2
    rows = load(argv[1])
    if not rows:
        print("bench_trace_summary: %s has no figures" % argv[1], file=sys.stderr)
        return 1
    clocks = sorted({r["clock"] for r in rows})
    runs = sorted({r["run"] for r in rows if r["run"] != "0"})
    icount = clocks == ["icount"]
    print("tracer benchmark: clock %s, %d repeat(s); median over repeats [min .. max]"
          % ("/".join(clocks), len(runs)))
    on_off_rows(rows)
    compiled_out_rows(rows)
    cost_rows(rows, icount)
    recording_rows(rows)
    link_rows(rows)
    usertests_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
