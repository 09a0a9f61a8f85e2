#!/usr/bin/env python3
"""A flame graph of page faults, as a self-contained SVG, from folded stacks.

    python3 tools/report/flame_graph.py FOLDED [-o OUT.svg] [--title TEXT]

FOLDED holds one line per call chain, `frame;frame;...;frame COUNT`, outermost frame
first; fault_report.py --folded writes it (`lazytests;main;fill;touch;[lazy] 32`), and
`grep` over it gives a smaller one to draw. A last frame in brackets is the faults' kind
(fault_report.KINDS); lines that repeat a chain add up.

The picture: one box per frame, the root ("all faults") at the bottom and each chain
growing upwards, outermost frame first; a box's width is its share of all the faults,
siblings in name order. A box is coloured by the kind of its faults (one colour per
kind, a sand colour when they are of several kinds), the legend below says which is
which, with each kind's count. Every box has a tooltip (`<title>`) with the frame's full
name, its fault count and share; a label that does not fit its box is cut ("..") or left
out. No script: any browser or SVG viewer shows it.

Default OUT: FOLDED with `.folded` replaced by `.flame.svg`. The SVG is written to a
temporary file beside OUT and renamed into place, so a failed run leaves no partial SVG
and an existing OUT as it was.
Exit status: 0 drawn; 1 missing, empty or malformed input (one line on stderr naming
the file and line), or OUT cannot be written; 2 bad usage.
"""

import argparse
import os
import re
import sys
import tempfile
import zlib
from collections import Counter
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_report import KINDS  # noqa: E402  (the kinds, in legend order)

WIDTH = 1200            # px, the whole picture
PAD = 10                # px around the graph
ROW = 17                # px per frame row (16 of box, 1 of gap)
FONT = 11               # px
CHAR = 0.62 * FONT      # px per character of a monospace font (DejaVu Sans Mono: 0.602 em)
GRAPH = WIDTH - 2 * PAD
STRIP = 3               # px, the kinds' strip at the foot of a mixed frame
HEAD = 44               # px above the graph: title and how to read it
ROOT = "all faults"

# Fill colours by kind; a kind with none here (one the kernel grew later) gets a grey
# of its own from its name.
COLOURS = {
    "lazy": (236, 142, 56),         # orange
    "fault-around": (70, 140, 210),  # blue
    "cow-copied": (60, 170, 100),   # green
    "cow-taken": (120, 200, 190),   # teal: the write found its page already its own
    "killed": (200, 40, 40),        # red
    "refused": (150, 80, 180),      # purple
    "unfinished": (150, 150, 150),
    "unknown": (110, 110, 110),
}
MIXED = (214, 190, 140)             # sand: a frame whose faults are of several kinds
NO_KIND = (230, 200, 90)            # a folded file from elsewhere, without kinds
KIND_RE = re.compile(r"\[([^\[\]]+)\]$")


class FoldedError(Exception):
    """Bad input: the message names the file and, where there is one, the line."""


def parse(path):
    """[(frames, count)] from a folded file, in file order; FoldedError if it is bad."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FoldedError("%s: %s" % (path, e.strerror or e))
    stacks = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            raise FoldedError("%s:%d: not UTF-8 text" % (path, n))
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not stack or not re.fullmatch(r"[0-9]+", count) or int(count) == 0 or \
                any(not fr.strip() for fr in frames):
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise FoldedError("%s:%d: not 'frame;frame;... COUNT' (COUNT a whole number "
                              "above 0): %r" % (path, n, shown))
        stacks.append((frames, int(count)))
    if not stacks:
        raise FoldedError("%s: empty: no stacks to draw" % path)
    return stacks


class Frame:
    def __init__(self, name, kind_frame=False):
        self.name = name
        self.kind_frame = kind_frame    # the bracketed kind at the top of a chain
        self.count = 0
        self.kinds = Counter()          # kind (None: not given) -> faults
        self.children = {}


def build(stacks):
    """The frame tree under the root, each frame counting the faults of its chains."""
    root = Frame(ROOT)
    for frames, n in stacks:
        m = KIND_RE.match(frames[-1])
        kind = m.group(1) if m else None
        node = root
        node.count += n
        node.kinds[kind] += n
        for i, name in enumerate(frames):
            node = node.children.setdefault(
                name, Frame(name, kind_frame=m is not None and i == len(frames) - 1))
            node.count += n
            node.kinds[kind] += n
    return root


def layout(root):
    """(frame, depth, x, width) for every frame, root first; x and width in px."""
    out, scale = [], GRAPH / root.count

    def place(node, depth, x):
        out.append((node, depth, x, node.count * scale))
        for name in sorted(node.children):
            child = node.children[name]
            place(child, depth + 1, x)
            x += child.count * scale
    place(root, 0, float(PAD))
    return out


def kind_rgb(kind):
    if kind is None:
        return NO_KIND
    if kind in COLOURS:
        return COLOURS[kind]
    g = 90 + zlib.crc32(kind.encode()) % 100
    return (g, g, g)


def frame_rgb(node):
    """The kind's colour if all the frame's faults share one, lightened a little by the
    name so that neighbours stand apart; a kind box in its kind's colour as it is."""
    if len(node.kinds) != 1:
        base = MIXED
    else:
        base = kind_rgb(next(iter(node.kinds)))
    if node.kind_frame:
        return base
    t = (zlib.crc32(node.name.encode()) % 6) * 0.05
    return tuple(round(c + (255 - c) * t) for c in base)


def hexrgb(rgb):
    return "#%02x%02x%02x" % rgb


