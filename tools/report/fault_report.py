#!/usr/bin/env python3
"""Where a recording's page faults happen, like `perf report`: from a converted timeline.

    python3 tools/report/fault_report.py TRACE.json [-o REPORT.txt] [--folded OUT.folded]
                                         [--top N]

Reads the converter's JSON (one event per line, as vmtrace2perfetto writes it): its
fault slices, "page fault" and (from format version 4) "cow fault", a write to a page a
fork shared copy-on-write. Prints, per program (the name the process exec'd, most faults first): the top N fault
sites (the slice's `at`, else its epc) by count, with their share of the program's
faults, total and median latency (the slices' durations); then the top N call chains
(`stack`). A program that wrote to pages a fork shared copy-on-write also gets its
copy-on-write faults by outcome (copied, taken over, out of memory), the references
the faults found on their frames, and the sites of those writes (the code that wrote
to the shared page). Plain text within 80 columns. --folded writes one line per distinct chain
and fault kind: rooted at the program, the chain outermost frame first, then the kind
as a frame of its own in brackets, then the fault count
(`lazytests;main;fill;touch;[lazy] 32`), the input flame-graph tools read
(tools/report/flame_graph.py draws it, coloured by kind).
Exit status: 0 done, 1 unreadable input, 2 bad usage.
"""

import argparse
import json
import re
import sys
from collections import Counter, defaultdict

WIDTH = 80

# What became of a fault, from its slice's args: the kinds the folded stacks end in, in
# the order a legend lists them, with what each means. A kind the kernel grows later is
# one more entry here and one more case in fault_kind. A copy-on-write write that ran
# out of memory failed as any fault does: killed or refused.
KINDS = {
    "lazy": "a heap page allocated and mapped at its first touch",
    "fault-around": "mapped its page and a window of the pages after it",
    "cow-copied": "a write to a page a fork shared: copied into a frame of its own",
    "cow-taken": "a write to a page a fork shared, its last holder: made writable in place",
    "killed": "failed in user mode: the process was killed",
    "refused": "failed in copyin/copyout: the system call returned -1",
    "unfinished": "no end recorded (the recording stopped inside it)",
    "unknown": "an outcome this tool has no name for",
}
FAILED = ("illegal", "protection", "nomem")
# The converter's fault slices: name -> whether the fault wrote to a copy-on-write page.
SLICES = {"page fault": False, "cow fault": True}


def fault_outcome(name, args):
    """(outcome, copy-on-write?, references found or None) of a fault slice. A
    copy-on-write fault that ran out of memory says "out of memory": nomem here."""
    outcome = args.get("outcome")
    if outcome == "out of memory":
        outcome = "nomem"
    return outcome, SLICES.get(name, False), args.get("refs")


def fault_kind(name, args):
    """The KINDS name of the fault whose slice (name, args) these are."""
    outcome, cow, _ = fault_outcome(name, args)
    if outcome == "mapped":
        return "fault-around" if args.get("around_pages") else "lazy"
    if cow and outcome in ("copied", "taken"):
        return "cow-" + outcome
    if outcome in FAILED:
        return "killed" if args.get("source") == "user" else "refused"
    return "unfinished" if outcome == "unfinished" else "unknown"


class Program:
    def __init__(self, name):
        self.name = name
        self.n = 0
        self.total_us = 0.0
        self.sites = defaultdict(list)   # at -> [durations in us]
        self.chains = Counter()          # stack -> faults
        self.site_chains = Counter()     # (at, stack) -> faults
        self.chain_kinds = Counter()     # (stack, kind) -> faults
        self.cow = Counter()             # copy-on-write outcome -> faults
        self.cow_refs = Counter()        # references found -> copy-on-write faults
        self.cow_sites = Counter()       # at -> copy-on-write faults


def read_faults(path):
    """{program name: Program} from the fault slices, named as their pid was then."""
    names, programs = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not any('"%s"' % s in line for s in ("process_name",) + tuple(SLICES)):
                continue
            ev = json.loads(line.rstrip().rstrip(","))
            if ev.get("name") == "process_name" and ev.get("ph") == "M":
                names[ev["pid"]] = ev["args"]["name"]
                continue
            if ev.get("name") not in SLICES or ev.get("ph") != "X":
                continue
            args = ev.get("args", {})
            name = names.get(ev["pid"], "pid %d" % ev["pid"])
            p = programs.setdefault(name, Program(name))
            dur = float(ev.get("dur", 0))
            site = args.get("at", args.get("epc", "?"))
            p.n += 1
            p.total_us += dur
            p.sites[site].append(dur)
            chain = args.get("stack", site)
            p.chains[chain] += 1
            p.site_chains[site, chain] += 1
            p.chain_kinds[chain, fault_kind(ev["name"], args)] += 1
            count_cow(p, ev["name"], args, site)
    return programs


