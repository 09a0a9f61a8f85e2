#!/usr/bin/env python3
"""The fault report against the timeline it was made from.

    python3 tools/report/tests/report_test.py CONVERTER VMTGEN USERDIR

Converts a generated recording (many processes and faults, no symbols: sites are epcs)
and traces/example.vmt (with symbols from USERDIR), makes the report and folded stacks,
and checks them against the JSON read independently (json.load, every event):
  - each program's fault count in the report equals the JSON's page-fault slices of
    the processes with that name, and the first line's total equals all of them;
  - with --top large enough, every site's count equals the JSON's count of slices
    with that `at` (or epc);
  - the folded file's counts add up, per program, to the same numbers, and per fault
    kind (its last frame, "[lazy]") to the JSON's outcomes: mapped without
    around_pages is lazy, with it fault-around; copied and taken (writes to pages a
    fork shared copy-on-write) cow-copied and cow-taken; illegal, protection or nomem
    from user mode killed, from the kernel (copyin/copyout) refused;
  - every line fits 80 columns.
Fault slices are "page fault" and "cow fault" (a write to a page a fork shared
copy-on-write: outcome copied, taken or "out of memory", refs). Then a hand-made
timeline of copy-on-write faults as the converter writes them: the same checks, and the
report's copy-on-write lines (by outcome, references found, the sites that wrote) hold
the numbers the timeline was made with.
Exit status 0 if all passed.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter

failures = []


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def json_counts(path):
    """program -> Counter(site), and program -> Counter(kind), from the whole JSON,
    names as of each fault."""
    events = json.load(open(path))["traceEvents"]
    names, out, kinds = {}, {}, {}
    for ev in events:
        if ev.get("ph") == "M" and ev.get("name") == "process_name":
            names[ev["pid"]] = ev["args"]["name"]
        elif ev.get("ph") == "X" and ev.get("name") in ("page fault", "cow fault"):
            a = ev["args"]
            prog = names.get(ev["pid"], "pid %d" % ev["pid"])
            out.setdefault(prog, Counter())[a.get("at", a["epc"])] += 1
            outcome = a["outcome"]
            if outcome == "mapped":
                kind = "fault-around" if a.get("around_pages", 0) > 0 else "lazy"
            elif outcome in ("copied", "taken"):
                kind = "cow-" + outcome
            elif outcome in ("illegal", "protection", "nomem", "out of memory"):
                kind = {"user": "killed", "kernel": "refused"}[a["source"]]
            else:
                kind = a["outcome"]
            kinds.setdefault(prog.replace(" ", "_"), Counter())[kind] += 1
    return out, kinds


def parse_report(text):
    progs, cur, total = {}, None, None
    for line in text.splitlines():
        m = re.match(r"Page faults by site: (\d+) faults", line)
        if m:
            total = int(m.group(1))
        m = re.match(r"(\S.*): (\d+) faults, ", line)
        if m:
            cur = progs.setdefault(m.group(1), {"n": int(m.group(2)), "sites": Counter()})
            continue
        m = re.match(r"\s+(\d+)\s+[\d.]+%\s+\S+\s+\S+\s{2}(.+)$", line)
        if cur and m and not line.strip().startswith("faults"):
            cur["sites"][m.group(2)] += int(m.group(1))
    return total, progs


def one(conv, rec, extra, tmp, label):
    js = os.path.join(tmp, label + ".json")
    err = subprocess.run([conv, rec, "-o", js, *extra], check=True, capture_output=True,
                         text=True).stderr
    return against_json(js, tmp, label), err


def against_json(js, tmp, label):
    """The report and folded stacks of timeline js against the JSON; the report's text."""
    rep, fold = os.path.join(tmp, label + ".txt"), os.path.join(tmp, label + ".folded")
    subprocess.run([sys.executable, "tools/report/fault_report.py", js, "-o", rep,
                    "--folded", fold, "--top", "100000"], check=True)
    text = open(rep).read()
    want, want_kinds = json_counts(js)
    total, got = parse_report(text)
    nfaults = sum(sum(c.values()) for c in want.values())
    check(nfaults > 0 and total == nfaults, "%s: total %s = JSON's %d" % (label, total, nfaults))
    check(set(got) == set(want), "%s: the same %d programs" % (label, len(want)))
    check(all(got[p]["n"] == sum(want[p].values()) for p in want if p in got),
          "%s: per-program counts equal the JSON's" % label)
    check(all(got[p]["sites"] == want[p] for p in want if p in got),
          "%s: per-site counts equal the JSON's" % label)
    folded, kinds = Counter(), {}
    for line in open(fold):
        stack, n = line.rsplit(" ", 1)
        frames = stack.split(";")
        folded[frames[0]] += int(n)
        kinds.setdefault(frames[0], Counter())[frames[-1].strip("[]")] += int(n)
    check(all(folded[p.replace(" ", "_")] == sum(want[p].values()) for p in want),
          "%s: folded counts add up per program" % label)
    check(kinds == want_kinds, "%s: folded counts add up per program and kind: %s" % (
        label, sorted(sum(want_kinds.values(), Counter()).items())))
    check(max(len(l) for l in text.splitlines()) <= 80, "%s: fits 80 columns" % label)
    return text


