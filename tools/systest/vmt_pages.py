#!/usr/bin/env python3
"""Every user page a recording shows, followed from its map to its unmap through faults
and forks, copy-on-write ones included.

    python3 tools/systest/vmt_pages.py [--cow] REC.vmt

Each process's frames are followed by va: a map adds one, an unmap must take away one
the process holds, and a VMT_SHARE run (a copy-on-write fork, version 4) gives the
child, page by page, the frame the parent holds at the same va. A process forked within
the recording is followed exactly: it may unmap only what it was shared or mapped, and
once it has exited it holds nothing. A process older than the recording may hold pages
mapped before it started; those are not known, and neither is the frame a child is
shared from one, but the child's unmap of that va must still find the shared page.
A packed unmap (VMT_UNMAP_PAGES, version 5) is read as the per-page unmaps it stands
for, each with its own frame (tracing/vmtrace_format.py's read expands it).

Each fault (the records of its process between its begin and end) must have done what
its outcome says:
  mapped        kept as many new data pages (kallocs less kfrees) as it mapped: one,
                plus fault-around's extra pages; unmapped nothing
  copied        a write to a copy-on-write page (VMT_END_COW) that found two or more
                references: exactly one unmap, of the page's shared frame (PTE_COW in
                its permissions) as the process held it, then the kalloc and the
                writable map of the new frame b; a kfree only of the old frame, when
                the unmap dropped its last reference
  taken         a write to a copy-on-write page, one reference found: nothing
                allocated, mapped or unmapped, and b is the frame the process held
  failed        (illegal, protection, nomem; nomem may be copy-on-write) kept and
                mapped nothing
  spurious      did nothing
and VMT_END_COW goes with copied, taken or nomem only; copied and taken always have it.

Needs a recording without drops. Prints one summary line; with --cow exits 1 unless the
recording shares pages and has both copies and take-overs (cowtests must). Exits 1 on
any violation (each named with its record's ts and pid, the first ten shown).
Standard library only; the format comes from tracing/vmtrace_format.py.
"""

import sys
from collections import Counter, defaultdict

from vmt_gaps import F

MAX_SHOWN = 10


class Frames:
    """Per pid, the (va, frame) pairs it maps; frame None: shared from a page the parent
    mapped before the recording started (unknown frame)."""

    def __init__(self, page, exact_pids):
        self.page = page
        self.exact = exact_pids      # forked within the recording: followed exactly
        self.held = defaultdict(lambda: defaultdict(Counter))   # pid -> va -> frame -> n

    def frames_at(self, pid, va):
        return [pa for pa, n in self.held[pid][va].items() if n > 0]

    def map(self, pid, va, pa):
        self.held[pid][va][pa] += 1

    def unmap(self, pid, va, pa):
        """None, or why this unmap is wrong."""
        at = self.held[pid][va]
        for frame in (pa, None):
            if at[frame] > 0:
                at[frame] -= 1
                return None
        if pid in self.exact:
            return "pid %d unmaps va %#x frame %#x, which it was neither shared nor mapped " \
                   "(it holds %s there)" % (pid, va, pa, self.frames_at(pid, va) or "nothing")
        return None     # mapped before the recording started

    def share(self, child, parent, va, npages):
        """None, or why this share run is wrong."""
        for i in range(npages):
            v = va + i * self.page
            known = [pa for pa in self.frames_at(parent, v) if pa is not None]
            if known:
                self.map(child, v, known[-1])
            elif parent in self.exact and not self.frames_at(parent, v):
                return "pid %d is shared va %#x, which its parent %d does not map" % (
                    child, v, parent)
            else:
                self.map(child, v, None)
        return None

    def left(self, pid, known_only=False):
        """[(va, frame)] of the pages pid still holds (known_only: of known frames)."""
        return sorted((va, pa) for va, at in self.held[pid].items() for pa, n in at.items()
                      for _ in range(n) if not (known_only and pa is None))


