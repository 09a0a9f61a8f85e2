#!/usr/bin/env python3
"""The numbers the eager-against-lazy report quotes, computed from the stored data.

    python3 analysis/derive.py DATADIR NUMBERS.csv [NUMBERS.gp]

Reads DATADIR/sbrkbench-{host,icount}.csv (make bench), DATADIR/lazytests-*.csv (the
recording summaries) and, if they are there, DATADIR/tracebench.csv and
tracebench-icount.csv (the tracer's own benchmark, make bench-trace),
chainbench-icount.csv (what a fault's call chain costs, user/chainbench.c) and
chainbench-host.csv (the same on the host clock, prefix "chainhost."), and
fault-sites.csv and fault-chains-SUITE.folded (faults by site, and by chain and kind,
from make qemu-trace recordings), and forkbench-{host,icount}.csv (copy-on-write fork
against copying fork, make bench), prefix "cowfork.", and usertests-fault-outcomes.csv
(usertests' faults under each fork policy, make bench's profile part), prefix "prof.".
DATADIR/before/ holds data measured before the
kernel fixes the report describes; its figures get the prefix "before.". Two more hold
sbrkbench from older kernels (OLD_KERNELS): DATADIR/before-pagecost/ from before the
page-cost work (merged in 789ba3a: each page zeroed once, fault-around), prefix
"oldpage."; DATADIR/before-addrspace/ from before one address space (the kernel in
every page table, e1416ee..d8ad62d), prefix "oldspace.". before-tracecost/ and
before-fold/ hold bench-trace and chainbench from before two rounds of the tracer's
work (TRACE_BEFORE), prefixes "oldtrace." and "oldfold."; before-cow/ the same from
before copy-on-write fork, prefix "oldcow.", and before-chainwalk/ from before the chain
walk read the user stack through the direct map, prefix "oldsum.", and before-v5/ from
before format version 5 packed unmaps and the walk kept its stack table, prefix
"oldv4.", and before-trim/ from before the emit path and the traced unmap were trimmed,
prefix "oldv5.", and before-calm/ from before the ring's calm level and the leaf chain
walk, prefix "oldtrim.". DATADIR/before-forkcost/
holds forkbench from before copy-on-write fork shared a table at a time and copies
skipped the junk fill (761d28e), prefix "oldfork." in place of "cowfork.". Writes
NUMBERS.csv (key,value: every derived figure, full precision) and NUMBERS.gp (the
same numbers as gnuplot variables, '.' in a key becoming '_', for the figures that
mark them). analysis/test_analysis.py checks REPORT.md's
quoted numbers against NUMBERS.csv, so every number in the report comes from here.

Every figure is taken from the medians in the CSV. Per-page costs are least-squares
slopes over the sizes from 1 MiB up, which separates the cost per page from the fixed
cost of a system call, a fork and a child process. Standard library only.
"""

import csv
import math
import os
import re
import sys

CLOCKS = ("host", "icount")
ICOUNT_NS = 8            # -icount shift=3: one instruction is 2^3 ns of virtual time
PAGE = 4096
FA = "faultaround"       # the third policy's name in the CSV (kernel/mempolicy.h)
POLICIES = ("lazy", "eager", FA)
SLOPE_MIN_BYTES = 1 << 20
# sbrkbench measured on older kernels, oldest first: (folder in DATADIR, prefix). Each
# folder's README says which kernel and what changed after it.
OLD_KERNELS = (("before-pagecost", "oldpage"), ("before-addrspace", "oldspace"))
# The per-page figures each change is judged by: gain.PREFIX.KEY is that kernel's KEY
# over the next kernel's (the next folder's, or now's), what the change between them
# gained.
GAIN_KEYS = ("icount.eager_page_instr", "icount.lazy_overhead_instr", "icount.eager_page_us",
             "icount.lazy_page_us", "host.eager_page_us", "host.lazy_page_us")


def load_bench(path):
    """{(workload, policy, param, metric): (median, min, max, ok)} of one CSV."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["workload"], row["policy"], int(row["param"]), row["metric"])
            out[key] = (float(row["median"]), float(row["min"]), float(row["max"]),
                        row["status"] == "ok")
    return out


def slope(points):
    """Least-squares slope of y on x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def params(d, workload):
    return sorted({k[2] for k in d if k[0] == workload})


def med(d, workload, policy, param, metric):
    return d[(workload, policy, param, metric)][0]


def crossover(d, metric="total_ns"):
    """Where lazy stops losing to eager as the touch density 1/k falls: the stride k at
    which lazy/eager crosses 1, interpolated in log k between the two strides around
    it. Returns (k, density) or None if the sign never changes."""
    ks = params(d, "sparse")
    g = [(k, math.log(med(d, "sparse", "lazy", k, metric) /
                      med(d, "sparse", "eager", k, metric))) for k in ks]
    for (k1, g1), (k2, g2) in zip(g, g[1:]):
        if g1 >= 0 > g2:
            lk = math.log(k1) + g1 / (g1 - g2) * (math.log(k2) - math.log(k1))
            return math.exp(lk), math.exp(-lk)
    return None