def cow_timeline(path):
    """forker (pid 2): 3 lazy faults and a lazy one out of memory in the kernel; its
    child (pid 3, also forker): 4 copies (refs 2) at write_child, 1 out of memory
    (refs 3, killed); then 2 take-overs (refs 1) by pid 2 at write_parent."""
    ev = [{"ph": "M", "name": "process_name", "pid": p, "args": {"name": "forker"}}
          for p in (2, 3)]
    lazy, cow = "page fault", "cow fault"
    faults = [(2, lazy, "main+0x10 (user/forker.c:5)", {"outcome": "mapped"})] * 3
    faults += [(2, lazy, "main+0x10 (user/forker.c:5)", {"outcome": "nomem",
                                                          "source": "kernel"})]
    faults += [(3, cow, "write_child+0x8 (user/forker.c:9)", {"outcome": "copied", "refs": 2})
               for i in range(4)]
    faults += [(3, cow, "write_child+0x8 (user/forker.c:9)", {"outcome": "out of memory",
                                                              "refs": 3})]
    faults += [(2, cow, "write_parent+0x4 (user/forker.c:14)", {"outcome": "taken", "refs": 1})
               for i in range(2)]
    for i, (pid, name, at, args) in enumerate(faults):
        a = dict(dict(source="user"), at=at, epc="0x%x" % (0x100 + i),
                 stack=at.split(" ")[0] + " < main", **args)
        ev.append({"ph": "X", "name": name, "pid": pid, "tid": pid, "ts": 10 * i,
                   "dur": 2, "args": a})
    with open(path, "w") as f:
        f.write('{"traceEvents": [\n' + ",\n".join(json.dumps(e) for e in ev) + "\n]}\n")


def cow(tmp):
    js = os.path.join(tmp, "cow.json")
    cow_timeline(js)
    text = against_json(js, tmp, "cow")
    check("Page faults by site: 11 faults in 1 programs, 7 of them copy-on-write" in text,
          "cow: the first line counts the copy-on-write faults")
    check("copy-on-write: 7 faults: 4 copied, 2 taken over, 1 out of memory" in text,
          "cow: copy-on-write faults by outcome")
    check("references found on the frame: 1 (2 faults), 2 (4 faults), 3 (1 fault)" in text,
          "cow: the references the faults found")
    sites = re.findall(r"^\s+(\d+)\s+[\d.]+%  (write_\w+)", text.split("copy-on-write:")[-1],
                       flags=re.M)
    check(sites == [("5", "write_child"), ("2", "write_parent")],
          "cow: the sites that wrote to shared pages, most first: %s" % sites)
    folded = open(os.path.join(tmp, "cow.folded")).read()
    check("forker;main;write_child+0x8;[cow-copied] 4" in folded and
          "forker;main;write_parent+0x4;[cow-taken] 2" in folded and
          "forker;main;write_child+0x8;[killed] 1" in folded and
          "forker;main;main+0x10;[refused] 1" in folded,
          "cow: folded stacks end in the copy-on-write kinds, apart from lazy faults")


def main(argv):
    conv, vmtgen, userdir = argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        rec = os.path.join(tmp, "gen.vmt")
        subprocess.run([vmtgen, "-s", "7", "-n", "30000", "-p", "12", "-o", rec], check=True)
        one(conv, rec, [], tmp, "generated")
        cow(tmp)
        # The example was recorded from the tracedemo of its day: named with file:line
        # while build/user/_tracedemo is that binary, all hex (and said once) after it
        # changed; never a name from the wrong binary.
        text, err = one(conv, "traces/example.vmt", ["--symbols", userdir], tmp, "example")
        if "no symbols for tracedemo" in err:
            check(err.count("\n") == 1 and "(user/" not in text,
                  "example: tracedemo rebuilt since the recording: hex sites, one warning")
        else:
            check("touch_pages+0x" in text and "(user/testlib/memory.c:" in text,
                  "example: sites named with file:line")
    print("report: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