class Tally:
    def __init__(self):
        self.kinds = Counter()
        self.refs = Counter()           # references a copy-on-write fault found -> faults
        self.share_runs = self.share_pages = self.cow_pages = 0
        self.errors = []

    def error(self, r, what):
        self.errors.append("ts %d pid %d: %s" % (r.ts, r.pid, what))


def inside(recs, *types, data_only=True):
    return [r for r in recs if r.type in types and
            not (data_only and r.type in (F.KALLOC, F.KFREE) and r.flags != F.VMT_PAGE_DATA)]


def check_cow_bits(end, outcome):
    cow = F.end_cow(end.arg)
    if cow and outcome not in ("copied", "taken", "nomem"):
        return "a copy-on-write fault ends %s" % outcome
    if not cow and outcome in ("copied", "taken"):
        return "a %s fault without VMT_END_COW" % outcome
    refs = F.end_refs(end.arg)
    if outcome == "copied" and refs < 2:
        return "copied with %d reference(s) found: a copy needs another holder" % refs
    if outcome == "taken" and refs != 1:
        return "taken with %d references found, not 1" % refs
    return None


def check_copied(end, recs, held_before, page_size):
    """held_before: the frames the process held at the page when the fault began."""
    page = end.a & ~(page_size - 1)
    unmaps, maps = inside(recs, F.UNMAP), inside(recs, F.MAP)
    kallocs, kfrees = inside(recs, F.KALLOC), inside(recs, F.KFREE)
    if len(unmaps) != 1 or len(maps) != 1 or len(kallocs) != 1:
        return "copied with %d unmaps, %d maps, %d kallocs inside (want one each)" % (
            len(unmaps), len(maps), len(kallocs))
    u, m, k = unmaps[0], maps[0], kallocs[0]
    if u.a != page or not u.arg & F.PTE_COW:
        return "copied, but unmapped va %#x perm %#x (want the fault's page %#x, " \
               "PTE_COW)" % (u.a, u.arg, page)
    if held_before and None not in held_before and u.b not in held_before:
        return "copied, but unmapped frame %#x where the process held %s" % (
            u.b, [hex(x) for x in held_before])
    if (m.a, m.b, k.a) != (page, end.b, end.b) or not m.arg & F.PTE_W or m.arg & F.PTE_COW:
        return "copied, but mapped va %#x to %#x perm %#x after kalloc %#x (want the new " \
               "frame %#x at %#x, writable, no PTE_COW)" % (m.a, m.b, m.arg, k.a, end.b, page)
    if next(i for i, r in enumerate(recs) if r is u) > next(
            i for i, r in enumerate(recs) if r is m):
        return "copied, but the new frame was mapped before the shared one was unmapped"
    if any(f.a != u.b for f in kfrees) or len(kfrees) > 1:
        return "copied, but freed %s (only the old frame %#x may go)" % (
            [hex(f.a) for f in kfrees], u.b)
    return None


def check_fault(end, recs, outcome, held_before, page_size):
    """None, or what is wrong with one ended fault (recs: its process's records inside)."""
    bad = check_cow_bits(end, outcome)
    if bad:
        return bad
    kept = len(inside(recs, F.KALLOC)) - len(inside(recs, F.KFREE))
    maps, unmaps = len(inside(recs, F.MAP)), len(inside(recs, F.UNMAP))
    if outcome == "copied":
        return check_copied(end, recs, held_before, page_size)
    if outcome == "mapped":
        want = 1 + (end.flags >> F.VMT_AROUND_SHIFT)
        ok = kept == maps == want and unmaps == 0
    elif outcome == "taken":
        ok = not inside(recs, F.KALLOC, F.KFREE, F.MAP, F.UNMAP, data_only=False) and (
            not held_before or None in held_before or end.b in held_before)
    else:   # failed or spurious: nothing kept, nothing mapped
        ok = kept == 0 and maps == 0 and unmaps == 0
    if ok:
        return None
    return "%s fault at va %#x: %d data pages kept, %d maps, %d unmaps inside" % (
        outcome, end.a, kept, maps, unmaps)


