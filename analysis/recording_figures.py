#!/usr/bin/python3
"""The three figures drawn from a recording (its summaries, made by vmt_summary.py):

    /usr/bin/python3 analysis/recording_figures.py DATADIR OUTDIR [--name lazytests]

  fault_latency.{png,svg}        distribution of fault latency (fault_begin to fault_end
                                 of one process: the handler's time) by outcome and source
  resident_vs_virtual.{png,svg}  resident pages against virtual size over time, one panel
                                 per process that grew its heap
  faults_per_cpu.{png,svg}       faults per second on each CPU over time, with the test
                                 that was running

Needs matplotlib: run it with Debian's /usr/bin/python3 (python3-matplotlib).
"""

import argparse
import collections
import csv
import os
import sys
import textwrap

import matplotlib
matplotlib.use("Agg")   # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

# The same data gives the same SVG: fixed ids, no creation date (a regenerated figure
# shows up in git only when it changed).
matplotlib.rcParams["svg.hashsalt"] = "faultline"

OUTCOME_COLORS = {"mapped": "#2471a3", "illegal": "#c0392b", "protection": "#8e44ad",
                  "nomem": "#7f8c8d", "spurious": "#d4ac0d", "copied": "#17a589",
                  "taken": "#76d7c4"}
CPU_COLORS = ["#2471a3", "#c0392b", "#17a589", "#e67e22", "#8e44ad", "#7f8c8d",
              "#34495e", "#d4ac0d"]
# A test gets a panel, for its process with the largest virtual size, when that went
# beyond this many pages; at most MAX_PANELS, in the order the tests ran.
MIN_PEAK_VIRTUAL = 64
MAX_PANELS = 8
# A test's name is written over its span only if the span is this wide, and this far from
# the previous name (fractions of the recording), so short tests' names do not pile up.
MIN_LABEL_SPAN = 0.025
MIN_LABEL_GAP = 0.07


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, outdir, name):
    fig.savefig(os.path.join(outdir, name + ".png"), dpi=110)
    fig.savefig(os.path.join(outdir, name + ".svg"), metadata={"Date": None})
    plt.close(fig)


def subtitle(info):
    lost = int(info["lost_records"])
    written = int(info.get("written_records", info["records"]))   # of what the kernel wrote
    note = ("%d records lost in full rings (%.1f%%): counts there are short"
            % (lost, 100.0 * lost / (written + lost)) if lost else
            "no records lost")
    return textwrap.fill("recorded: %s; %s" % (info["label"], note), width=120)


def fault_latency(data, out, name, info):
    hist = collections.defaultdict(list)
    for r in rows(os.path.join(data, name + "-fault-latency.csv")):
        hist[(r["outcome"], r["source"])].append(
            (float(r["lo_ns"]) / 1e3, float(r["hi_ns"]) / 1e3, int(r["count"])))
    stats = {(r["outcome"], r["source"]): r
             for r in rows(os.path.join(data, name + "-fault-stats.csv"))}
    fig, ax = plt.subplots(figsize=(10, 6))
    for (outcome, source), bins in sorted(hist.items(), key=lambda kv: -sum(b[2] for b in kv[1])):
        st = stats[(outcome, source)]
        label = "%s, %s source: %s fault%s, median %.1f µs, p99 %.1f µs" % (
            outcome, source, st["count"], "" if st["count"] == "1" else "s",
            float(st["p50_ns"]) / 1e3,
            float(st["p99_ns"]) / 1e3)
        # Bins are contiguous log bins; a gap between two bins has no faults in it.
        xs, ys = [], []
        for lo, hi, n in bins:
            xs += [lo, lo, hi, hi]
            ys += [0, n, n, 0]
        ax.plot(xs, ys, color=OUTCOME_COLORS.get(outcome, "black"),
                linestyle="-" if source == "user" else "--", linewidth=1.6, label=label)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("fault latency: fault_end − fault_begin of one process (µs, log scale; "
                  "bins of 1/20 decade)")
    ax.set_ylabel("faults per bin (log scale above 1)")
    ax.set_title("Page-fault latency in the kernel by outcome\n" + subtitle(info),
                 fontsize=10)
    ax.grid(True, which="major", color="#dddddd")
    ax.legend(fontsize=8, loc="upper right", title="outcome, who touched the page",
              title_fontsize=8)
    fig.tight_layout()
    save(fig, out, "fault_latency")