def around_numbers(d, c, n, dense_slope):
    """Fault-around against eager and lazy: per page (dense slope), the 32 MiB dense case,
    and sparse touching's time and resident pages against lazy's."""
    fa_page = dense_slope(FA, "total_ns")
    n[c + ".fa_page_us"] = fa_page
    n[c + ".fa_overhead_us"] = fa_page - n[c + ".eager_page_us"]
    n[c + ".fa_over_eager_x"] = fa_page / n[c + ".eager_page_us"]
    if c == "icount":
        n["icount.fa_overhead_instr"] = n["icount.fa_overhead_us"] * 1000 / ICOUNT_NS
    top = max(params(d, "dense"))
    for p in POLICIES:
        n["%s.dense_top.%s_ms" % (c, p)] = med(d, "dense", p, top, "total_ns") / 1e6
    n[c + ".dense_top.mib"] = top / 2 ** 20
    n[c + ".dense_top.fa_over_eager_x"] = (n[c + ".dense_top.faultaround_ms"] /
                                           n[c + ".dense_top.eager_ms"])
    n[c + ".dense_top.lazy_over_eager_x"] = (n[c + ".dense_top.lazy_ms"] /
                                             n[c + ".dense_top.eager_ms"])
    ratios = []   # k >= 2: no sequential run, so the two policies do the same work
    for k in params(d, "sparse"):
        n["%s.sparse.faultaround_ms.k%d" % (c, k)] = med(d, "sparse", FA, k, "total_ns") / 1e6
        x = med(d, "sparse", FA, k, "total_ns") / med(d, "sparse", "lazy", k, "total_ns")
        n["%s.sparse.fa_over_lazy_x.k%d" % (c, k)] = x
        if k >= 2:
            ratios.append(x)
    n[c + ".sparse.fa_over_lazy_worst_x"] = max(ratios)
    n[c + ".sparse.fa_over_lazy_best_x"] = min(ratios)
    n[c + ".sparse.fa_over_lazy_gmean_x"] = math.exp(sum(map(math.log, ratios)) / len(ratios))


def bench_numbers(d, c, n):
    dense = [p for p in params(d, "dense") if p >= SLOPE_MIN_BYTES]

    def dense_slope(policy, metric):
        return slope([(p / PAGE, med(d, "dense", policy, p, metric)) for p in dense]) / 1000

    lazy_page = dense_slope("lazy", "total_ns")
    eager_page = dense_slope("eager", "total_ns")
    eager_sbrk = dense_slope("eager", "sbrk_ns")
    eager_store = dense_slope("eager", "touch_ns")
    n[c + ".lazy_page_us"] = lazy_page
    n[c + ".eager_page_us"] = eager_page
    n[c + ".eager_sbrk_page_us"] = eager_sbrk
    n[c + ".eager_store_us"] = eager_store
    n[c + ".lazy_overhead_us"] = lazy_page - eager_page
    n[c + ".lazy_over_eager_x"] = lazy_page / eager_page
    # The break-even density of the per-page model: lazy pays lazy_page per touched
    # page, eager pays eager_sbrk per page of the heap plus eager_store per touched page.
    n[c + ".model_crossover_density"] = eager_sbrk / (lazy_page - eager_store)
    if c == "icount":   # virtual time is instructions, 8 ns each (shift 3)
        n["icount.eager_page_instr"] = eager_sbrk * 1000 / ICOUNT_NS
        n["icount.lazy_overhead_instr"] = (lazy_page - eager_page) * 1000 / ICOUNT_NS
    if ("dense", FA, dense[0], "total_ns") in d:
        around_numbers(d, c, n, dense_slope)

    x = crossover(d)
    if x:
        n[c + ".crossover_stride"], n[c + ".crossover_density"] = x

    for k in params(d, "sparse"):
        for p in ("lazy", "eager"):
            n["%s.sparse.%s_ms.k%d" % (c, p, k)] = med(d, "sparse", p, k, "total_ns") / 1e6
        n["%s.sparse.eager_over_lazy_x.k%d" % (c, k)] = (
            med(d, "sparse", "eager", k, "total_ns") / med(d, "sparse", "lazy", k, "total_ns"))
    sbrks = params(d, "sbrk")
    n[c + ".sbrk.lazy_max_us"] = max(med(d, "sbrk", "lazy", p, "sbrk_ns") for p in sbrks) / 1000
    n[c + ".sbrk.lazy_min_us"] = min(med(d, "sbrk", "lazy", p, "sbrk_ns") for p in sbrks) / 1000
    n[c + ".sbrk.lazy_fastest_us"] = min(d[("sbrk", "lazy", p, "sbrk_ns")][1] for p in sbrks) / 1000
    ok = [p for p in sbrks if d[("sbrk", "eager", p, "sbrk_ns")][3]]
    n[c + ".sbrk.eager_max_ok_mib"] = max(ok) / 2 ** 20
    n[c + ".sbrk.eager_first_fail_mib"] = min(p for p in sbrks if p not in ok) / 2 ** 20
    n[c + ".sbrk.eager_ms_at_max_ok"] = med(d, "sbrk", "eager", max(ok), "sbrk_ns") / 1e6
    n[c + ".sbrk.eager_page_us"] = slope(
        [(p / PAGE, med(d, "sbrk", "eager", p, "sbrk_ns")) for p in ok
         if p >= SLOPE_MIN_BYTES]) / 1000

    for k in params(d, "fork"):
        for p in ("lazy", "eager"):
            n["%s.fork.%s_ms.k%d" % (c, p, k)] = med(d, "fork", p, k, "fork_ns") / 1e6
            n["%s.fork.%s_wait_ms.k%d" % (c, p, k)] = med(d, "fork", p, k, "fork_wait_ns") / 1e6
        n["%s.fork.eager_over_lazy_x.k%d" % (c, k)] = (
            med(d, "fork", "eager", k, "fork_ns") / med(d, "fork", "lazy", k, "fork_ns"))
    # fork's cost per copied page: over the lazy runs, which copy from 23 to 8207 pages.
    n[c + ".fork.us_per_page"] = slope(
        [(med(d, "fork", "lazy", k, "copied_pages"), med(d, "fork", "lazy", k, "fork_ns"))
         for k in params(d, "fork")]) / 1000

    keys = max(params(d, "hash"))
    for p in POLICIES:
        if ("hash", p, keys, "total_ns") in d:
            n["%s.hash.%s_ms" % (c, p)] = med(d, "hash", p, keys, "total_ns") / 1e6
    n[c + ".hash.lazy_over_eager_x"] = n[c + ".hash.lazy_ms"] / n[c + ".hash.eager_ms"]
    if c + ".hash.faultaround_ms" in n:
        n[c + ".hash.fa_over_eager_x"] = n[c + ".hash.faultaround_ms"] / n[c + ".hash.eager_ms"]
    n[c + ".hash.gap_ms"] = n[c + ".hash.lazy_ms"] - n[c + ".hash.eager_ms"]
    # What the faults alone would add: one per resident heap page at the dense overhead.
    n[c + ".hash.fault_share_ms"] = (med(d, "hash", "lazy", keys, "resident_pages") *
                                     n[c + ".lazy_overhead_us"] / 1000)