def kind(end, outcome):
    if outcome == "mapped":
        return "lazy"
    return ("cow-" if F.end_cow(end.arg) else "") + outcome


def follow(recs, page, exact):
    frames, t = Frames(page, exact), Tally()
    open_faults = {}        # pid -> (begin, records inside, frames held at the page)
    for r in recs:
        if r.pid in open_faults and r.type != F.FAULT_END:
            open_faults[r.pid][1].append(r)
        if r.type == F.FAULT_BEGIN:
            open_faults[r.pid] = (r, [], frames.frames_at(r.pid, r.a & ~(page - 1)))
        elif r.type == F.MAP:
            frames.map(r.pid, r.a, r.b)
        elif r.type == F.UNMAP:
            bad = frames.unmap(r.pid, r.a, r.b)
            if bad:
                t.error(r, bad)
        elif r.type == F.SHARE:
            t.share_runs += 1
            t.share_pages += r.b
            t.cow_pages += r.b if r.flags & F.VMT_SHARE_COW else 0
            bad = frames.share(r.pid, r.arg, r.a, r.b)
            if bad:
                t.error(r, bad)
        elif r.type == F.FAULT_END and r.pid in open_faults:
            _, inner, held = open_faults.pop(r.pid)
            outcome = F.OUTCOMES.get(F.end_outcome(r.arg), "other")
            t.kinds[kind(r, outcome)] += 1
            if F.end_cow(r.arg):
                t.refs[F.end_refs(r.arg)] += 1
            bad = check_fault(r, inner, outcome, held, page)
            if bad:
                t.error(r, bad)
    return frames, t


def examine(path):
    hdr, recs = F.read(path, "vmt_pages")
    lost = [r for r in recs if r.type == F.LOST]
    if lost:
        sys.exit("vmt_pages: %s: the recording dropped records (first at ts %d): pages "
                 "cannot be followed" % (path, lost[0].ts))
    exact = {r.arg for r in recs if r.type == F.FORK}
    frames, t = follow(recs, hdr["page"], exact)
    for pid in sorted({r.pid for r in recs if r.type == F.EXIT}):
        left = frames.left(pid, known_only=pid not in exact)
        if left:
            t.errors.append("pid %d exited but still holds %d pages, e.g. %s" % (
                pid, len(left), ", ".join("va %#x frame %s" % (va, "?" if pa is None else
                                                              "%#x" % pa) for va, pa in left[:3])))
    return t


def summary(t):
    kinds = ", ".join("%s %d" % kv for kv in sorted(t.kinds.items()))
    refs = ", ".join("%d x %d" % kv for kv in sorted(t.refs.items())) or "none"
    return ("faults: %s; copy-on-write references found: %s; shares: %d runs, %d pages, "
            "%d copy-on-write" % (kinds or "none", refs, t.share_runs, t.share_pages,
                                  t.cow_pages))


def main(argv):
    args = argv[1:]
    cow = args[:1] == ["--cow"]
    args = args[1:] if cow else args
    if len(args) != 1:
        print("usage: vmt_pages.py [--cow] REC.vmt", file=sys.stderr)
        return 2
    t = examine(args[0])
    print(summary(t))
    for e in t.errors[:MAX_SHOWN]:
        print("vmt_pages: %s: %s" % (args[0], e), file=sys.stderr)
    if len(t.errors) > MAX_SHOWN:
        print("vmt_pages: ... and %d more" % (len(t.errors) - MAX_SHOWN), file=sys.stderr)
    if cow and not (t.share_pages and t.kinds["cow-copied"] and t.kinds["cow-taken"]):
        print("vmt_pages: %s: --cow, but no shares, copies or take-overs to check" % args[0],
              file=sys.stderr)
        return 1
    return 1 if t.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
