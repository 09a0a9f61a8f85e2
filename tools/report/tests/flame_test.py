#!/usr/bin/env python3
"""The flame graph writer (tools/report/flame_graph.py) on real and bad input.

    python3 tools/report/tests/flame_test.py CONVERTER VMTGEN USERDIR

  - tests/data/faultsite.folded, the folded stacks of a real recording of
    user/faultsite (make qemu-trace WORKLOAD=faultsite): drawn, then checked against the
    folded file and faultsite's known call structure (flame_check.py);
  - a generated recording and traces/example.vmt, through the converter and
    fault_report.py --folded, as make qemu-trace does: checked the same way;
  - kinds: a frame of one kind has its kind's colour, a frame of several the mixed
    colour and a strip cut into their shares; a kind without a colour of its own, and a
    folded file without kinds, still drawn with a legend; duplicate chains add up;
  - the checker fails on a box made wider, a count changed and a box moved off its
    parent (so that its passes mean something);
  - bad input (missing, empty, blank, malformed lines of several sorts, not UTF-8) and
    an output that cannot be written: exit 1, one line naming the file (and line), no
    SVG written, an existing SVG left as it was, no temporary file left behind.
Exit status 0 if all passed.
"""

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, os.pardir))
import flame_check  # noqa: E402
import flame_graph  # noqa: E402

FLAME = os.path.join(HERE, os.pardir, "flame_graph.py")
REPORT = os.path.join(HERE, os.pardir, "fault_report.py")
NS = flame_check.NS
check = flame_check.Checks()


def draw(folded, out, *extra):
    return subprocess.run([sys.executable, FLAME, folded, "-o", out, *extra],
                          capture_output=True, text=True)


def quiet_check(folded, svg):
    """flame_check's verdict on svg without its PASS lines: the list of failures."""
    bad = []
    flame_check.check_svg(folded, svg, lambda c, w: c or bad.append(w))
    return bad


def real(tmp):
    fold = os.path.join(HERE, "data", "faultsite.folded")
    svg = os.path.join(tmp, "faultsite.flame.svg")
    r = draw(fold, svg)
    if check(r.returncode == 0 and not r.stderr, "faultsite: drawn, nothing on stderr"):
        boxes = flame_check.check_svg(fold, svg, check)
        flame_check.check_faultsite(boxes, "user/faultsite.c", check)
    return fold, svg


def pipeline(conv, rec, extra, tmp, label):
    js, fold = os.path.join(tmp, label + ".json"), os.path.join(tmp, label + ".folded")
    subprocess.run([conv, rec, "-o", js, *extra], check=True, capture_output=True)
    subprocess.run([sys.executable, REPORT, js, "-o", os.devnull, "--folded", fold],
                   check=True)
    svg = os.path.join(tmp, label + ".flame.svg")
    r = draw(fold, svg)
    if check(r.returncode == 0, "%s: recording -> folded -> flame graph" % label):
        bad = quiet_check(fold, svg)
        check(not bad, "%s: the SVG nests, counts and measures as the folded file %s" % (
            label, bad[:2]))


def boxes_of(svg):
    root = ET.parse(svg).getroot()
    out = {}
    for g in root.iter(NS + "g"):
        if g.get("class") == "frame":
            rects = g.findall(NS + "rect")
            name = g.find(NS + "title").text.split(": ", 1)[0]
            out.setdefault(name, []).append((rects, g.find(NS + "title").text))
    return root, out


def kinds(tmp):
    fold = os.path.join(tmp, "kinds.folded")
    with open(fold, "w") as f:
        f.write("p;main;grow;[lazy] 30\np;main;grow;[killed] 10\np;main;run;[fault-around] 20\n"
                "p;main;run;[fault-around] 20\np;main;copy;[cow-copied] 5\n"
                "p;main;" + "a_function_name_far_too_long_for_its_box" * 3 + ";[lazy] 1\n"
                "p;main;operator<<&\"'>;[lazy] 2\n")
    svg = os.path.join(tmp, "kinds.svg")
    if not check(draw(fold, svg).returncode == 0, "kinds: drawn"):
        return
    bad = quiet_check(fold, svg)
    check(not bad, "kinds: the SVG agrees with the folded file %s" % bad[:2])
    root, boxes = boxes_of(svg)
    fill = lambda name: boxes[name][0][0][0].get("fill")  # noqa: E731
    hexc = flame_graph.hexrgb
    check(fill("[killed]") == hexc(flame_graph.COLOURS["killed"]) and
          fill("[fault-around]") == hexc(flame_graph.COLOURS["fault-around"]),
          "kinds: a kind box has its kind's colour")
    check(boxes["run"][0][1].startswith("run: 40 faults"), "kinds: duplicate chains add up")
    run = flame_graph.Frame("run")
    run.kinds["fault-around"] = 40
    check(fill("run") == hexc(flame_graph.frame_rgb(run)) and
          fill("run") != hexc(flame_graph.MIXED) and "mix" not in
          [r.get("class") for r in boxes["run"][0][0]],
          "kinds: a frame of one kind in that kind's shade, no strip")
    rects, tip = boxes["grow"][0]
    strip = [r for r in rects if r.get("class") == "mix"]
    grow = flame_graph.Frame("grow")
    grow.kinds.update({"lazy": 30, "killed": 10})
    check(rects[0].get("fill") == hexc(flame_graph.frame_rgb(grow)) and
          flame_graph.frame_rgb(grow) != flame_graph.frame_rgb(run) and len(strip) == 2 and
          abs(float(strip[0].get("width")) - 3 * float(strip[1].get("width"))) < 0.01 and
          "lazy 30, killed 10" in tip,
          "kinds: a mixed frame is sand, its strip 3:1 lazy:killed, its tooltip says so")
    legend = [t.text for g in root.iter(NS + "g") if g.get("class") == "legend"
              for t in g.iter(NS + "text")]
    names = [t.split(":")[0] for t in legend]
    check(names == ["lazy", "fault-around", "cow-copied", "killed", "mixed"],
          "kinds: the legend lists the kinds present in order, then mixed: %s" % names)
    check(any(t.startswith("cow-copied: 5 faults, 5.68%") for t in legend),
          "kinds: the legend gives each kind's count and share")
    check("operator<<&\"'>" in boxes, "kinds: XML's special characters in a name come back whole")
    long = [n for n in boxes if n.startswith("a_function")][0]
    label = boxes[long][0]
    texts = [t.text for t in ET.parse(svg).getroot().iter(NS + "text")]
    check(not any(t == long for t in texts) and long in label[1],
          "kinds: a name too long for its box is cut, and whole in its tooltip")
    plain = os.path.join(tmp, "plain.folded")
    with open(plain, "w") as f:
        f.write("prog;main;work 7\nprog;main 3\n")
    svg = os.path.join(tmp, "plain.svg")
    ok = draw(plain, svg).returncode == 0
    check(ok and not quiet_check(plain, svg) and "no kind given: 10 faults" in open(svg).read(),
          "no kinds: a folded file from elsewhere is drawn, its legend says 'no kind given'")


