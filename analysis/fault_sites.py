#!/usr/bin/env python3
"""Faults by site for the report's fault-site figure, from recorded timelines.

    python3 analysis/fault_sites.py OUT.csv SUITE=TRACE.json...

For each suite (e.g. lazytests=traces/lazytests.json, converted with --symbols so that
fault slices carry `at`), the fault sites of all its processes, most faults first, via
tools/report/fault_report.py (the same reading `make qemu-trace`'s report uses): one row
per site for the top TOP sites, then "(other sites)" with the rest, then "(all)" with
the suite's total. Columns: suite, rank (0 for the summary rows), site, programs (the
programs that faulted there, ';'-separated), faults, share_pct, total_us, median_us,
top_chain (the chain most of the site's faults came through).
"""

import csv
import os
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "tools", "report"))
import fault_report  # noqa: E402

TOP = 12


def suite_rows(suite, trace):
    programs = fault_report.read_faults(trace)
    durs, progs, chains = defaultdict(list), defaultdict(set), defaultdict(Counter)
    for p in programs.values():
        for site, d in p.sites.items():
            durs[site] += d
            progs[site].add(p.name)
        for (site, chain), n in p.site_chains.items():
            chains[site][chain] += n
    total = sum(len(d) for d in durs.values())
    order = sorted(durs, key=lambda s: (-len(durs[s]), s))
    rows = []
    for rank, site in enumerate(order[:TOP], 1):
        d = durs[site]
        top_chain = chains[site].most_common(1)[0][0] if chains[site] else site
        rows.append([suite, rank, site, ";".join(sorted(progs[site])), len(d),
                     "%.2f" % (100.0 * len(d) / total), "%.1f" % sum(d),
                     "%.1f" % fault_report.median(d), top_chain])
    rest = [x for s in order[TOP:] for x in durs[s]]
    rows.append([suite, 0, "(other sites)", "", len(rest),
                 "%.2f" % (100.0 * len(rest) / total if total else 0), "%.1f" % sum(rest),
                 "%.1f" % (fault_report.median(rest) if rest else 0), ""])
    alld = [x for d in durs.values() for x in d]
    rows.append([suite, 0, "(all)", str(len(programs)), total, "100.00", "%.1f" % sum(alld),
                 "%.1f" % (fault_report.median(alld) if alld else 0), "%d sites" % len(durs)])
    return rows


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows = []
    for arg in argv[2:]:
        suite, _, trace = arg.partition("=")
        rows += suite_rows(suite, trace)
    with open(argv[1], "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["suite", "rank", "site", "programs", "faults", "share_pct", "total_us",
                    "median_us", "top_chain"])
        w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
