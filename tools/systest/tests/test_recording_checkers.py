#!/usr/bin/env python3
"""The recording checkers vmt_pages.py and vmt_owners.py on hand-made version-4 and
version-5 recordings (make test-host; no QEMU).

    python3 tools/systest/tests/test_recording_checkers.py [-v]

One recording is written the way the kernel writes a copy-on-write fork (the child's
SHARE runs under its pid before the parent's FORK; a copy's explicit unmap inside the
fault, its kalloc and map folded into the end; a take-over's bare end): both checkers
pass it. Each broken variant (a copy with a second unmap, a take-over that maps, a
child that unmaps a page it was never shared, a share the checker did not count, ...)
must make them fail, so that their passes on real recordings mean something.

The same recording with its exits' unmaps packed as a version-5 kernel packs them
(VMT_UNMAP_PAGES, up to five pages a record) must pass both as well, and fail them
when a page is left out or frames are swapped between slots; in a version-4 recording
a packed unmap is refused in one line; vmt_gaps.py counts it as one record.
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEST = os.path.dirname(HERE)
sys.path.insert(0, SYSTEST)
from vmt_gaps import F  # noqa: E402

PAGE = 4096
PTE_R, PTE_X = 0x2, 0x8    # kernel/riscv.h; the reader needs only U, W and COW
URW = F.PTE_U | PTE_R | F.PTE_W
UCOW = F.PTE_U | PTE_R | F.PTE_COW
URX = F.PTE_U | PTE_R | PTE_X
OLD, NEW, LAZY = 0x87001000, 0x87002000, 0x87003000


def end_arg(outcome, refs=0, cow=False, mapped_perm=None):
    arg = outcome
    if cow:
        arg |= F.VMT_END_COW | refs << F.VMT_END_REFS_SHIFT
    if mapped_perm is not None:
        arg |= F.VMT_END_KALLOC | F.VMT_END_MAP | mapped_perm << F.VMT_END_PERM_SHIFT
    return arg


def fault(pid, va, outcome_arg, b, inside=()):
    return ([(F.FAULT_BEGIN, pid, 0xf, 0, va, 0x100)] + list(inside) +
            [(F.FAULT_END, pid, outcome_arg, 0, va, b)])


def good():
    """(type, pid, arg, flags, a, b) records: pid 1 (older than the recording) forks 2
    copy-on-write; 2 faults page 8 in lazily, forks 3, which copies page 8; 2 then takes
    page 8 over; both exit and unmap all they hold."""
    text = [(F.SHARE, 2, 1, 0, 0, 2)]                       # text, read-only
    data = [(F.SHARE, 2, 1, F.VMT_SHARE_COW, 2 * PAGE, 2)]    # data, now copy-on-write
    ev = text + data + [(F.FORK, 1, 2, 0, 0, 0)]
    ev += fault(2, 8 * PAGE + 8, end_arg(F.VMT_OUT_MAPPED, mapped_perm=URW), LAZY)
    ev += [(F.SHARE, 3, 2, 0, 0, 2), (F.SHARE, 3, 2, F.VMT_SHARE_COW, 2 * PAGE, 2),
           (F.SHARE, 3, 2, F.VMT_SHARE_COW, 8 * PAGE, 1), (F.FORK, 2, 3, 0, 0, 0)]
    ev += fault(3, 8 * PAGE, end_arg(F.VMT_OUT_COPIED, 2, True, URW), NEW,
                [(F.UNMAP, 3, UCOW, 0, 8 * PAGE, LAZY)])
    ev += fault(2, 8 * PAGE, end_arg(F.VMT_OUT_TAKEN, 1, True), LAZY)
    for pid, frame8 in ((3, NEW), (2, LAZY)):
        ev += [(F.EXIT, pid, 0, 0, 0, 0)]
        ev += [(F.UNMAP, pid, URX, 0, va * PAGE, OLD + va * PAGE) for va in range(2)]
        ev += [(F.UNMAP, pid, UCOW, 0, va * PAGE, OLD + va * PAGE) for va in (2, 3)]
        ev += [(F.UNMAP, pid, URW, F.VMT_UNMAP_FREED, 8 * PAGE, frame8)]
    return ev


def packed(pid, va, perm, frames, freed=False):
    """One version-5 VMT_UNMAP of the pages from va on (VMT_UNMAP_PAGES)."""
    flags, arg, a, b = F.pack_unmap(va, perm, frames, PAGE, freed)
    return (F.UNMAP, pid, arg, flags, a, b)


def good_packed():
    """good() as a version-5 kernel writes it: each exit's unmaps packed, a run per
    permission (text, copy-on-write data, page 8), page 8's frame freed with it."""
    ev = []
    for e in good():
        if e[0] != F.UNMAP or e[1] == 3 and e[2] == UCOW and e[4] == 8 * PAGE:
            ev.append(e)          # the copy's own unmap stays a record of its own
        elif e[4] in (0, 2 * PAGE, 8 * PAGE):   # the first page of each run
            frames = [x[5] for x in good() if x[:3] == e[:3] and x[0] == F.UNMAP and
                      e[4] <= x[4] < e[4] + 2 * PAGE]
            ev.append(packed(e[1], e[4], e[2], frames, e[3] & F.VMT_UNMAP_FREED))
    return ev


