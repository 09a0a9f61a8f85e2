#!/usr/bin/env python3
"""Summarize a vmtrace recording into the small CSV files the matplotlib figures read.

    python3 analysis/vmt_summary.py REC.vmt OUTDIR [--name NAME] [--bin-ms MS]
                                    [--label TEXT] [--info KEY=VALUE ...]

A recording of lazytests is about 16 MB, too big to keep in git; these summaries are a
few hundred KB and hold everything analysis/recording_figures.py plots:

  NAME-fault-latency.csv   histogram of fault latency (fault_end.ts - fault_begin.ts of
                           one process) by outcome (mapped, ..., and from version 4 a
                           copy-on-write fault's copied or taken) and source, 20 log
                           bins per decade:
                           outcome,source,lo_ns,hi_ns,count
  NAME-fault-stats.csv     the same faults as exact order statistics:
                           outcome,source,count,p50_ns,p90_ns,p99_ns,max_ns,mean_ns
  NAME-faults-per-cpu.csv  faults begun per CPU per time bin: start_ms,cpu,faults
  NAME-memory.csv          per process, virtual size and resident pages over time, at
                           most one row per process per millisecond (the last value):
                           ms,pid,virtual_pages,resident_pages
  NAME-processes.csv       pid,name,test,start_ms,end_ms,peak_virtual_pages,
                           peak_resident_pages,faults,exit_status,parent,copied_pages,
                           shared_pages,cow_faults: from its first record to its last (an
                           exited one's teardown included), or to the end if it did not
                           exit; parent, the pages fork gave it and of them the pages
                           shared copy-on-write, for a child forked while recording; of
                           its faults, the writes to a copy-on-write page
  NAME-tests.csv           test,start_ms,end_ms: each "test NAME" marker to the next
                           one (or the end of the recording)
  NAME-info.csv            key,value: records, written records, lost records,
                           duration, CPUs, ..., records per type, and what --info adds
                           (run-bench.sh: vmtrace stat's counters). records and
                           records_TYPE count the records as read, each record that
                           stands for others spelled out (a fault end's kalloc and
                           map, version 5's packed unmap as one unmap per page): what
                           a kernel writing every record wrote, the same in every
                           version; written_records counts the file's records as the
                           kernel wrote them, which lost records (dropped as written)
                           compare with

Times are from the recording's start_ts. Standard library only, so any python3 runs it.
Records' pids are their owners (see vmt_procs.py, which keeps the per-process counts).

A fault's latency is from its FAULT_BEGIN to the FAULT_END of the same process: a
process has one fault open at a time, and the handler may be switched out in the middle
(preempted, or held back for the recorder) and end on another CPU, so matching by CPU
would lose exactly the slow faults. Records lost in a full ring (VMT_LOST) can leave
counts short; NAME-info.csv says how many were lost, and the figures say it too.
"""

import argparse
import collections
import csv
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tracing"))
import vmtrace_format as F  # noqa: E402  (the record format, from tracing/vmtrace_format.h)
from vmt_procs import ProcTable

BINS_PER_DECADE = 20
LAT_MIN_NS = 100       # the time CSR's resolution on QEMU virt (10 MHz)


class Markers:
    """Joins each CPU's marker records into texts and keeps the "test NAME" ones."""

    def __init__(self):
        self.parts = {}
        self.tests = []         # (name, start ms)

    def record(self, t, cpu, flags, a, b):
        text = self.parts.pop(cpu, b"") + F.text16(a, b).rstrip(b"\0")
        if flags & F.MORE:
            self.parts[cpu] = text
            return None
        s = text.decode("utf-8", "replace")
        if s.startswith("test "):
            self.tests.append((s[5:], t))
            return s[5:]
        return None


