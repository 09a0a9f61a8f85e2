#!/usr/bin/env python3
"""make test-analysis: the analysis runs on the committed data, and the report's numbers
are the data's.

    python3 analysis/test_analysis.py

1. analysis/make-figures.sh into a temporary directory must succeed and make every
   figure, PNG and SVG, each a real, non-trivial image; the flame graphs (SVG only)
   must pass tools/report/tests/flame_check.py against the folded stacks in the data.
2. Every figure REPORT.md shows must be committed in analysis/figures/.
3. Every number REPORT.md quotes is marked with the key of the figure it is, as
       4.4<!--= rec.mapped_user.p50_us --> µs
   (an HTML comment: invisible when the report is rendered). The number must equal that
   key's value in the freshly derived numbers.csv, rounded to as many decimals as the
   report gives; a number with a '%' or 'x' right after the comment is compared the same
   way (the key says what it is).
4. The recording reducer's per-process counts on a hand-made record sequence, and on
   version-5 packed unmaps read from a file (analysis/test_vmt_procs.py), and the fault
   profile's counts on a hand-made recording (analysis/test_fault_outcomes.py).
Prints one line per failure and "N passed, M failed"; exits 1 if anything failed.
"""

import csv
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import test_fault_outcomes
import test_vmt_procs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = ["sbrk_latency", "density", "fault_latency", "resident_vs_virtual",
           "faults_per_cpu", "fault_sites", "fork_latency"]
# The flame graphs (tools/report/flame_graph.py, SVG only): the folded stacks each is
# drawn from, as make-figures.sh picks them (all the data's, or the failed faults').
FLAMES = {"fault_flame": r"", "fault_flame_failed": r";\[(killed|refused)\] [0-9]+$"}
MIN_BYTES = 10000           # a figure with axes, labels and data is bigger than this
MIN_PNG_SIDE = 400
QUOTE_RE = re.compile(r"(-?[0-9][0-9,]*(?:\.[0-9]+)?)<!--= *([A-Za-z0-9_.]+) *-->")
FIGREF_RE = re.compile(r"\(figures/([A-Za-z0-9_]+\.(?:png|svg))\)")
MIN_QUOTES = 10


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)
        return ok


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def check_figures(t, out):
    for name in FIGURES:
        png = os.path.join(out, name + ".png")
        svg = os.path.join(out, name + ".svg")
        size = png_size(png) if os.path.exists(png) else None
        t.check(size is not None and min(size) >= MIN_PNG_SIDE and
                os.path.getsize(png) >= MIN_BYTES,
                "%s.png missing, not a PNG, or nearly empty" % name)
        ok = os.path.exists(svg) and os.path.getsize(svg) >= MIN_BYTES
        if ok:
            with open(svg, encoding="utf-8", errors="replace") as f:
                text = f.read()
            ok = "<svg" in text and "</svg>" in text
        t.check(ok, "%s.svg missing, not an SVG, or nearly empty" % name)


def check_flames(t, out):
    sys.path.insert(0, os.path.join(ROOT, "tools", "report", "tests"))
    import flame_check
    for name, pick in FLAMES.items():
        folded = os.path.join(out, name + ".folded")
        with open(folded, "w") as f:
            for path in sorted(glob.glob(os.path.join(ROOT, "analysis", "data",
                                                      "fault-chains-*.folded"))):
                f.writelines(l for l in open(path) if re.search(pick, l))
        bad = []
        flame_check.check_svg(folded, os.path.join(out, name + ".svg"),
                              lambda ok, what: ok or bad.append(what))
        t.check(not bad, "%s.svg against the data's folded stacks: %s" % (name, bad))


def check_report(t, numbers):
    with open(os.path.join(ROOT, "analysis", "REPORT.md"), encoding="utf-8") as f:
        report = f.read()
    for ref in sorted(set(FIGREF_RE.findall(report))):
        t.check(os.path.exists(os.path.join(ROOT, "analysis", "figures", ref)),
                "REPORT.md shows figures/%s, which is not in analysis/figures/" % ref)
    quotes = QUOTE_RE.findall(report)
    t.check(len(quotes) >= MIN_QUOTES,
            "REPORT.md marks only %d quoted numbers" % len(quotes))
    for text, key in quotes:
        if not t.check(key in numbers, "REPORT.md quotes %s as %s: no such number"
                       % (key, text)):
            continue
        quoted = text.replace(",", "")
        decimals = len(quoted.split(".")[1]) if "." in quoted else 0
        want = "%.*f" % (decimals, numbers[key])
        t.check(quoted == want, "REPORT.md quotes %s as %s; the data say %s (%r)"
                % (key, text, want, numbers[key]))


def main():
    t = Tally()
    out = tempfile.mkdtemp(prefix="test-analysis-")
    try:
        r = subprocess.run(["sh", os.path.join(ROOT, "analysis", "make-figures.sh"), out],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if not t.check(r.returncode == 0, "make-figures.sh failed:\n" + r.stdout):
            print("%d passed, %d failed" % (t.passed, t.failed))
            return 1
        check_figures(t, out)
        check_flames(t, out)
        with open(os.path.join(out, "numbers.csv"), newline="") as f:
            numbers = {row["key"]: float(row["value"]) for row in csv.DictReader(f)}
        check_report(t, numbers)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    failures = test_vmt_procs.run()
    t.check(not failures, "vmt_procs: " + "; ".join(failures))
    failures = test_fault_outcomes.run()
    t.check(not failures, "fault_outcomes: " + "; ".join(failures))
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