def write(path, events, version=4):
    with open(path, "wb") as f:
        f.write(F.HEADER.pack(F.MAGIC, version, F.HEADER.size, F.RECORD.size, 1, 10000000,
                              PAGE, 0, 1000, 0))
        for seq, (typ, pid, arg, flags, a, b) in enumerate(events):
            f.write(F.RECORD.pack(100 + seq, seq, pid, typ, 0, flags, arg, a, b))


def replace(events, match, new):
    """events with the first record for which match(record) is true replaced by new
    (a list: none, one or more records)."""
    i = next(i for i, e in enumerate(events) if match(e))
    return events[:i] + list(new) + events[i + 1:]


def find(events, match):
    return next(e for e in events if match(e))


def is_copy_unmap(e):
    return e[0] == F.UNMAP and e[1] == 3 and e[4] == 8 * PAGE and e[5] == LAZY


def is_taken_end(e):
    return e[0] == F.FAULT_END and F.end_outcome(e[2]) == F.VMT_OUT_TAKEN


class CheckerCase(unittest.TestCase):
    """Runs a checker on a recording of events written to a temporary file."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test-recording-checkers-")

    def tearDown(self):
        for name in os.listdir(self.tmp):
            os.remove(os.path.join(self.tmp, name))
        os.rmdir(self.tmp)

    def run_checker(self, name, events, *opts, version=4):
        path = os.path.join(self.tmp, "r.vmt")
        write(path, events, version)
        return subprocess.run([sys.executable, os.path.join(SYSTEST, name), *opts, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def assert_fails(self, name, events, words, *opts, version=4):
        r = self.run_checker(name, events, *opts, version=version)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(words, r.stderr)


class Checkers(CheckerCase):
    def test_good_passes_both(self):
        r = self.run_checker("vmt_pages.py", good(), "--cow")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(),
                         "faults: cow-copied 1, cow-taken 1, lazy 1; copy-on-write "
                         "references found: 1 x 1, 2 x 1; shares: 5 runs, 9 pages, "
                         "5 copy-on-write")
        r = self.run_checker("vmt_owners.py", good())
        self.assertEqual((r.returncode, r.stdout.strip()), (
            0, "exited 2, balanced 2, forked children with pages 2, shared pages 9"))

    def test_owners_counts_shares_as_maps(self):
        """A child unmaps every page it was shared: without its share it would not balance."""
        ev = replace(good(), lambda e: e[0] == F.SHARE and e[1] == 3 and e[4] == 8 * PAGE, [])
        self.assert_fails("vmt_owners.py", ev, "pid 3 exited with -1 maps")
        self.assert_fails("vmt_pages.py", ev, "which it was neither shared nor mapped")

    def test_copy_must_unmap_once(self):
        twice = (F.UNMAP, 3, UCOW, 0, 9 * PAGE, LAZY)
        ev = replace(good(), is_copy_unmap, [find(good(), is_copy_unmap), twice])
        self.assert_fails("vmt_pages.py", ev, "copied with 2 unmaps")
        self.assert_fails("vmt_pages.py", replace(good(), is_copy_unmap, []),
                          "copied with 0 unmaps")

    def test_copy_unmaps_the_shared_frame(self):
        ev = replace(good(), is_copy_unmap, [(F.UNMAP, 3, UCOW, 0, 8 * PAGE, OLD)])
        self.assert_fails("vmt_pages.py", ev, "copied, but unmapped frame")
        ev = replace(good(), is_copy_unmap, [(F.UNMAP, 3, URW, 0, 8 * PAGE, LAZY)])
        self.assert_fails("vmt_pages.py", ev, "PTE_COW")

    def test_taken_does_nothing(self):
        ev = replace(good(), is_taken_end, [(F.MAP, 2, URW, 0, 9 * PAGE, NEW),
                                            find(good(), is_taken_end)])
        self.assert_fails("vmt_pages.py", ev, "taken fault at va")
        ev = replace(good(), is_taken_end, [(F.FAULT_END, 2, end_arg(F.VMT_OUT_TAKEN, 2, True),
                                             0, 8 * PAGE, LAZY)])
        self.assert_fails("vmt_pages.py", ev, "taken with 2 references")

    def test_cow_bit_only_on_cow_outcomes(self):
        ev = replace(good(), is_taken_end, [(F.FAULT_END, 2, end_arg(F.VMT_OUT_TAKEN), 0,
                                             8 * PAGE, LAZY)])
        self.assert_fails("vmt_pages.py", ev, "a taken fault without VMT_END_COW")
        ev = replace(good(), is_taken_end, [(F.FAULT_END, 2, end_arg(F.VMT_OUT_ILLEGAL, 1, True),
                                             0, 8 * PAGE, 0)])
        self.assert_fails("vmt_pages.py", ev, "a copy-on-write fault ends illegal")

    def test_exited_child_holds_nothing(self):
        ev = replace(good(), lambda e: e[0] == F.UNMAP and e[1] == 3 and e[4] == 0, [])
        self.assert_fails("vmt_pages.py", ev, "pid 3 exited but still holds 1 pages")

    def test_share_of_a_page_the_parent_lacks(self):
        ev = replace(good(), lambda e: e[0] == F.SHARE and e[1] == 3 and e[4] == 8 * PAGE,
                     [(F.SHARE, 3, 2, F.VMT_SHARE_COW, 8 * PAGE, 2)])
        self.assert_fails("vmt_pages.py", ev, "which its parent 2 does not map")

    def test_cow_demands_shares_copies_and_take_overs(self):
        """A recording of copying forks only (per-page maps, no copy-on-write faults)
        passes, but not with --cow."""
        ev = [(F.FORK, 1, 2, 0, 0, 0), (F.MAP, 2, URW, 0, 0, OLD), (F.EXIT, 2, 0, 0, 0, 0),
              (F.UNMAP, 2, URW, F.VMT_UNMAP_FREED, 0, OLD)]
        self.assertEqual(self.run_checker("vmt_pages.py", ev).returncode, 0)
        self.assert_fails("vmt_pages.py", ev, "no shares, copies or take-overs", "--cow")

    def test_lazy_fault_maps_one_page(self):
        ev = replace(good(), lambda e: e[0] == F.FAULT_END and e[1] == 2 and
                     F.end_outcome(e[2]) == F.VMT_OUT_MAPPED,
                     [(F.FAULT_END, 2, end_arg(F.VMT_OUT_MAPPED), 0, 8 * PAGE + 8, LAZY)])
        self.assert_fails("vmt_pages.py", ev, "mapped fault at va")



class PackedUnmaps(CheckerCase):
    """Version 5: the exits' unmaps packed (VMT_UNMAP_PAGES) read as good()'s per-page
    ones, and vmt_gaps counts a packed record as the one record it is."""

    def test_packed_passes_both(self):
        ev = good_packed()
        self.assertEqual(sum(e[3] & F.VMT_UNMAP_PAGES != 0 for e in ev), 6)
        self.assertLess(len(ev), len(good()))
        r = self.run_checker("vmt_pages.py", ev, "--cow", version=5)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("shares: 5 runs, 9 pages", r.stdout)
        r = self.run_checker("vmt_owners.py", ev, version=5)
        self.assertEqual((r.returncode, r.stdout.strip()), (
            0, "exited 2, balanced 2, forked children with pages 2, shared pages 9"))

    def test_packed_page_missing(self):
        """A packed teardown one page short leaves the page held and the maps unbalanced."""
        ev = replace(good_packed(), lambda e: e[1] == 3 and e[3] & F.VMT_UNMAP_PAGES and
                     e[2] == UCOW, [packed(3, 2 * PAGE, UCOW, [OLD + 2 * PAGE])])
        self.assert_fails("vmt_pages.py", ev, "pid 3 exited but still holds 1 pages", version=5)
        self.assert_fails("vmt_owners.py", ev, "pid 3 exited with +1 maps", version=5)

    FRAMES = [OLD + i * PAGE for i in range(F.VMT_UNMAP_PAGES_MAX)]

    def copied_child(self, frames):
        """A copying fork's child maps FRAMES page by page, exits and unmaps its pages
        with one packed record naming frames."""
        return ([(F.FORK, 1, 2, 0, 0, 0)] +
                [(F.MAP, 2, URW, 0, i * PAGE, pa) for i, pa in enumerate(self.FRAMES)] +
                [(F.EXIT, 2, 0, 0, 0, 0), packed(2, 0, URW, frames, freed=True)])

    def test_every_slot_read(self):
        """Each page's frame comes from its own slot: every frame named right passes,
        two swapped are unmaps of frames the child does not hold there."""
        ev = self.copied_child(self.FRAMES)
        for name in ("vmt_pages.py", "vmt_owners.py"):
            r = self.run_checker(name, ev, version=5)
            self.assertEqual(r.returncode, 0, r.stderr)
        last = len(self.FRAMES) - 1
        swapped = self.FRAMES[:last - 1] + [self.FRAMES[last], self.FRAMES[last - 1]]
        self.assert_fails("vmt_pages.py", self.copied_child(swapped),
                          "pid 2 unmaps va %#x frame %#x" % ((last - 1) * PAGE,
                                                             self.FRAMES[last]), version=5)

    def test_packed_in_version_4_refused(self):
        for name in ("vmt_pages.py", "vmt_owners.py"):
            r = self.run_checker(name, good_packed(), version=4)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertRegex(r.stderr, r"^%s: .*: offset \d+: a packed VMT_UNMAP "
                             r"\(VMT_UNMAP_PAGES\) in a version 4 recording" % name[:-3])
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)

    def test_gaps_count_written_records(self):
        ev = good_packed()
        r = self.run_checker("vmt_gaps.py", ev, version=5)
        self.assertEqual((r.returncode, r.stdout.strip()),
                         (0, "cpu0 records %d dropped 0 lost_records 0" % len(ev)))


if __name__ == "__main__":
    unittest.main()