def tamper(fold, svg, tmp):
    """The checker must fail on a wrong SVG, or its passes prove nothing."""
    text = open(svg).read()
    cases = {
        "a box made wider": re.sub(r'(<title>g: 4 faults[^<]*</title><rect [^>]*width=")'
                                   r'([0-9.]+)', lambda m: m.group(1) + "%.3f" % (
                                       float(m.group(2)) + 1), text, count=1),
        "a count changed": text.replace("<title>readinto: ", "<title>readinto: 1", 1),
        "a box moved off its parent": re.sub(r'(<title>\[lazy\][^<]*</title><rect x=")'
                                             r'([0-9.]+)', lambda m: m.group(1) + "%.3f" % (
                                                 float(m.group(2)) + 2000), text, count=1),
    }
    for what, bad in cases.items():
        path = os.path.join(tmp, "tampered.svg")
        with open(path, "w") as f:
            f.write(bad)
        check(bad != text and quiet_check(fold, path), "the checker fails on %s" % what)


def bad_input(tmp):
    svg = os.path.join(tmp, "bad.svg")
    cases = [
        ("missing", None, r"missing\.folded: No such file"),
        ("empty", b"", r"empty\.folded: empty: no stacks"),
        ("blank", b"\n  \n", r"blank\.folded: empty: no stacks"),
        ("nocount", b"a;b 3\na;b;c\n", r"nocount\.folded:2: "),
        ("zero", b"a;b 0\n", r"zero\.folded:1: "),
        ("negative", b"a;b 2\na -3\n", r"negative\.folded:2: "),
        ("fraction", b"a;b 1.5\n", r"fraction\.folded:1: "),
        ("emptyframe", b"a;;b 2\n", r"emptyframe\.folded:1: "),
        ("trailing", b"a;b; 2\n", r"trailing\.folded:1: "),
        ("nostack", b" 5\n", r"nostack\.folded:1: "),
        ("binary", b"a;b 1\n\xff\xfe;x 2\n", r"binary\.folded:2: not UTF-8"),
    ]
    for name, data, want in cases:
        fold = os.path.join(tmp, name + ".folded")
        if data is not None:
            with open(fold, "wb") as f:
                f.write(data)
        for existing in (False, True):
            if existing:
                with open(svg, "w") as f:
                    f.write("old")
            elif os.path.exists(svg):
                os.remove(svg)
            r = draw(fold, svg)
            left = open(svg).read() if os.path.exists(svg) else None
            lines = r.stderr.splitlines()
            check(r.returncode == 1 and len(lines) == 1 and
                  re.search(want, lines[0]) and left == ("old" if existing else None),
                  "%s%s: exit 1, one line naming it (%r), %s" % (
                      name, " over an old SVG" if existing else "", r.stderr.strip(),
                      "the old SVG kept" if existing else "no SVG"))
    check(not [f for f in os.listdir(tmp) if ".tmp." in f], "no temporary file left behind")
    good = os.path.join(tmp, "good.folded")
    with open(good, "w") as f:
        f.write("a;b 1\n")
    r = draw(good, os.path.join(tmp, "no", "such", "dir.svg"))
    check(r.returncode == 1 and len(r.stderr.splitlines()) == 1 and "cannot write" in r.stderr,
          "an output that cannot be written: exit 1, one line (%r)" % r.stderr.strip())
    r = subprocess.run([sys.executable, FLAME, good], capture_output=True, text=True)
    check(r.returncode == 0 and os.path.exists(os.path.join(tmp, "good.flame.svg")),
          "without -o the SVG goes beside the folded file, as NAME.flame.svg")


def main(argv):
    conv, vmtgen, userdir = argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        fold, svg = real(tmp)
        tamper(fold, svg, tmp)
        rec = os.path.join(tmp, "gen.vmt")
        subprocess.run([vmtgen, "-s", "11", "-n", "20000", "-p", "8", "-o", rec], check=True)
        pipeline(conv, rec, [], tmp, "generated")
        pipeline(conv, "traces/example.vmt", ["--symbols", userdir], tmp, "example")
        kinds(tmp)
        bad_dir = os.path.join(tmp, "bad")
        os.mkdir(bad_dir)
        bad_input(bad_dir)
    print("flame: %d failed" % len(check.failures))
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