class Faults:
    """Fault latencies by outcome and source, and faults begun per CPU per time bin."""

    def __init__(self, hz, bin_ms):
        self.hz = hz
        self.bin_ms = bin_ms
        self.open = {}          # pid -> (ts, source) of its fault in progress
        self.done = []          # (outcome, source, latency ns)
        self.per_cpu = collections.Counter()   # (bin, cpu) -> faults begun

    def record(self, t, ts, typ, pid, cpu, flags, arg):
        if typ == F.FAULT_BEGIN:
            self.open[pid] = (ts, flags & 0xF)
            self.per_cpu[(int(t // self.bin_ms), cpu)] += 1
        elif typ == F.FAULT_END and pid in self.open:
            begun, _ = self.open.pop(pid)
            self.done.append((F.OUTCOMES.get(F.end_outcome(arg), "other"),
                              F.SOURCES.get(flags & F.VMT_FAULT_SOURCE, "?"),
                              (ts - begun) * 1e9 / self.hz))


def summarize(hdr, recs, bin_ms):
    hz = hdr["hz"]

    def ms(ts):
        return (ts - hdr["start"]) * 1000.0 / hz

    procs = ProcTable(hdr["page"])
    faults = Faults(hz, bin_ms)
    markers = Markers()
    lost = 0
    counts = collections.Counter()
    for ts, seq, pid, typ, cpu, flags, arg, a, b in recs:
        counts[typ] += 1
        t = ms(ts)
        if typ == F.LOST:
            lost += a
        elif typ == F.MARKER:
            test = markers.record(t, cpu, flags, a, b)
            if test is not None:
                procs.test = test
        else:
            faults.record(t, ts, typ, pid, cpu, flags, arg)
            procs.record(t, typ, pid, arg, a, b)

    duration = ms(recs[-1][0]) if recs else 0.0
    for p in procs.procs:
        if not p.status:            # still running when the recording ended
            p.end_ms = duration
    return dict(faults=faults.done, per_cpu=faults.per_cpu, procs=procs.procs, lost=lost,
                counts=counts, duration=duration, tests=markers.tests)


def percentile(sorted_vals, q):
    """The q-th percentile, nearest rank (a value that occurred)."""
    if not sorted_vals:
        return 0.0
    k = max(0, min(len(sorted_vals) - 1, int(math.ceil(q / 100.0 * len(sorted_vals))) - 1))
    return sorted_vals[k]


def write_csv(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def latency_tables(faults):
    """The histogram and order-statistics rows of fault latency, by outcome and source."""
    groups = collections.defaultdict(list)
    for outcome, source, lat in faults:
        groups[(outcome, source)].append(lat)
    hist, stats = [], []
    for (outcome, source), lats in sorted(groups.items()):
        lats.sort()
        bins = collections.Counter(
            int(math.floor(math.log10(max(l, LAT_MIN_NS)) * BINS_PER_DECADE)) for l in lats)
        for k in sorted(bins):
            hist.append((outcome, source, "%.0f" % 10 ** (k / BINS_PER_DECADE),
                         "%.0f" % 10 ** ((k + 1) / BINS_PER_DECADE), bins[k]))
        stats.append((outcome, source, len(lats),
                      "%.0f" % percentile(lats, 50), "%.0f" % percentile(lats, 90),
                      "%.0f" % percentile(lats, 99), "%.0f" % lats[-1],
                      "%.0f" % (sum(lats) / len(lats))))
    return hist, stats


def process_tables(procs):
    """The memory-over-time rows and the one-row-per-process table."""
    mem, table = [], []
    for p in procs:
        for t, (v, r) in p.rows.items():
            mem.append((t, p.pid, v, r))
        table.append((p.pid, p.name, p.test, "%.3f" % p.start_ms, "%.3f" % p.end_ms,
                      p.peak_v, p.peak_r, p.faults, p.status, p.parent, p.copied,
                      p.shared, p.cow_faults))
    mem.sort(key=lambda row: (row[0], row[1]))
    return mem, table


def info_rows(s, hdr, nrecs, args, extra):
    counted = (F.FAULT_BEGIN, F.FAULT_END, F.MAP, F.UNMAP, F.SHARE, F.SBRK, F.FORK, F.EXEC,
               F.EXIT)
    info = [("label", args.label), ("records", nrecs), ("written_records", hdr["written"]),
            ("lost_records", s["lost"]),
            ("duration_ms", "%.1f" % s["duration"]), ("cpus", hdr["ncpu"]),
            ("timer_hz", hdr["hz"]), ("bin_ms", args.bin_ms),
            ("processes", len(s["procs"])), ("faults", len(s["faults"]))]
    info += [("records_" + F.TYPE_NAMES[t], s["counts"][t]) for t in counted]
    return info + [tuple(kv) for kv in extra]


def write_all(s, hdr, nrecs, args, extra):
    def out(suffix):
        return os.path.join(args.outdir, "%s-%s.csv" % (args.name, suffix))

    hist, stats = latency_tables(s["faults"])
    write_csv(out("fault-latency"), ["outcome", "source", "lo_ns", "hi_ns", "count"], hist)
    write_csv(out("fault-stats"), ["outcome", "source", "count", "p50_ns", "p90_ns",
                                   "p99_ns", "max_ns", "mean_ns"], stats)
    nbins = int(s["duration"] // args.bin_ms) + 1
    write_csv(out("faults-per-cpu"), ["start_ms", "cpu", "faults"],
              [("%.1f" % (i * args.bin_ms), cpu, s["per_cpu"].get((i, cpu), 0))
               for i in range(nbins) for cpu in range(hdr["ncpu"])])
    mem, table = process_tables(s["procs"])
    write_csv(out("memory"), ["ms", "pid", "virtual_pages", "resident_pages"], mem)
    write_csv(out("processes"), ["pid", "name", "test", "start_ms", "end_ms",
                                 "peak_virtual_pages", "peak_resident_pages", "faults",
                                 "exit_status", "parent", "copied_pages", "shared_pages",
                                 "cow_faults"], table)
    marks = s["tests"] + [(None, s["duration"])]
    write_csv(out("tests"), ["test", "start_ms", "end_ms"],
              [(name, "%.3f" % t0, "%.3f" % t1)
               for (name, t0), (_, t1) in zip(marks, marks[1:])])
    write_csv(out("info"), ["key", "value"], info_rows(s, hdr, nrecs, args, extra))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("recording")
    ap.add_argument("outdir")
    ap.add_argument("--name", default="recording", help="file name prefix (default recording)")
    ap.add_argument("--bin-ms", type=float, default=20.0,
                    help="time bin of the faults-per-CPU series (default 20 ms)")
    ap.add_argument("--label", default="", help="what was recorded, for NAME-info.csv")
    ap.add_argument("--info", action="append", default=[], metavar="KEY=VALUE",
                    help="one more row of NAME-info.csv (repeatable)")
    args = ap.parse_args(argv)
    extra = [kv.split("=", 1) for kv in args.info]
    if any(len(kv) != 2 or not kv[0] for kv in extra):
        ap.error("--info takes KEY=VALUE")

    hdr, recs = F.read(args.recording, "vmt_summary")
    s = summarize(hdr, recs, args.bin_ms)
    os.makedirs(args.outdir, exist_ok=True)
    write_all(s, hdr, len(recs), args, extra)
    print("vmt_summary: %d records, %d lost, %d faults, %d processes, %.0f ms -> %s/%s-*.csv"
          % (len(recs), s["lost"], len(s["faults"]), len(s["procs"]), s["duration"],
             args.outdir, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
