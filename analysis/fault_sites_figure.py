#!/usr/bin/python3
"""The fault-site figure: which lines of code take the page faults, per suite.

    /usr/bin/python3 analysis/fault_sites_figure.py DATADIR OUTDIR

Reads DATADIR/fault-sites.csv (analysis/fault_sites.py) and draws
OUTDIR/fault_sites.{png,svg}: one panel per suite, its top fault sites as horizontal
bars of fault count (log scale), each labelled with the function and file:line and its
share of the suite's faults. Needs matplotlib (Debian's /usr/bin/python3).
"""

import csv
import os
import re
import sys
from collections import OrderedDict

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

matplotlib.rcParams["svg.hashsalt"] = "faultline"
COLOR = "#2471a3"
OTHER = "#7f8c8d"


def label(site, programs, suite):
    """'function (file:line)', the offset dropped; the program when it is not the suite."""
    text = re.sub(r"\+0x[0-9a-f]+", "", site).replace("(user/", "(")
    others = [p for p in programs.split(";") if p and p != suite]
    return text + (" [%s]" % ",".join(others) if others else "")


def load(path):
    suites = OrderedDict()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            suites.setdefault(row["suite"], []).append(row)
    return suites


def panel(ax, suite, rows):
    top = [r for r in rows if r["rank"] != "0"]
    other = next(r for r in rows if r["site"] == "(other sites)")
    total = next(r for r in rows if r["site"] == "(all)")
    bars = top + ([other] if int(other["faults"]) else [])
    names = [label(r["site"], r["programs"], suite) if r["rank"] != "0" else
             "all other sites" for r in bars]
    counts = [int(r["faults"]) for r in bars]
    y = range(len(bars))
    ax.barh(y, counts, color=[COLOR if r["rank"] != "0" else OTHER for r in bars])
    ax.set_yticks(list(y))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(1, max(counts) * 8)
    for i, r in enumerate(bars):
        ax.text(int(r["faults"]) * 1.15, i, "%s (%s%%)" % (r["faults"], r["share_pct"]),
                va="center", fontsize=7)
    ax.set_title("%s: %s faults at %s" % (suite, total["faults"], total["top_chain"]),
                 fontsize=10, loc="left")
    ax.grid(axis="x", which="major", alpha=0.3)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    suites = load(os.path.join(argv[1], "fault-sites.csv"))
    heights = [0.8 + 0.28 * len(rows) for rows in suites.values()]
    fig, axes = plt.subplots(len(suites), 1, figsize=(10, sum(heights) + 0.6),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (suite, rows) in zip(axes[:, 0], suites.items()):
        panel(ax, suite, rows)
    axes[-1, 0].set_xlabel("page faults at the site (log scale)")
    fig.suptitle("Where the page faults are taken: top sites by fault count", fontsize=11)
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(argv[2], "fault_sites." + ext), dpi=120,
                    metadata={"Date": None} if ext == "svg" else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