def fit(text, px):
    """text cut to px of monospace: whole, or a prefix and "..", or nothing."""
    n = int((px - 6) // CHAR)
    if len(text) <= n:
        return text
    return text[:n - 2] + ".." if n >= 4 else ""


def share(n, total):
    return "%.2f%%" % (100.0 * n / total)


def kinds_text(node):
    if len(node.kinds) < 2:
        return ""
    parts = ["%s %d" % (k if k else "no kind", n) for k, n in sorted(
        node.kinds.items(), key=lambda kv: (-kv[1], kv[0] or ""))]
    return "; " + ", ".join(parts)


def frame_svg(node, depth, x, w, top, total):
    y = top - (depth + 1) * ROW
    tip = "%s: %d faults, %s of all%s" % (node.name, node.count, share(node.count, total),
                                          kinds_text(node))
    if node.kind_frame:
        tip += " (%s)" % KINDS.get(KIND_RE.match(node.name).group(1), "a fault kind")
    label = fit(node.name, w)
    text = ('<text x="%.3f" y="%d">%s</text>' % (x + 3, y + ROW - 6, escape(label))
            if label else "")
    return ('<g class="frame"><title>%s</title><rect x="%.3f" y="%d" width="%.3f" '
            'height="%d" fill="%s"/>%s%s</g>\n' % (escape(tip), x, y, w, ROW - 1,
                                                   hexrgb(frame_rgb(node)),
                                                   mix_strip(node, x, y, w), text))


def mix_strip(node, x, y, w):
    """For a frame of several kinds, a strip along its foot cut into their shares."""
    if len(node.kinds) < 2:
        return ""
    out = []
    for k in kind_order(node.kinds):
        part = w * node.kinds[k] / node.count
        out.append('<rect class="mix" x="%.3f" y="%d" width="%.3f" height="%d" fill="%s"/>'
                   % (x, y + ROW - 4, part, STRIP, hexrgb(kind_rgb(k))))
        x += part
    return "".join(out)


def kind_order(kinds):
    """The kinds of a Counter in legend order: KINDS' order, others by name, None last."""
    extra = sorted(k for k in kinds if k and k not in KINDS)
    return [k for k in list(KINDS) + extra + [None] if k in kinds]


def legend(root):
    """[(rgb, text)]: the kinds present, then "mixed"."""
    rows = []
    for k in kind_order(root.kinds):
        if k is not None:
            rows.append((kind_rgb(k), "%s: %d faults, %s; %s" % (
                k, root.kinds[k], share(root.kinds[k], root.count),
                KINDS.get(k, "a kind this tool has no words for"))))
    if None in root.kinds:
        rows.append((NO_KIND, "no kind given: %d faults, %s" % (
            root.kinds[None], share(root.kinds[None], root.count))))
    if len(root.kinds) > 1:
        rows.append((MIXED, "mixed: a frame whose faults are of several kinds; the strip "
                     "along its foot shows their shares"))
    return rows


def render(stacks, title):
    root = build(stacks)
    frames = layout(root)
    depth = max(d for _, d, _, _ in frames) + 1
    keys = legend(root)
    top = HEAD + depth * ROW                   # the root row's bottom edge
    height = top + PAD + len(keys) * ROW + PAD
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="DejaVu Sans Mono,monospace" '
           'font-size="%d">\n' % (WIDTH, height, WIDTH, height, FONT),
           '<rect width="100%" height="100%" fill="#ffffff"/>\n',
           '<text class="title" x="%d" y="18" font-size="14">%s</text>\n' % (
               PAD, escape(fit("%s: %d page faults" % (title, root.count),
                               GRAPH * FONT / 14))),
           '<text x="%d" y="34">%s</text>\n' % (PAD, escape(fit(
               "bottom to top: program, its call chain outermost first, the fault's kind; "
               "width: share of faults; hover for counts", GRAPH)))]
    for node, d, x, w in frames:
        out.append(frame_svg(node, d, x, w, top, root.count))
    for i, (rgb, text) in enumerate(keys):
        y = top + PAD + i * ROW
        out.append('<g class="legend"><rect x="%d" y="%d" width="%d" height="%d" '
                   'fill="%s"/><text x="%d" y="%d">%s</text></g>\n' % (
                       PAD, y, 3 * ROW, ROW - 3, hexrgb(rgb), PAD + 3 * ROW + 6,
                       y + ROW - 5, escape(fit(text, GRAPH - 3 * ROW - 6))))
    out.append("</svg>\n")
    return "".join(out)


def write_atomic(path, text):
    """path holds text, or (OSError) is as it was: no partial file is ever left."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".",
                               prefix=os.path.basename(path) + ".tmp.")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # mkstemp's 0600 would hide it from others
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def default_out(folded):
    base = folded[:-len(".folded")] if folded.endswith(".folded") else folded
    return base + ".flame.svg"


def main(argv):
    ap = argparse.ArgumentParser(description="A flame graph (SVG) from folded stacks.")
    ap.add_argument("folded")
    ap.add_argument("-o", "--output", help="the SVG (default: FOLDED's name, .flame.svg)")
    ap.add_argument("--title", help="the heading (default: the folded file's name)")
    args = ap.parse_args(argv)
    out = args.output or default_out(args.folded)
    try:
        svg = render(parse(args.folded), args.title or os.path.basename(args.folded))
        write_atomic(out, svg)
    except FoldedError as e:
        print("flame_graph: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("flame_graph: cannot write %s: %s" % (out, e.strerror or e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
