#!/usr/bin/env python3
"""A flame graph SVG against the folded stacks it was drawn from.

    python3 tools/report/tests/flame_check.py FOLDED SVG [--faultsite user/faultsite.c]

Reads the SVG as XML, with no knowledge of how flame_graph.py lays it out beyond "one
<g class="frame"> per box, its <title> starting 'NAME: N faults, S% of all', rows of
boxes stacked from the bottom", and checks:
  - the boxes nest as the chains do: each box lies inside exactly one box of the row
    below (its parent), and the chains of boxes, root excluded, are exactly the
    prefixes of the folded file's chains;
  - each box's count is the sum of the folded counts of the chains through it, its share
    is that count over all, and its width is that share of the root's, siblings side by
    side without overlap;
  - a label is the full name or a prefix of it ending in "..", and fits its box;
  - a kind box ("[lazy]") has the colour the legend gives that kind.
With --faultsite (user/faultsite.c: a recording of faultsite): the chain f < main <
_main into g has exactly USER_PAGES lazy faults, and readinto < main < _main into read
SYSCALL_PAGES, those #defines read from the source.
Prints PASS/FAIL lines; exit status 0 if all passed. Used by flame_test.py and by
tools/systest/trace-e2e.sh on a live recording.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from flame_graph import CHAR  # noqa: E402  (the label font's advance, a design constant)

NS = "{http://www.w3.org/2000/svg}"
EPS = 0.002          # px: coordinates are written to 0.001
TIP_RE = re.compile(r"^(.*): (\d+) faults, ([0-9.]+)% of all")


class Box:
    def __init__(self, g):
        rect = next(r for r in g.findall(NS + "rect") if r.get("class") != "mix")
        self.x, self.w = float(rect.get("x")), float(rect.get("width"))
        self.y = float(rect.get("y"))
        self.fill = rect.get("fill")
        m = TIP_RE.match(g.find(NS + "title").text)
        self.name, self.count, self.share = m.group(1), int(m.group(2)), float(m.group(3))
        t = g.find(NS + "text")
        self.label = t.text if t is not None else None
        self.parent, self.path = None, None

    def holds(self, other):
        return self.x - EPS <= other.x and other.x + other.w <= self.x + self.w + EPS


def folded_paths(path):
    """{chain prefix (tuple): faults through it}, and all faults."""
    through, total = Counter(), 0
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        stack, n = line.rstrip("\n").rsplit(" ", 1)
        frames = tuple(stack.split(";"))
        total += int(n)
        for i in range(1, len(frames) + 1):
            through[frames[:i]] += int(n)
    return through, total


def legend_colours(svg):
    out = {}
    for g in svg.iter(NS + "g"):
        if g.get("class") == "legend":
            name = g.find(NS + "text").text.split(":", 1)[0]
            out[name] = g.find(NS + "rect").get("fill")
    return out


def check_svg(folded, svg_path, check):
    try:
        svg = ET.parse(svg_path).getroot()
    except (ET.ParseError, OSError) as e:
        check(False, "%s parses as XML (%s)" % (svg_path, e))
        return {}
    check(svg.tag == NS + "svg", "the root element is <svg>")
    check(not any(e.tag == NS + "script" for e in svg.iter()), "no script")
    boxes = [Box(g) for g in svg.iter(NS + "g") if g.get("class") == "frame"]
    rows = sorted({b.y for b in boxes}, reverse=True)      # bottom row first
    row = {y: i for i, y in enumerate(rows)}
    root = [b for b in boxes if row[b.y] == 0]
    check(len(root) == 1, "one root box at the bottom (%d)" % len(root))
    if len(root) != 1:
        return {}
    root = root[0]
    root.path = ()
    by_row = defaultdict(list)
    for b in boxes:
        by_row[row[b.y]].append(b)
    orphans = 0
    for b in sorted(boxes, key=lambda b: row[b.y])[1:]:
        parents = [p for p in by_row[row[b.y] - 1] if p.holds(b)]
        if len(parents) != 1 or parents[0].path is None:
            orphans += 1
            continue
        b.parent = parents[0]
        b.path = b.parent.path + (b.name,)
    check(orphans == 0, "every box lies inside exactly one box below it (%d do not)" % orphans)
    through, total = folded_paths(folded)
    paths = Counter(b.path for b in boxes if b.path)
    check(set(paths) == set(through) and max(paths.values(), default=1) == 1,
          "the boxes' chains are the folded chains and their prefixes, once each "
          "(%d boxes, %d prefixes)" % (len(paths), len(through)))
    check(root.count == total, "the root counts all %d faults (%d)" % (total, root.count))
    bad = [b.path for b in boxes if b.path and b.count != through.get(b.path)]
    check(not bad, "each box's count is the folded counts through it %s" % bad[:3])
    bad = [b.path for b in boxes if abs(b.w - root.w * b.count / total) > EPS]
    check(not bad, "each box's width is its share of the root's %s" % bad[:3])
    bad = [b.path for b in boxes if abs(b.share - 100.0 * b.count / total) > 0.006]
    check(not bad, "each box's tooltip share is its count over all %s" % bad[:3])
    kids = defaultdict(list)
    for b in boxes:
        if b.parent:
            kids[id(b.parent)].append(b)
    overlap = 0
    for sibs in kids.values():
        sibs.sort(key=lambda b: b.x)
        overlap += sum(1 for a, b in zip(sibs, sibs[1:]) if a.x + a.w > b.x + EPS)
    check(overlap == 0, "siblings side by side, no overlap (%d overlap)" % overlap)
    bad = [b.name for b in boxes if b.label is not None and not (
        (b.label == b.name or (b.label.endswith("..") and b.name.startswith(b.label[:-2])))
        and len(b.label) * CHAR + 3 <= b.w)]
    check(not bad, "labels are the name or cut with '..', and fit their box %s" % bad[:3])
    colours = legend_colours(svg)
    kinds = [b for b in boxes if re.fullmatch(r"\[[^\[\]]+\]", b.name)]
    bad = [b.name for b in kinds if colours.get(b.name[1:-1]) != b.fill]
    check(not bad, "each kind box has its legend colour %s" % sorted(set(bad))[:3])
    return {b.path: b for b in boxes if b.path}


def defines(source, *names):
    text = open(source).read()
    return [int(re.search(r"#define %s (\d+)" % n, text).group(1)) for n in names]


def check_faultsite(boxes, source, check):
    """The known call structure of user/faultsite.c in the boxes (path -> Box)."""
    user, syscall = defines(source, "USER_PAGES", "SYSCALL_PAGES")
    g = boxes.get(("faultsite", "_main", "main", "f", "g", "[lazy]"))
    check(g is not None and g.count == user,
          "faultsite: g < f < main < _main took USER_PAGES (%d) lazy faults (%s)" % (
              user, g and g.count))
    r = boxes.get(("faultsite", "_main", "main", "readinto", "read", "[lazy]"))
    check(r is not None and r.count == syscall,
          "faultsite: read < readinto < main < _main took SYSCALL_PAGES (%d) (%s)" % (
              syscall, r and r.count))


class Checks:
    """check(cond, what): prints PASS or FAIL and what, keeps the failures."""
    def __init__(self):
        self.failures = []

    def __call__(self, cond, what):
        print(("PASS " if cond else "FAIL ") + what)
        if not cond:
            self.failures.append(what)
        return cond


def main(argv):
    check = Checks()
    args = argv[1:]
    source = None
    if "--faultsite" in args:
        i = args.index("--faultsite")
        source = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    boxes = check_svg(args[0], args[1], check)
    if source:
        check_faultsite(boxes, source, check)
    print("flame check: %d failed" % len(check.failures))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
