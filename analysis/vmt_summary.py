#!/usr/bin/env python3
"""Summarize a vmtrace recording into the small CSV files the matplotlib figures read.

    python3 analysis/vmt_summary.py REC.vmt OUTDIR [--name NAME] [--bin-ms MS]

A recording of lazytests is about 10 MB, too big to keep in git; these summaries are a
few hundred KB and hold everything analysis/recording_figures.py plots:

  NAME-fault-latency.csv   histogram of fault latency (fault_end.ts - fault_begin.ts on
                           one CPU) by outcome and source, 20 log bins per decade:
                           outcome,source,lo_ns,hi_ns,count
  NAME-fault-stats.csv     the same faults as exact order statistics:
                           outcome,source,count,p50_ns,p90_ns,p99_ns,max_ns,mean_ns
  NAME-faults-per-cpu.csv  faults begun per CPU per time bin: start_ms,cpu,faults
  NAME-memory.csv          per process, virtual size and resident pages over time, at
                           most one row per process per millisecond (the last value):
                           ms,pid,virtual_pages,resident_pages
  NAME-processes.csv       pid,name,test,start_ms,end_ms,peak_virtual_pages,
                           peak_resident_pages,faults,exit_status
  NAME-tests.csv           test,start_ms,end_ms: each "test NAME" marker to the next
                           one (or the end of the recording)
  NAME-info.csv            key,value: records, lost records, duration, CPUs, ...

Times are from the recording's start_ts. Standard library only, so any python3 runs it.

Resident pages per process need care: a map or unmap record carries the pid of the
process running on that CPU, which is not always the process whose page table changes.
fork() maps the child's copies while the parent runs, and wait() unmaps a dead child's
pages while the parent runs. So:
  - maps wait, per pid, until that pid's next event of another kind: if that is a FORK
    record the maps were the child's copies (trace_fork comes right after the copy);
    otherwise (fault end, sbrk, exec, ...) they were the pid's own;
  - an unmap is matched by physical address: each frame belongs to exactly one process,
    so it is taken from whichever process holds it (a reaped child, or the pid itself).
  - EXEC replaces the image: the pid's pages are the maps made during exec; the old
    image's unmaps follow and find their frames in the old set.
A process counts as gone at its EXIT record (its frames are freed when it is reaped).
Records lost in a full ring (VMT_LOST) can leave these counts short; NAME-info.csv says
how many were lost, and the figures say it too.
"""

import argparse
import collections
import csv
import math
import os
import struct
import sys

HEADER = struct.Struct("<8sIIIIQIIQQ")   # struct vmt_header, tracing/vmtrace_format.h
RECORD = struct.Struct("<QIIHBBIQQ")     # struct vmt_record
MAGIC, VERSION = b"VMTRACE1", 1

(FAULT_BEGIN, FAULT_END, KALLOC, KFREE, MAP, UNMAP, SBRK, FORK, EXEC, EXIT, KILL,
 SWITCH, MARKER, LOST) = range(1, 15)
OUTCOMES = {0: "mapped", 1: "illegal", 2: "protection", 3: "nomem"}
SOURCES = {0: "user", 1: "kernel"}
PTE_U = 1 << 4
MORE = 0x1
# Events of a pid that do not settle where its pending maps belong: page-level records
# themselves, and SWITCH (a process may be rescheduled in the middle of fork's copy).
NOT_SETTLING = {KALLOC, KFREE, MAP, UNMAP, SWITCH, LOST}

BINS_PER_DECADE = 20
LAT_MIN_NS = 100       # the time CSR's resolution on QEMU virt (10 MHz)