def clock_free_numbers(d, n):
    """Page counts: the same on either clock (the benchmark is deterministic in them)."""
    for k in params(d, "sparse"):
        lazy = med(d, "sparse", "lazy", k, "resident_pages")
        eager = med(d, "sparse", "eager", k, "resident_pages")
        n["sparse.lazy_pages.k%d" % k] = lazy
        n["sparse.eager_pages.k%d" % k] = eager
        n["sparse.saved_pct.k%d" % k] = 100.0 * (1 - lazy / eager)
        n["sparse.saved_mib.k%d" % k] = (eager - lazy) * PAGE / 2 ** 20
    for k in params(d, "fork"):
        for p in ("lazy", "eager"):
            n["fork.%s_copied_pages.k%d" % (p, k)] = med(d, "fork", p, k, "copied_pages")
    if ("sparse", FA, 1, "resident_pages") in d:
        worst = 0.0
        for k in params(d, "sparse"):
            fa = med(d, "sparse", FA, k, "resident_pages")
            n["sparse.faultaround_pages.k%d" % k] = fa
            if k >= 2:
                worst = max(worst, fa / med(d, "sparse", "lazy", k, "resident_pages"))
        n["sparse.fa_over_lazy_pages_worst_x"] = worst
    keys = max(params(d, "hash"))
    n["hash.keys"] = keys
    n["hash.heap_pages"] = med(d, "hash", "lazy", keys, "heap_pages")
    for p in POLICIES:
        if ("hash", p, keys, "resident_pages") in d:
            n["hash.%s_resident_pages" % p] = med(d, "hash", p, keys, "resident_pages")
    n["hash.saved_pct"] = 100.0 * (1 - n["hash.lazy_resident_pages"] /
                                   n["hash.eager_resident_pages"])


