#!/usr/bin/env python3
"""Every page is charged to the process whose page table holds it.

    python3 tools/systest/vmt_owners.py REC.vmt

The kernel records map and unmap events, and the allocation and release of page-table
pages, under the pid of the process that owns the page table, even when another
process does the work: fork's copy into the child is the child's, and so is the
teardown of an exited child (kernel/proc.c, charge_to). So for every process that
exited within the recording, its own records must balance: as many unmaps as maps, as
many page-table pages freed as allocated. If fork's copies were charged to the parent,
the child would unmap pages it never mapped and fail this check. A copy-on-write fork
maps the child's pages with one VMT_SHARE per run (version 4, under the child's pid):
each counts as b maps, so a child's unmaps must equal the pages it was shared plus the
pages it mapped later (a copy-on-write copy unmaps the shared page and maps its own).
A packed unmap (VMT_UNMAP_PAGES, version 5) counts as the pages it stands for: the
records are read expanded (tracing/vmtrace_format.py's expand).

Needs a recording without drops (a dropped record would unbalance its process).
Prints "exited N, balanced N, forked children with pages C, shared pages S" (S: pages
of VMT_SHARE runs) and exits 1 if any exited process is unbalanced, or if no forked
child mapped anything (nothing was checked).
Standard library only; the format comes from tracing/vmtrace_format.py.
"""

import sys
from collections import defaultdict

from vmt_gaps import F, read_header, run


def tally(data):
    """Per pid: [maps - unmaps, page-table kallocs - kfrees, maps, pages shared]; exited
    and forked pids."""
    h = read_header(data)
    per_pid = defaultdict(lambda: [0, 0, 0, 0])
    exited, children = set(), set()
    for off, r in F.expand(F.records(data, h), h):
        t = per_pid[r.pid]
        if r.type == F.MAP:
            t[0] += 1
            t[2] += 1
        elif r.type == F.SHARE:
            t[0] += r.b
            t[2] += r.b
            t[3] += r.b
        elif r.type == F.UNMAP:
            t[0] -= 1
        elif r.type in (F.KALLOC, F.KFREE) and r.flags == F.VMT_PAGE_TABLE:
            t[1] += 1 if r.type == F.KALLOC else -1
        elif r.type == F.EXIT:
            exited.add(r.pid)
        elif r.type == F.FORK:
            children.add(r.arg)
        elif r.type == F.LOST:
            raise F.BadRecording("offset %d: the recording dropped records; balances cannot "
                                 "be checked" % off)
    return per_pid, exited, children


def main(argv):
    rc, result = run(argv, "vmt_owners", tally)
    if rc is not None:
        return rc
    per_pid, exited, children = result
    bad = [pid for pid in sorted(exited) if per_pid[pid][0] or per_pid[pid][1]]
    for pid in bad:
        maps, tables = per_pid[pid][:2]
        print("vmt_owners: pid %d exited with %+d maps not unmapped, %+d page-table pages "
              "not freed under its own pid" % (pid, maps, tables), file=sys.stderr)
    with_pages = sum(1 for pid in children & exited if per_pid[pid][2] > 0)
    print("exited %d, balanced %d, forked children with pages %d, shared pages %d"
          % (len(exited), len(exited) - len(bad), with_pages,
             sum(t[3] for t in per_pid.values())))
    if with_pages == 0:
        print("vmt_owners: no forked child that exited mapped a page: nothing checked",
              file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