def read_recording(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HEADER.size:
        sys.exit("vmt_summary: %s: shorter than a header" % path)
    magic, version, hsize, rsize, ncpu, hz, page, _, free, start = HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or rsize != RECORD.size:
        sys.exit("vmt_summary: %s: not a version %d vmtrace recording" % (path, VERSION))
    recs = [RECORD.unpack_from(data, off)
            for off in range(hsize, len(data) - rsize + 1, rsize)]
    # Records of different CPUs are interleaved in drain order: merge by time (the sort
    # is stable, so one CPU's records keep their order when timestamps tie).
    recs.sort(key=lambda r: r[0])
    return dict(ncpu=ncpu, hz=hz, page=page, start=start, free=free), recs


class Proc:
    def __init__(self, pid, name, start_ms):
        self.pid = pid
        self.name = name
        self.test = ""
        self.start_ms = start_ms
        self.end_ms = None
        self.frames = {}        # pa -> va of the user pages it holds
        self.pending = []       # (va, pa) maps not yet settled
        self.vpages = None      # virtual size in pages, None until known
        self.peak_v = 0
        self.peak_r = 0
        self.faults = 0
        self.status = ""
        self.rows = collections.OrderedDict()   # ms -> (virtual, resident)


def pages_of(nbytes, page):
    return (nbytes + page - 1) // page


def summarize(hdr, recs):
    hz, page = hdr["hz"], hdr["page"]

    def ms(ts):
        return (ts - hdr["start"]) * 1000.0 / hz

    procs = {}              # live or dead-but-unreaped, by pid (pids are reused)
    done = []               # every process ever seen, in order of appearance
    owner = {}              # pa -> Proc holding the frame
    open_fault = {}         # cpu -> (ts, pid, source)
    faults = []             # (outcome, source, latency_ns)
    per_cpu = collections.Counter()   # (bin, cpu) -> faults begun
    test = ""
    tests = []              # (name, start ms) of each "test NAME" marker
    marker_parts = {}
    lost = 0
    counts = collections.Counter()

    def proc(pid, t):
        p = procs.get(pid)
        if p is None:
            p = procs[pid] = Proc(pid, "?", t)
            p.test = test
            done.append(p)
        return p

    def note(p, t):
        r = len(p.frames)
        v = p.vpages if p.vpages is not None else 0
        p.peak_r = max(p.peak_r, r)
        p.peak_v = max(p.peak_v, v)
        p.rows[int(t)] = (v, r)

    def settle(p, to):
        for va, pa in p.pending:
            to.frames[pa] = va
            owner[pa] = to
        p.pending = []

    for ts, seq, pid, typ, cpu, flags, arg, a, b in recs:
        counts[typ] += 1
        t = ms(ts)
        if typ == LOST:
            lost += a
            continue
        if typ == MARKER:
            text = marker_parts.pop(cpu, b"") + struct.pack("<QQ", a, b).rstrip(b"\0")
            if flags & MORE:
                marker_parts[cpu] = text
            else:
                s = text.decode("utf-8", "replace")
                if s.startswith("test "):
                    test = s[5:]
                    tests.append((test, t))
            continue
        if typ == FAULT_BEGIN:
            open_fault[cpu] = (ts, pid, flags & 0xF)
            per_cpu[(int(t // BIN_MS), cpu)] += 1
        elif typ == FAULT_END:
            begun = open_fault.pop(cpu, None)
            if begun is not None and begun[1] == pid:
                lat = (ts - begun[0]) * 1e9 / hz
                faults.append((OUTCOMES.get(arg, "other"), SOURCES.get(flags & 0xF, "?"),
                               lat))
        if pid == 0:
            continue
        p = proc(pid, t)
        if typ == MAP:
            if arg & PTE_U:
                p.pending.append((a, b))
            continue
        if typ == UNMAP:
            if arg & PTE_U:
                q = owner.pop(b, None)
                if q is not None:
                    q.frames.pop(b, None)
                    if q.end_ms is None:
                        note(q, t)
                else:   # mapped by this pid in the same breath (exec's failure path)
                    p.pending = [m for m in p.pending if m[1] != b]
            continue
        if typ in NOT_SETTLING:
            continue
        # Any other event of pid p settles its pending maps.
        if typ == FORK:
            child_pid = arg
            old = procs.get(child_pid)
            if old is not None and old is not p:
                old.end_ms = old.end_ms if old.end_ms is not None else t
            child = procs[child_pid] = Proc(child_pid, p.name, t)
            child.test = test
            child.vpages = p.vpages
            done.append(child)
            settle(p, child)
            note(child, t)
            continue
        if typ == EXEC:
            # The old image's frames are unmapped after this record; from here on the
            # process is the new image: the maps made during exec.
            # owner[] still names p for the old frames, so their unmaps find p and
            # remove nothing from the new set.
            p.frames = {}
            settle(p, p)
            name = struct.pack("<QQ", a, b).split(b"\0")[0].decode("utf-8", "replace")
            p.name = name or p.name
            p.vpages = pages_of(arg, page)
            note(p, t)
            continue
        settle(p, p)
        if typ == FAULT_END:
            p.faults += 1
        elif typ == SBRK:
            p.vpages = pages_of(b, page)
        elif typ == EXIT:
            p.status = str(struct.unpack("<i", struct.pack("<I", arg))[0])
            note(p, t)
            p.end_ms = t
            p.rows[int(t) + 1] = (0, 0)
            continue
        if p.end_ms is None:
            note(p, t)

    duration = ms(recs[-1][0]) if recs else 0.0
    for p in done:
        if p.end_ms is None:
            p.end_ms = duration
    return dict(faults=faults, per_cpu=per_cpu, procs=done, lost=lost, counts=counts,
                duration=duration, tests=tests)


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


def main(argv):
    global BIN_MS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("recording")
    ap.add_argument("outdir")
    ap.add_argument("--name", default="recording", help="file name prefix (default recording)")
    ap.add_argument("--bin-ms", type=float, default=20.0,
                    help="time bin of the faults-per-CPU series (default 20 ms)")
    ap.add_argument("--label", default="", help="what was recorded, for NAME-info.csv")
    args = ap.parse_args(argv)
    BIN_MS = args.bin_ms

    hdr, recs = read_recording(args.recording)
    s = summarize(hdr, recs)
    os.makedirs(args.outdir, exist_ok=True)
    out = lambda suffix: os.path.join(args.outdir, "%s-%s.csv" % (args.name, suffix))

    groups = collections.defaultdict(list)
    for outcome, source, lat in s["faults"]:
        groups[(outcome, source)].append(lat)
    edges_per = BINS_PER_DECADE
    hist, stats = [], []
    for (outcome, source), lats in sorted(groups.items()):
        lats.sort()
        bins = collections.Counter(
            int(math.floor(math.log10(max(l, LAT_MIN_NS)) * edges_per)) for l in lats)
        for k in sorted(bins):
            hist.append((outcome, source, "%.0f" % 10 ** (k / edges_per),
                         "%.0f" % 10 ** ((k + 1) / edges_per), bins[k]))
        stats.append((outcome, source, len(lats),
                      "%.0f" % percentile(lats, 50), "%.0f" % percentile(lats, 90),
                      "%.0f" % percentile(lats, 99), "%.0f" % lats[-1],
                      "%.0f" % (sum(lats) / len(lats))))
    write_csv(out("fault-latency"), ["outcome", "source", "lo_ns", "hi_ns", "count"], hist)
    write_csv(out("fault-stats"), ["outcome", "source", "count", "p50_ns", "p90_ns",
                                   "p99_ns", "max_ns", "mean_ns"], stats)

    nbins = int(s["duration"] // BIN_MS) + 1
    rows = [("%.1f" % (i * BIN_MS), cpu, s["per_cpu"].get((i, cpu), 0))
            for i in range(nbins) for cpu in range(hdr["ncpu"])]
    write_csv(out("faults-per-cpu"), ["start_ms", "cpu", "faults"], rows)

    mem, procs = [], []
    for p in s["procs"]:
        for t, (v, r) in p.rows.items():
            mem.append((t, p.pid, v, r))
        procs.append((p.pid, p.name, p.test, "%.3f" % p.start_ms, "%.3f" % p.end_ms,
                      p.peak_v, p.peak_r, p.faults, p.status))
    mem.sort(key=lambda row: (row[0], row[1]))
    write_csv(out("memory"), ["ms", "pid", "virtual_pages", "resident_pages"], mem)
    write_csv(out("processes"), ["pid", "name", "test", "start_ms", "end_ms",
                                 "peak_virtual_pages", "peak_resident_pages", "faults",
                                 "exit_status"], procs)

    marks = s["tests"] + [(None, s["duration"])]
    write_csv(out("tests"), ["test", "start_ms", "end_ms"],
              [(name, "%.3f" % t0, "%.3f" % t1)
               for (name, t0), (_, t1) in zip(marks, marks[1:])])

    names = {FAULT_BEGIN: "fault_begin", FAULT_END: "fault_end", MAP: "map",
             UNMAP: "unmap", SBRK: "sbrk", FORK: "fork", EXEC: "exec", EXIT: "exit"}
    info = [("label", args.label), ("records", len(recs)), ("lost_records", s["lost"]),
            ("duration_ms", "%.1f" % s["duration"]), ("cpus", hdr["ncpu"]),
            ("timer_hz", hdr["hz"]), ("bin_ms", BIN_MS),
            ("processes", len(s["procs"])), ("faults", len(s["faults"]))]
    info += [("records_" + names[t], s["counts"][t]) for t in sorted(names)]
    write_csv(out("info"), ["key", "value"], info)
    print("vmt_summary: %d records, %d lost, %d faults, %d processes, %.0f ms -> %s/%s-*.csv"
          % (len(recs), s["lost"], len(s["faults"]), len(s["procs"]), s["duration"],
             args.outdir, args.name))
    return 0


BIN_MS = 20.0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