def tracing_numbers(path, n, prefix):
    """From tools/systest/bench-trace.sh's CSV: what recording costs (on against off in one
    boot), and what compiled-in-but-off costs against compiled out (two boots). Each
    figure is the median over the CSV's repeats (boots)."""
    rows = list(csv.DictReader(open(path, newline="")))

    def median(vals):
        vals = sorted(vals)
        return vals[len(vals) // 2] if len(vals) % 2 else (vals[len(vals) // 2 - 1] +
                                                           vals[len(vals) // 2]) / 2

    def pick(**kw):
        return [r for r in rows if all(r[k] == v for k, v in kw.items())]

    for metric in ("fault_on_off", "fault_nochain_off", "fork_on_off", "round_on_off"):
        vals = [float(r["median"]) for r in pick(mode="on", case="ratio", metric=metric)]
        if vals:
            n["%s.%s_x" % (prefix, metric)] = median(vals)
    # Each phase's time in the traced boot, tracing off and every event on, and what
    # recording added: a ratio alone hides that the untraced phase itself moved.
    for phase in ("fault", "fork"):
        off, on = ([float(r["median"]) for r in pick(boot="traced", mode="on", case=case,
                                                     metric=phase + "_ns")]
                   for case in ("off", "on"))
        if off and on:
            n["%s.%s_off_ms" % (prefix, phase)] = median(off) / 1e6
            n["%s.%s_on_ms" % (prefix, phase)] = median(on) / 1e6
            n["%s.%s_added_ms" % (prefix, phase)] = (median(on) - median(off)) / 1e6
    vals = [float(r["median"]) for r in pick(mode="emit", case="fault", metric="emit_ns_min")]
    if vals:
        n[prefix + ".emit_ns"] = median(vals)
        if prefix.endswith("icount"):
            n[prefix + ".emit_instr"] = median(vals) / ICOUNT_NS
    runs = sorted({r["run"] for r in pick(boot="traced", mode="off", metric="fault_ns")})
    # compiled_in_off_x is the fault phase's (the goal's); the fork phase's has its name.
    for phase, suffix in (("fault", ""), ("fork", "_fork")):
        ratios = []
        for run in runs:
            on = pick(run=run, boot="traced", mode="off", case="off", metric=phase + "_ns")
            off = pick(run=run, boot="notrace", mode="off", case="off", metric=phase + "_ns")
            if on and off:
                ratios.append(float(on[0]["median"]) / float(off[0]["median"]))
        if ratios:
            n["%s.compiled_in_off%s_x" % (prefix, suffix)] = median(ratios)
            n[prefix + ".runs"] = len(ratios)


def chain_numbers(path, n, root="chain", icount=True):
    """From chainbench's CSV lines (depth,metric,median,min,max,unit): ROOT.DEPTH.METRIC,
    the median over its rounds. On the host clock (icount False) no instruction counts:
    chainbench's own (unit "... icount ... only") and ours from nanoseconds are left out."""
    for r in csv.DictReader(open(path, newline="")):
        if not icount and "icount" in r["unit"]:
            continue
        n["%s.%s.%s" % (root, r["depth"], r["metric"])] = float(r["median"])
        if icount and r["metric"].startswith("fault_ns_"):   # whole workload per fault
            n["%s.%s.fault_instr_%s" % (root, r["depth"], r["metric"][9:])] = (
                float(r["median"]) / ICOUNT_NS)
    for depth in ("shallow", "deep"):   # recording all but the chain, against none
        nochain, quiet = (n.get("%s.%s.fault_ns_%s" % (root, depth, m))
                          for m in ("nochain", "quiet"))
        if nochain and quiet:
            n["%s.%s.ratio_nochain_quiet" % (root, depth)] = nochain / quiet
            if icount:
                n["%s.%s.nochain_added_instr" % (root, depth)] = (nochain - quiet) / ICOUNT_NS


def one_hart_numbers(path, n):
    """fork under icount on one hart (make bench's extra boot), against three."""
    d = load_bench(path)
    for k in params(d, "fork"):
        n["icount1.fork.eager_ms.k%d" % k] = med(d, "fork", "eager", k, "fork_ns") / 1e6
        n["icount1.fork.lazy_ms.k%d" % k] = med(d, "fork", "lazy", k, "fork_ns") / 1e6
    n["icount1.fork.us_per_page"] = slope(
        [(med(d, "fork", "lazy", k, "copied_pages"), med(d, "fork", "lazy", k, "fork_ns"))
         for k in params(d, "fork")]) / 1000
    if "icount.fork.eager_ms.k1" in n:
        n["icount.fork.three_over_one_hart_x"] = (n["icount.fork.eager_ms.k1"] /
                                                  n["icount1.fork.eager_ms.k1"])


def cowfork_numbers(path, c, n):
    """forkbench-CLOCK.csv (make bench's fork part): copy-on-write fork against copying
    fork, as cowfork.CLOCK.*: fork time per resident size and its per-page slopes, the
    pages copied after fork+exec and fork+write-all, the break-even write fraction, and
    the fork of two thirds of memory."""
    d = load_bench(path)
    k = "cowfork." + c + "."
    sizes = params(d, "size")
    copied_sizes = [b for b in sizes if ("size", "copy", b, "fork_ns") in d]
    for b in sizes:
        m = "m%d" % (b >> 20)
        for p in ("cow", "copy"):
            if ("size", p, b, "fork_ns") in d:
                n[k + "fork_%s_ms.%s" % (p, m)] = med(d, "size", p, b, "fork_ns") / 1e6
        if b in copied_sizes:
            n[k + "cow_over_copy_x." + m] = (med(d, "size", "cow", b, "fork_ns") /
                                             med(d, "size", "copy", b, "fork_ns"))
    top = max(copied_sizes)
    n["cowfork.copy_top_mib"] = top >> 20
    n["cowfork.top_mib"] = max(sizes) >> 20
    n[k + "cow_over_copy_x.top"] = n[k + "cow_over_copy_x.m%d" % (top >> 20)]
    # .top: the largest size copy ran at; .max: the largest size (copy-on-write alone).
    for p in ("cow", "copy"):
        n[k + "fork_%s_ms.top" % p] = med(d, "size", p, top, "fork_ns") / 1e6
    n[k + "fork_cow_ms.max"] = med(d, "size", "cow", max(sizes), "fork_ns") / 1e6
    for p in ("cow", "copy"):
        pts = [(med(d, "size", p, b, "resident_pages"), med(d, "size", p, b, "fork_ns"))
               for b in (copied_sizes if p == "copy" else sizes)]
        n[k + "fork_%s_page_us" % p] = slope(pts) / 1000
        if c == "icount":
            n[k + "fork_%s_page_instr" % p] = slope(pts) / ICOUNT_NS
        if p == "copy" and max(sizes) not in copied_sizes:
            # Where copy could not run: its line through the sizes it ran at, a projection.
            b = max(sizes)
            x = med(d, "size", "cow", b, "resident_pages")
            mx = sum(q for q, _ in pts) / len(pts)
            my = sum(t for _, t in pts) / len(pts)
            proj = my + slope(pts) * (x - mx)
            n[k + "fork_copy_projected_ms.max"] = proj / 1e6
            n[k + "cow_over_projected_copy_x.max"] = med(d, "size", "cow", b, "fork_ns") / proj
    for w in ("exec", "writeall"):
        res = params(d, w)[0]
        n["cowfork.%s.resident_pages" % w] = res
        for metric in ("copied_pages", "child_copied_pages", "child_taken_pages",
                       "parent_copied_pages", "parent_taken_pages"):
            row = d[(w, "cow", res, metric)]
            n[k + "%s.%s" % (w, metric)] = row[0]
            n[k + "%s.%s_most" % (w, metric)] = row[2]
        for p in ("cow", "copy"):
            n[k + "%s.%s_ms" % (w, p)] = med(d, w, p, res, "total_ns") / 1e6
    b = params(d, "breakeven")[0]
    pages = b / PAGE
    n["cowfork.breakeven.pages"] = pages
    for p in ("cow", "copy"):
        n[k + "breakeven.fork_%s_ms" % p] = med(d, "breakeven", p, b, "fork_ns") / 1e6
        n[k + "breakeven.pass_%s_ms" % p] = med(d, "breakeven", p, b, "child_write_ns") / 1e6
        n[k + "breakeven.total_%s_ms" % p] = med(d, "breakeven", p, b, "total_ns") / 1e6
    n[k + "breakeven.child_copied_pages"] = med(d, "breakeven", "cow", b, "child_copied_pages")
    fork_saved = (med(d, "breakeven", "copy", b, "fork_ns") -
                  med(d, "breakeven", "cow", b, "fork_ns"))
    fault_cost = (med(d, "breakeven", "cow", b, "child_write_ns") -
                  med(d, "breakeven", "copy", b, "child_write_ns"))
    # Per page: what copying at fork costs more than sharing, and what a copy-on-write
    # fault costs more than a plain store; copying wins when the child writes more than
    # their ratio of the pages.
    n[k + "breakeven.copy_at_fork_page_us"] = fork_saved / pages / 1000
    n[k + "breakeven.cow_fault_page_us"] = fault_cost / pages / 1000
    n[k + "breakeven.fault_over_copy_x"] = fault_cost / fork_saved
    n[k + "breakeven.fraction"] = fork_saved / fault_cost
    if c == "icount":
        n[k + "breakeven.copy_at_fork_page_instr"] = fork_saved / pages / ICOUNT_NS
        n[k + "breakeven.cow_fault_page_instr"] = fault_cost / pages / ICOUNT_NS
    for metric in ("held_pages", "free_pages", "child_copied_pages", "child_taken_pages",
                   "parent_copied_pages", "parent_taken_pages", "leaked_pages"):
        n[k + "big." + metric] = med(d, "big", "cow", 0, metric)
    for metric in ("fork_ns", "child_write_ns", "parent_write_ns"):
        n[k + "big." + metric.replace("_ns", "_ms")] = med(d, "big", "cow", 0, metric) / 1e6
    n[k + "big.copy_forked"] = 1.0 if d[("big", "copy", 0, "fork_ns")][3] else 0.0
    n[k + "big.take_page_us"] = (med(d, "big", "cow", 0, "parent_write_ns") /
                                 n[k + "big.held_pages"] / 1000)
    n[k + "big.held_pct"] = 100 * n[k + "big.held_pages"] / n[k + "big.free_pages"]


def profile_numbers(path, n):
    """usertests-fault-outcomes.csv (analysis/fault_outcomes.py): faults by source and
    outcome under each fork policy, as prof.WORKLOAD.POLICY.SOURCE.OUTCOME, their totals
    (.faults, .cow_faults: writes to copy-on-write pages), .forks, and under cow the
    pages the forks shared (.shared_cow_pages writable ones, .shared_ro_pages text) and
    the share of the writable ones that were ever copied (.copied_of_shared_pct)."""
    for r in csv.DictReader(open(path, newline="")):
        k = "prof.%s.%s." % (r["workload"], r["fork_policy"])
        count = float(r["count"])
        if r["what"] == "fault":
            n[k + r["source"] + "." + r["outcome"]] = count
            n[k + "faults"] = n.get(k + "faults", 0.0) + count
            n[k + "cow_faults"] = n.get(k + "cow_faults", 0.0) + (count if r["cow"] == "1" else 0)
            if r["outcome"] in ("copied", "taken"):
                key = k + r["outcome"]
                n[key] = n.get(key, 0.0) + count
        elif r["what"] == "fork":
            n[k + "forks"] = count
        elif r["what"] == "shared_pages":
            n[k + ("shared_cow_pages" if r["cow"] == "1" else "shared_ro_pages")] = count
    for k in [k[:-len("shared_cow_pages")] for k in n if k.endswith(".shared_cow_pages")]:
        n[k + "shared_pages"] = n[k + "shared_cow_pages"] + n.get(k + "shared_ro_pages", 0.0)
        n[k + "copied_of_shared_pct"] = 100 * n.get(k + "copied", 0.0) / n[k + "shared_cow_pages"]
        # A copying fork copies every page these forks shared, text included.
        n[k + "shared_over_copied_x"] = n[k + "shared_pages"] / n.get(k + "copied", 1.0)


def fault_stats_numbers(path, n):
    """rec.OUTCOME_SOURCE.{count,p50_us,...} from a lazytests-fault-stats.csv."""
    for r in csv.DictReader(open(path, newline="")):
        key = "rec.%s_%s" % (r["outcome"], r["source"])
        n[key + ".count"] = float(r["count"])
        for q in ("p50", "p90", "p99", "max", "mean"):
            n["%s.%s_us" % (key, q)] = float(r[q + "_ns"]) / 1000


def recording_numbers(datadir, n):
    """The recording's figures, rec.*; returns the clock it ran on (None: no recording)."""
    stats = os.path.join(datadir, "lazytests-fault-stats.csv")
    if not os.path.exists(stats):
        return None
    fault_stats_numbers(stats, n)
    info = info_numbers(datadir, n)
    peak = {}
    bin_ms = n.get("rec.bin_ms", 20.0)
    for r in csv.DictReader(open(os.path.join(datadir, "lazytests-faults-per-cpu.csv"),
                                 newline="")):
        peak[r["cpu"]] = max(peak.get(r["cpu"], 0.0), float(r["faults"]) * 1000 / bin_ms)
    if peak:
        n["rec.peak_faults_per_s"] = max(peak.values())
        n["rec.peak_faults_per_s_min_cpu"] = min(peak.values())
        n["rec.peak_fault_interval_us"] = 1e6 / n["rec.peak_faults_per_s"]
    # Per test, its process with the largest virtual size: the one
    # recording_figures.py draws.
    biggest = {}
    for r in csv.DictReader(open(os.path.join(datadir, "lazytests-processes.csv"),
                                 newline="")):
        if r["test"] and float(r["peak_virtual_pages"]) > float(
                biggest.get(r["test"], {}).get("peak_virtual_pages", -1)):
            biggest[r["test"]] = r
    for test, r in biggest.items():
        for col in ("peak_virtual_pages", "peak_resident_pages"):
            n["rec.test.%s.%s" % (test, col)] = float(r[col])
    fork_numbers(datadir, n)
    return info.get("clock", "host")


def measured_on(folder):
    """{data file: commit} from FOLDER/measured-on.txt (analysis/measured_on.sh; a
    trailing '+', uncommitted changes, dropped); empty if there is none."""
    path = os.path.join(folder, "measured-on.txt")
    if not os.path.exists(path):
        return {}
    return dict((f, c.rstrip("+")) for f, c in
                (line.split() for line in open(path) if len(line.split()) == 2))


def trap_split_numbers(datadir, clock, n):
    """A fault as sbrkbench sees it against the handler's own time in the recording, on
    the recording's clock: the rest is the trap round trip. Only from one kernel: the
    sbrkbench data (now's, or a kept older kernel's, whose figures carry its prefix)
    measured on the commit the recording was, by measured-on.txt."""
    if clock is None or "rec.mapped_user.p50_us" not in n:
        return
    recorded = measured_on(datadir).get("lazytests-fault-stats.csv")
    csv_name = "sbrkbench-%s.csv" % clock
    for folder, prefix in [(datadir, "")] + [(os.path.join(datadir, sub), p + ".")
                                             for sub, p in OLD_KERNELS]:
        lazy = n.get(prefix + clock + ".lazy_page_us")
        if recorded is None or lazy is None or measured_on(folder).get(csv_name) != recorded:
            continue
        key = prefix + clock + ".handler_outside_"
        n[key + "us"] = lazy - n["rec.mapped_user.p50_us"]
        if clock == "icount":
            n[key + "instr"] = n[key + "us"] * 1000 / ICOUNT_NS


def site_numbers(datadir, n):
    """fault-sites.csv (analysis/fault_sites.py): sites.SUITE.{faults,sites} and
    sites.SUITE.rankK.{faults,share_pct} for the top sites."""
    path = os.path.join(datadir, "fault-sites.csv")
    if not os.path.exists(path):
        return
    for r in csv.DictReader(open(path, newline="")):
        key = "sites." + r["suite"]
        if r["site"] == "(all)":
            n[key + ".faults"] = float(r["faults"])
            n[key + ".sites"] = float(r["top_chain"].split()[0])
        elif r["rank"] != "0":
            n["%s.rank%s.faults" % (key, r["rank"])] = float(r["faults"])
            n["%s.rank%s.share_pct" % (key, r["rank"])] = float(r["share_pct"])


def kind_numbers(datadir, n):
    """fault-chains-SUITE.folded (make qemu-trace's folded stacks, which end in the
    fault's kind: "[killed]"): kinds.SUITE.KIND, faults of that kind ('-' in a kind
    becoming '_', which a key cannot hold)."""
    for name in sorted(os.listdir(datadir)):
        m = re.fullmatch(r"fault-chains-(.+)\.folded", name)
        if not m:
            continue
        for line in open(os.path.join(datadir, name), encoding="utf-8"):
            stack, count = line.rsplit(" ", 1)
            kind = re.search(r";\[([^\]]+)\]$", stack)
            key = "kinds.%s.%s" % (m.group(1), (kind.group(1) if kind else "none")
                                   .replace("-", "_"))
            n[key] = n.get(key, 0.0) + int(count)


def info_numbers(datadir, n):
    """lazytests-info.csv: every numeric value as rec.KEY, and the lost share; returns
    the file as a dict of strings. The share is of the records the kernel wrote
    (written_records; summaries made before it was kept have records only)."""
    info = {r["key"]: r["value"] for r in
            csv.DictReader(open(os.path.join(datadir, "lazytests-info.csv"), newline=""))}
    for key, value in info.items():
        try:
            n["rec." + key] = float(value)
        except ValueError:
            pass
    written = n.get("rec.written_records", n["rec.records"])
    n["rec.lost_pct"] = 100.0 * n["rec.lost_records"] / (written + n["rec.lost_records"])
    return info


def fork_numbers(datadir, n):
    """The forksparse test's parent and child: the parent's resident pages must not
    double at the fork, and the child starts with a copy of exactly them."""
    procs = list(csv.DictReader(open(os.path.join(datadir, "lazytests-processes.csv"),
                                     newline="")))
    if not procs or "copied_pages" not in procs[0]:
        return
    by_pid = {r["pid"]: r for r in procs}
    children = [r for r in procs if r["test"] == "forksparse" and r["copied_pages"] and
                by_pid.get(r["parent"], {}).get("test") == "forksparse"]
    if not children:
        return
    child = max(children, key=lambda r: int(r["copied_pages"]))
    parent = by_pid[child["parent"]]
    n["rec.forksparse.parent_peak_resident_pages"] = float(parent["peak_resident_pages"])
    n["rec.forksparse.child_copied_pages"] = float(child["copied_pages"])
    n["rec.forksparse.child_peak_resident_pages"] = float(child["peak_resident_pages"])
    n["rec.forksparse.child_faults"] = float(child["faults"])


def kept_bench_numbers(folder):
    """The sbrkbench figures of a folder of kept data, unprefixed: from whichever of
    sbrkbench-{host,icount}.csv and sbrkbench-icount-cpus1.csv it holds."""
    b = {}
    for c in CLOCKS:
        path = os.path.join(folder, "sbrkbench-%s.csv" % c)
        if os.path.exists(path):
            bench_numbers(load_bench(path), c, b)
    one_hart = os.path.join(folder, "sbrkbench-icount-cpus1.csv")
    if os.path.exists(one_hart):
        one_hart_numbers(one_hart, b)
    return b


def before_numbers(datadir, n):
    """The data measured before the fixes (DATADIR/before/), prefixed "before.": under
    icount fork on three harts and one and the tracer's cost; the host-clock recording's
    losses and fault latencies."""
    before = os.path.join(datadir, "before")
    if not os.path.isdir(before):
        return
    b = kept_bench_numbers(before)
    if os.path.exists(os.path.join(before, "tracebench-icount.csv")):
        tracing_numbers(os.path.join(before, "tracebench-icount.csv"), b, "trace.icount")
    if os.path.exists(os.path.join(before, "lazytests-info.csv")):
        info_numbers(before, b)
    if os.path.exists(os.path.join(before, "lazytests-fault-stats.csv")):
        # That recording ran on the host clock, as did sbrkbench-host.csv, same kernel.
        fault_stats_numbers(os.path.join(before, "lazytests-fault-stats.csv"), b)
        # Against the host-clock fault cost measured alone on the machine (before the
        # page-cost work, data/before-pagecost/) when there is one: the current host data
        # may carry load.
        lazy = n.get("oldpage.host.lazy_page_us", n.get("host.lazy_page_us"))
        if lazy is not None:
            b["host.handler_outside_us"] = lazy - b["rec.mapped_user.p50_us"]
    for k, v in b.items():
        n["before." + k] = v


def old_kernel_numbers(datadir, n):
    """sbrkbench on each older kernel of OLD_KERNELS that DATADIR holds, derived as now's
    and prefixed with its name, and gain.PREFIX.KEY for GAIN_KEYS (that kernel / the next
    one)."""
    chain = []
    for sub, prefix in OLD_KERNELS:
        b = kept_bench_numbers(os.path.join(datadir, sub))
        if b:
            n.update((prefix + "." + k, v) for k, v in b.items())
            chain.append(prefix + ".")
    for old, new in zip(chain, chain[1:] + [""]):
        for key in GAIN_KEYS:
            if old + key in n and new + key in n:
                n["gain.%s%s" % (old, key)] = n[old + key] / n[new + key]


# The tracer's "before" data sets: folder under DATADIR and key prefix.
TRACE_BEFORE = (
    ("before-tracecost", "oldtrace."),  # d8ad62d: before the tracer was made cheap again
    ("before-fold", "oldfold."),        # ee12c29: before a record could imply others
    ("before-cow", "oldcow."),          # 83ec84b: before copy-on-write fork
    ("before-chainwalk", "oldsum."),    # 185d12f: chain walk through user addresses, SUM set
    ("before-v5", "oldv4."),            # 7376d11: format version 4, walkaddr per chain
    ("before-trim", "oldv5."),          # e84bcf8: version 5, before the emit was trimmed
    ("before-calm", "oldtrim."),        # e882c19: trimmed, before calm_until and the leaf walk
)


def tracecost_before_numbers(datadir, n):
    """bench-trace and chainbench (under icount, and on the host clock where kept) on
    the kernels the tracer's later work started from (DATADIR/FOLDER/ of TRACE_BEFORE), each under its prefix."""
    for folder, prefix in TRACE_BEFORE:
        before = os.path.join(datadir, folder)
        b = {}
        for name, clock in (("tracebench-icount.csv", "trace.icount"),
                            ("tracebench.csv", "trace.host")):
            path = os.path.join(before, name)
            if os.path.exists(path):
                tracing_numbers(path, b, clock)
        path = os.path.join(before, "chainbench-icount.csv")
        if os.path.exists(path):
            chain_numbers(path, b)
        path = os.path.join(before, "chainbench-host.csv")
        if os.path.exists(path):
            chain_numbers(path, b, "chainhost", icount=False)
        for k, v in b.items():
            n[prefix + k] = v


# The per-page costs (icount, instructions) that the change after before-forkcost/ is
# judged by: short name, cowfork.icount.* key.
FORKCOST_KEYS = (("share", "fork_cow_page_instr"), ("copy", "fork_copy_page_instr"),
                 ("fault", "breakeven.cow_fault_page_instr"),
                 ("copy_at_fork", "breakeven.copy_at_fork_page_instr"))


def forkcost_before_numbers(datadir, n):
    """forkbench on the kernel before 761d28e (DATADIR/before-forkcost/), derived as now's
    with "cowfork." become "oldfork."; for each of FORKCOST_KEYS, oldfork.gain.NAME (that
    kernel's over now's) and oldfork.cut.NAME (that kernel's less now's). Keys stay
    short: gnuplot truncates a variable's name past 50 characters."""
    before = os.path.join(datadir, "before-forkcost")
    b = {}
    for c in CLOCKS:
        path = os.path.join(before, "forkbench-%s.csv" % c)
        if os.path.exists(path):
            cowfork_numbers(path, c, b)
    for k, v in b.items():
        n["oldfork." + k[len("cowfork."):]] = v
    for name, key in FORKCOST_KEYS:
        key = "cowfork.icount." + key
        if key in b and key in n:
            n["oldfork.gain." + name] = b[key] / n[key]
            n["oldfork.cut." + name] = b[key] - n[key]


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit("usage: derive.py DATADIR NUMBERS.csv [NUMBERS.gp]")
    datadir = argv[0]
    n = {}
    first = None
    for c in CLOCKS:
        path = os.path.join(datadir, "sbrkbench-%s.csv" % c)
        if os.path.exists(path):
            d = load_bench(path)
            bench_numbers(d, c, n)
            first = first or d
    if first is None:
        sys.exit("derive.py: no sbrkbench-*.csv in %s" % datadir)
    clock_free_numbers(first, n)
    for name, prefix in (("tracebench.csv", "trace.host"),
                         ("tracebench-icount.csv", "trace.icount")):
        if os.path.exists(os.path.join(datadir, name)):
            tracing_numbers(os.path.join(datadir, name), n, prefix)
    chains = os.path.join(datadir, "chainbench-icount.csv")
    if os.path.exists(chains):
        chain_numbers(chains, n)
    chains = os.path.join(datadir, "chainbench-host.csv")
    if os.path.exists(chains):
        chain_numbers(chains, n, "chainhost", icount=False)
    one_hart = os.path.join(datadir, "sbrkbench-icount-cpus1.csv")
    if os.path.exists(one_hart):
        one_hart_numbers(one_hart, n)
    for c in CLOCKS:
        path = os.path.join(datadir, "forkbench-%s.csv" % c)
        if os.path.exists(path):
            cowfork_numbers(path, c, n)
    profile = os.path.join(datadir, "usertests-fault-outcomes.csv")
    if os.path.exists(profile):
        profile_numbers(profile, n)
    forkcost_before_numbers(datadir, n)
    recorded_clock = recording_numbers(datadir, n)
    old_kernel_numbers(datadir, n)
    trap_split_numbers(datadir, recorded_clock, n)
    tracecost_before_numbers(datadir, n)
    site_numbers(datadir, n)
    kind_numbers(datadir, n)
    before_numbers(datadir, n)

    tmp = argv[1] + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["key", "value"])
        for k in sorted(n):
            w.writerow([k, repr(float(n[k]))])
    os.replace(tmp, argv[1])
    if len(argv) == 3:
        with open(argv[2] + ".tmp", "w") as f:
            f.write("# made by analysis/derive.py from %s\n" % datadir)
            for k in sorted(n):
                f.write("%s = %r\n" % (k.replace(".", "_"), float(n[k])))
        os.replace(argv[2] + ".tmp", argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
