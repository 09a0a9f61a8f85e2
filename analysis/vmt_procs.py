"""Each process of a recording: its name, test, lifetime, virtual size and resident pages.

A record's pid is the process it is charged to, the owner of the page table a map or
unmap changes (kernel/proc.c, charge_to), not always the process that ran: fork's copy
into the child carries the child's pid and comes before the parent's FORK record, and
an exiting process unmaps its own memory after its EXIT record (the kfree of its trap
frame at wait() is charged to it too). So a process's resident pages are simply its
own user maps less its own user unmaps, as on the converter's `resident` counters
(tools/convert/vmt_counters.c). Resident can exceed virtual for a moment where the process
really holds more: exec maps the new image before it unmaps the old one, and an eager
sbrk that fails maps pages and unmaps them again with the break unchanged. Records come
expanded (tracing/vmtrace_format.py's read): a version-5 packed unmap arrives as one
unmap per page, each with its own va and frame.

A copy-on-write fork writes one SHARE record per run of pages in place of the child's
maps (version 4): each page of the run maps, in the child, the frame the parent maps at
that va, so the child's resident pages are the parent's user pages in the run. A page
the parent mapped before the recording started is not known, and not counted in the
child either. A copy-on-write fault that copies unmaps the shared frame and maps the
new one (resident unchanged); one that takes its frame over writes neither.

Virtual size is the break: set by SBRK and EXEC, inherited at FORK, 0 from EXIT on (exit
gives the address space up before unmapping it). Pids are never reused (allocpid counts
up), so a pid is one process. A page mapped before the recording started, or whose map
was lost, is not counted, and its unmap is ignored: counts stay short, never negative.
"""

import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tracing"))
import vmtrace_format as F  # noqa: E402  (the record format, from tracing/vmtrace_format.h)


class Proc:
    def __init__(self, pid, test, start_ms):
        self.pid = pid
        self.name = "?"         # until its FORK or EXEC record names it
        self.test = test
        self.start_ms = start_ms
        self.end_ms = start_ms  # its last record
        self.frames = collections.Counter()   # (va, pa) of the user pages it maps
        self.at = {}            # va -> pa of its latest user map there (what a share takes)
        self.vpages = 0
        self.peak_v = 0
        self.peak_r = 0
        self.faults = 0
        self.cow_faults = 0     # of them, writes to a page shared copy-on-write
        self.status = ""
        self.parent = ""        # pid of the process that forked it, if in the recording
        self.copied = ""        # resident pages fork gave it (copied or shared)
        self.shared = ""        # of them, pages fork shared with it (the rest copied)
        self.rows = collections.OrderedDict()   # whole ms -> (virtual, resident)

    def note(self, t):
        """Sample virtual and resident pages at time t (ms); the last sample in a
        millisecond wins."""
        r = sum(self.frames.values())
        self.peak_r = max(self.peak_r, r)
        self.peak_v = max(self.peak_v, self.vpages)
        self.rows[int(t)] = (self.vpages, r)


def pages_of(nbytes, page):
    return (nbytes + page - 1) // page


class ProcTable:
    """Feed it every record in time order (record()); procs lists every process seen."""

    def __init__(self, page):
        self.page = page
        self.by_pid = {}
        self.procs = []         # in order of first record
        self.test = ""          # the test running, for processes created now

    def get(self, pid, t):
        p = self.by_pid.get(pid)
        if p is None:
            p = self.by_pid[pid] = Proc(pid, self.test, t)
            self.procs.append(p)
        return p

    def record(self, t, typ, pid, arg, a, b):
        if pid == 0:
            return
        p = self.get(pid, t)
        p.end_ms = t
        handler = self.HANDLERS.get(typ)
        if handler:
            handler(self, p, t, arg, a, b)

    # Kernel pages (the trampoline, the trap frame) are mapped without PTE_U: not user
    # memory, not resident pages.
    def map(self, p, t, perm, va, pa):
        if perm & F.PTE_U:
            p.frames[(va, pa)] += 1
            p.at[va] = pa
            p.note(t)

    def unmap(self, p, t, perm, va, pa):
        if perm & F.PTE_U and (va, pa) in p.frames:
            p.frames[(va, pa)] -= 1
            if not p.frames[(va, pa)]:
                del p.frames[(va, pa)]
            if p.at.get(va) == pa:
                del p.at[va]
            p.note(t)

    def share(self, child, t, parent_pid, va, npages):
        # Recorded under the child's pid before the parent's FORK, as its maps were.
        parent = self.by_pid.get(parent_pid)
        if parent is None:
            return
        shared = 0
        for i in range(npages):
            pa = parent.at.get(va + i * self.page)
            if pa is not None:
                child.frames[(va + i * self.page, pa)] += 1
                child.at[va + i * self.page] = pa
                shared += 1
        child.shared = (child.shared or 0) + shared
        child.note(t)

    def fork(self, p, t, child_pid, a, b):
        # The child's copy was recorded under its own pid just before this record.
        child = self.get(child_pid, t)
        child.name = p.name
        child.vpages = p.vpages
        child.parent = p.pid
        child.copied = sum(child.frames.values())
        child.shared = child.shared or 0
        child.note(t)

    def exec(self, p, t, size, a, b):
        name = F.text16(a, b).split(b"\0")[0].decode("utf-8", "replace")
        p.name = name or p.name
        p.vpages = pages_of(size, self.page)
        p.note(t)

    def sbrk(self, p, t, policy, old_break, new_break):
        p.vpages = pages_of(new_break, self.page)
        p.note(t)

    def fault_end(self, p, t, arg, a, b):
        p.faults += 1
        p.cow_faults += F.end_cow(arg)

    def exit(self, p, t, status, a, b):
        p.status = str(F.int32(status))
        p.vpages = 0
        p.note(t)

    HANDLERS = {F.MAP: map, F.UNMAP: unmap, F.SHARE: share, F.FORK: fork, F.EXEC: exec,
                F.SBRK: sbrk, F.FAULT_END: fault_end, F.EXIT: exit}