def resident_vs_virtual(data, out, name, info):
    biggest = {}
    for p in rows(os.path.join(data, name + "-processes.csv")):
        v = int(p["peak_virtual_pages"])
        if v >= MIN_PEAK_VIRTUAL and v > int(biggest.get(p["test"], {}).get(
                "peak_virtual_pages", 0)):
            biggest[p["test"]] = p
    procs = sorted(biggest.values(), key=lambda p: float(p["start_ms"]))[:MAX_PANELS]
    series = collections.defaultdict(list)
    for r in rows(os.path.join(data, name + "-memory.csv")):
        series[r["pid"]].append((float(r["ms"]), int(r["virtual_pages"]),
                                 int(r["resident_pages"])))
    ncols = 2
    nrows = max(1, (len(procs) + ncols - 1) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.2 * nrows + 0.8), squeeze=False)
    for ax, p in zip(axes.flat, procs):
        start, end = float(p["start_ms"]), float(p["end_ms"])
        pts = [s for s in series[p["pid"]] if start <= s[0] <= end + 1]
        t = [s[0] - start for s in pts]
        ax.step(t, [s[1] for s in pts], where="post", color="#c0392b", linestyle="--",
                linewidth=1.6, label="virtual size (the break)")
        ax.step(t, [s[2] for s in pts], where="post", color="#2471a3", linewidth=1.6,
                label="resident pages")
        # Shaded only where the break is above resident: after exit the address space
        # is gone (virtual 0) while the process still unmaps its pages.
        ax.fill_between(t, [s[2] for s in pts], [s[1] for s in pts], step="post",
                        where=[s[1] > s[2] for s in pts], color="#c0392b", alpha=0.08)
        ax.set_yscale("symlog", linthresh=10)
        ax.set_ylim(bottom=0)
        ax.set_title("pid %s %s, test %s: peak %s virtual, %s resident pages" % (
            p["pid"], p["name"], p["test"] or "-", p["peak_virtual_pages"],
            p["peak_resident_pages"]), fontsize=9)
        ax.set_xlabel("ms since the process was created")
        ax.set_ylabel("pages (4 KiB, log)")
        ax.grid(True, color="#dddddd")
        ax.legend(fontsize=8, loc="lower right")
    for ax in list(axes.flat)[len(procs):]:
        ax.axis("off")
    fig.suptitle("Resident pages against virtual size: per test, its process with the "
                 "largest heap (shaded: address space with no memory behind it)\n"
                 + subtitle(info),
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))   # room for the three-line title
    save(fig, out, "resident_vs_virtual")


def faults_per_cpu(data, out, name, info):
    bin_ms = float(info["bin_ms"])
    per = collections.defaultdict(list)
    for r in rows(os.path.join(data, name + "-faults-per-cpu.csv")):
        per[int(r["cpu"])].append((float(r["start_ms"]), int(r["faults"]) * 1000.0 / bin_ms))
    spans = {t["test"]: (float(t["start_ms"]), float(t["end_ms"]))
             for t in rows(os.path.join(data, name + "-tests.csv"))}
    fig, ax = plt.subplots(figsize=(11, 5))
    width = float(info["duration_ms"])
    last = -width
    for i, (test, (lo, hi)) in enumerate(sorted(spans.items(), key=lambda kv: kv[1][0])):
        ax.axvspan(lo, hi, color="#f2f3f4" if i % 2 else "#e5e8e8", zorder=0)
        mid = (lo + hi) / 2
        if hi - lo >= MIN_LABEL_SPAN * width and mid - last >= MIN_LABEL_GAP * width:
            ax.text(mid, 1.01, test, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8)
            last = mid
    for cpu in sorted(per):
        pts = per[cpu]
        ax.step([p[0] for p in pts], [p[1] for p in pts], where="post", linewidth=1.2,
                color=CPU_COLORS[cpu % len(CPU_COLORS)], label="cpu%d" % cpu)
    ax.set_xlabel("ms since recording started (%g ms bins)" % bin_ms)
    ax.set_ylabel("page faults per second")
    ax.set_title("Page faults per second on each CPU (shaded: the test running, named "
                 "if it ran long enough)\n"
                 + subtitle(info), fontsize=10, pad=18)
    ax.grid(True, color="#dddddd")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    save(fig, out, "faults_per_cpu")


def main(argv):
    ap = argparse.ArgumentParser(description="Figures from a recording's summaries.")
    ap.add_argument("datadir")
    ap.add_argument("outdir")
    ap.add_argument("--name", default="lazytests")
    args = ap.parse_args(argv)
    info = {r["key"]: r["value"] for r in rows(os.path.join(args.datadir,
                                                              args.name + "-info.csv"))}
    os.makedirs(args.outdir, exist_ok=True)
    fault_latency(args.datadir, args.outdir, args.name, info)
    resident_vs_virtual(args.datadir, args.outdir, args.name, info)
    faults_per_cpu(args.datadir, args.outdir, args.name, info)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