def count_cow(p, name, args, site):
    outcome, cow, refs = fault_outcome(name, args)
    if not cow:
        return
    p.cow[outcome] += 1
    p.cow_sites[site] += 1
    if refs is not None:
        p.cow_refs[refs] += 1


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def fit(text, width):
    """text cut to width: a site first loses its offset (function and line stay)."""
    if len(text) > width:
        text = re.sub(r"\+0x[0-9a-f]+ ", " ", text, count=1)
    return text if len(text) <= width else text[:width - 3] + "..."


def ms(x_us):
    return "%.1f" % (x_us / 1000) if x_us < 1e9 else "%.3g" % (x_us / 1000)


def report(programs, top, out):
    allf = sum(p.n for p in programs.values())
    cow = sum(sum(p.cow.values()) for p in programs.values())
    out.write("Page faults by site: %d faults in %d programs%s\n" % (
        allf, len(programs), ", %d of them copy-on-write" % cow if cow else ""))
    for p in sorted(programs.values(), key=lambda p: (-p.n, p.name)):
        out.write("\n%s\n" % fit("%s: %d faults, %s ms in faults (%d sites, %d chains)" % (
            p.name, p.n, ms(p.total_us), len(p.sites), len(p.chains)), WIDTH))
        out.write("%7s %6s %8s %7s  %s\n" % ("faults", "share", "total ms", "med us",
                                             "site"))
        sites = sorted(p.sites.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        for site, durs in sites[:top]:
            head = "%7d %5.1f%% %8s %7.1f  " % (len(durs), 100.0 * len(durs) / p.n,
                                             ms(sum(durs)), median(durs))
            out.write(head + fit(site, WIDTH - len(head)) + "\n")
        if len(sites) > top:
            rest = sum(len(d) for _, d in sites[top:])
            out.write("%7d %5.1f%% in %d more sites\n" % (rest, 100.0 * rest / p.n,
                                                          len(sites) - top))
        out.write("%7s %6s  %s\n" % ("faults", "share", "call chain (innermost first)"))
        for chain, n in sorted(p.chains.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
            head = "%7d %5.1f%%  " % (n, 100.0 * n / p.n)
            out.write(head + fit(chain, WIDTH - len(head)) + "\n")
        if p.cow:
            cow_report(p, top, out)


def cow_report(p, top, out):
    """The program's writes to pages shared copy-on-write: by outcome, by references
    found, and by the site that wrote."""
    n = sum(p.cow.values())
    out.write(fit("copy-on-write: %d faults: %d copied, %d taken over, %d out of memory" % (
        n, p.cow["copied"], p.cow["taken"], p.cow["nomem"]), WIDTH) + "\n")
    if p.cow_refs:
        refs = ["%d (%d fault%s)" % (r, n, "" if n == 1 else "s")
                for r, n in sorted(p.cow_refs.items())]
        line = "  references found on the frame:"
        for i, item in enumerate(refs):
            item += "," if i + 1 < len(refs) else ""
            if len(line) + 1 + len(item) > WIDTH:
                out.write(line + "\n")
                line = "   "
            line += " " + item
        out.write(line + "\n")
    out.write("%7s %6s  %s\n" % ("faults", "share", "site that wrote to a shared page"))
    for site, k in sorted(p.cow_sites.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        head = "%7d %5.1f%%  " % (k, 100.0 * k / n)
        out.write(head + fit(site, WIDTH - len(head)) + "\n")


def folded(programs, out):
    """One line per (chain, kind); a frame cannot hold the separators ';' and ' '."""
    for p in sorted(programs.values(), key=lambda p: p.name):
        for (chain, kind), n in sorted(p.chain_kinds.items()):
            frames = [f.replace(";", ":").replace(" ", "_")
                      for f in reversed(chain.split(" < "))]
            out.write("%s %d\n" % (";".join([p.name.replace(" ", "_")] + frames +
                                             ["[%s]" % kind]), n))


def main(argv):
    ap = argparse.ArgumentParser(description="Page faults by site and call chain.")
    ap.add_argument("trace")
    ap.add_argument("-o", "--output", help="the report (default: standard output)")
    ap.add_argument("--folded", help="also write folded stacks here")
    ap.add_argument("--top", type=int, default=10, help="sites and chains per program")
    args = ap.parse_args(argv)
    if args.top < 1:
        ap.error("--top must be at least 1")
    try:
        programs = read_faults(args.trace)
    except (OSError, ValueError, KeyError) as e:
        print("fault_report: %s: %s" % (args.trace, e), file=sys.stderr)
        return 1
    out = open(args.output, "w") if args.output else sys.stdout
    report(programs, args.top, out)
    if args.output:
        out.close()
    if args.folded:
        with open(args.folded, "w") as f:
            folded(programs, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
