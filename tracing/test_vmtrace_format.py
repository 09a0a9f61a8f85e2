#!/usr/bin/env python3
"""Tests of tracing/vmtrace_format.py, the Python reader of recordings (make test-host).

    python3 tracing/test_vmtrace_format.py [-v]

The layout it derives must be the C compiler's: a small C program built against
tracing/vmtrace_format.h prints every field's offset and size, and the derived structs
must agree. A recording from build/tools/vmtgen must read back with the counts the
C checker (build/tools/vmtcheck) finds. Headers the parser cannot read must fail at
import, not decode wrongly.
"""

import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import vmtrace_format as F  # noqa: E402

TOOLS = os.path.join(ROOT, "build", "tools")


def c_layout(struct, fields):
    """{field: (offset, size)} of struct vmt_STRUCT as the host C compiler lays it out."""
    lines = ['printf("%s %%zu %%zu\\n", offsetof(struct %s, %s), sizeof(((struct %s *)0)->%s));'
             % (f, struct, f, struct, f) for f in fields]
    src = ('#include <stddef.h>\n#include <stdio.h>\n#include "tracing/vmtrace_format.h"\n'
           "int main(void) {\n%s\nreturn 0;\n}\n" % "\n".join(lines))
    with tempfile.TemporaryDirectory(prefix="test-vmtrace-format-") as tmp:
        with open(os.path.join(tmp, "layout.c"), "w") as f:
            f.write(src)
        exe = os.path.join(tmp, "layout")
        subprocess.run([os.environ.get("HOSTCC", "cc"), "-I", ROOT, "-o", exe,
                        os.path.join(tmp, "layout.c")], check=True)
        out = subprocess.run([exe], check=True, stdout=subprocess.PIPE, text=True).stdout
    return {name: (int(off), int(size)) for name, off, size in (l.split() for l in out.splitlines())}


def c_values(names):
    """{name: value} of integer constants of tracing/vmtrace_format.h, as C evaluates them."""
    lines = ['printf("%s %%llu\\n", (unsigned long long)(%s));' % (n, n) for n in names]
    src = ('#include <stdio.h>\n#include "tracing/vmtrace_format.h"\n'
           "int main(void) {\n%s\nreturn 0;\n}\n" % "\n".join(lines))
    with tempfile.TemporaryDirectory(prefix="test-vmtrace-format-") as tmp:
        with open(os.path.join(tmp, "values.c"), "w") as f:
            f.write(src)
        exe = os.path.join(tmp, "values")
        subprocess.run([os.environ.get("HOSTCC", "cc"), "-I", ROOT, "-o", exe,
                        os.path.join(tmp, "values.c")], check=True)
        out = subprocess.run([exe], check=True, stdout=subprocess.PIPE, text=True).stdout
    return {name: int(v) for name, v in (l.split() for l in out.splitlines())}


def c_packed_unmap(va, perm, pfns):
    """(arg, a, b) of a packed unmap of pfns at va with perm, as the header's
    VMT_UNMAP_PUT packs it, and the frame numbers its VMT_UNMAP_SLOT reads back."""
    # i a variable, as in the kernel: a constant i lets the compiler see the shift of a
    # branch not taken.
    src = ('#include <stdio.h>\n#include "tracing/vmtrace_format.h"\n'
           "static const uint64 pfn[] = { %s };\n"
           "int main(void) {\nuint32 arg = %du; uint64 a = %dull, b = 0;\n"
           "for (int i = 0; i < %d; i++) VMT_UNMAP_PUT(i, pfn[i], &arg, &a, &b);\n"
           'printf("%%llu %%llu %%llu\\n", (unsigned long long)arg, (unsigned long long)a,'
           " (unsigned long long)b);\n"
           'for (int i = 0; i < %d; i++) printf("%%llu\\n", '
           "(unsigned long long)VMT_UNMAP_SLOT(i, arg, a, b));\nreturn 0;\n}\n"
           % (", ".join("%dull" % p for p in pfns), perm, va, len(pfns), len(pfns)))
    with tempfile.TemporaryDirectory(prefix="test-vmtrace-format-") as tmp:
        with open(os.path.join(tmp, "unmap.c"), "w") as f:
            f.write(src)
        exe = os.path.join(tmp, "unmap")
        subprocess.run([os.environ.get("HOSTCC", "cc"), "-Wall", "-Werror", "-I", ROOT, "-o",
                        exe, os.path.join(tmp, "unmap.c")], check=True)
        out = subprocess.run([exe], check=True, stdout=subprocess.PIPE, text=True).stdout
    lines = out.split()
    return tuple(int(x) for x in lines[:3]), [int(x) for x in lines[3:]]


def py_layout(st, fields):
    """{field: (offset, size)} of a derived struct.Struct, walking its format codes."""
    import struct
    layout, off = {}, 0
    for name, (count, code) in zip(fields, re.findall(r"(\d*)([a-zA-Z])", st.format[1:])):
        size = struct.calcsize("<" + count + code)
        layout[name] = (off, size)
        off += size
    return layout


class Layout(unittest.TestCase):
    def test_record_matches_c(self):
        self.assertEqual(py_layout(F.RECORD, F.RECORD_FIELDS),
                         c_layout("vmt_record", F.RECORD_FIELDS))

    def test_header_matches_c(self):
        self.assertEqual(py_layout(F.HEADER, F.HEADER_FIELDS),
                         c_layout("vmt_header", F.HEADER_FIELDS))

    def test_names_and_constants(self):
        self.assertEqual(F.MAGIC, b"VMTRACE1")
        self.assertEqual(F.TYPE_NAMES[F.FAULT_BEGIN], "fault_begin")
        self.assertEqual(sorted(F.TYPE_NAMES), list(range(1, F.NTYPES)))
        self.assertEqual(F.OUTCOMES[F.VMT_OUT_NOMEM], "nomem")
        self.assertEqual(F.PTE_U, 1 << 4)

    def test_version_4_names(self):
        """Copy-on-write fork's record, outcomes and bits, as the C compiler sees them."""
        self.assertEqual(F.TYPE_NAMES[F.SHARE], "share")
        self.assertEqual((F.OUTCOMES[F.VMT_OUT_COPIED], F.OUTCOMES[F.VMT_OUT_TAKEN]),
                         ("copied", "taken"))
        self.assertIn(4, F.VERSIONS)
        self.assertEqual(F.VMT_EVENTS_ALL >> F.SHARE & 1, 1)
        names = ["VMT_SHARE", "VMT_OUT_COPIED", "VMT_OUT_TAKEN", "VMT_END_COW",
                 "VMT_END_REFS_SHIFT", "VMT_END_REFS_MAX", "VMT_END_PERM_MASK",
                 "VMT_SHARE_COW", "VMT_EVENTS_ALL"]
        self.assertEqual({n: getattr(F, n) for n in names}, c_values(names))
        self.assertEqual((F.PTE_W, F.PTE_COW), (1 << 2, 1 << 8))

    def test_version_5_names(self):
        """The packed unmap's constants, the masks among them expressions, as C sees them."""
        self.assertIn(5, F.VERSIONS)
        names = ["VMT_UNMAP_PAGES", "VMT_UNMAP_COUNT_SHIFT", "VMT_UNMAP_COUNT_MASK",
                 "VMT_UNMAP_PAGES_MAX",
                 "VMT_UNMAP_PFN_BITS", "VMT_UNMAP_PFN_MASK", "VMT_UNMAP_VA_BITS",
                 "VMT_UNMAP_VA_MASK", "VMT_UNMAP_PERM_MASK", "VMT_UNMAP_ARG_SHIFT"]
        self.assertEqual({n: getattr(F, n) for n in names}, c_values(names))

    def test_function_like_macros_skipped(self):
        for name in ("VMT_UNMAP_SLOT", "VMT_UNMAP_PUT"):
            self.assertNotIn(name, F.CONSTANTS)


class Unreadable(unittest.TestCase):
    def test_unknown_field_type(self):
        with self.assertRaises(F.FormatHeaderError):
            F._struct("struct vmt_x { uint32 a; double b; };", "vmt_x")

    def test_unknown_name_in_enum(self):
        with self.assertRaises(F.FormatHeaderError):
            F._enum("e", "A = NOT_DEFINED + 1", {})
        enums, unreadable = F._enums("enum e { A = NOT_DEFINED }; enum f { B };", {})
        self.assertEqual((list(enums), list(unreadable)), (["f"], ["e"]))

    def test_enum_numbering(self):
        known = {}
        F._enum("e", "A = 3, B, C = A << 2, D, E = C / 5 * 2 % 3", known)
        self.assertEqual(known, {"A": 3, "B": 4, "C": 12, "D": 13, "E": 1})


def rec(type, arg=0, a=0, b=0, flags=0, ts=100, seq=7):
    return F.Record(ts=ts, seq=seq, pid=3, type=type, cpu=1, flags=flags, arg=arg, a=a, b=b)


class ExpandCase(unittest.TestCase):
    """What the expanding tests share: a header of any version, one record expanded."""
    PA, URW = 0x87654000, 0x2 | 0x4 | 0x10

    def header(self, version):
        return F.Header(magic=F.MAGIC, version=version, header_size=F.HEADER.size,
                        record_size=F.RECORD.size, ncpu=2, timer_hz=10000000, page_size=4096,
                        flags=0, free_pages=100, start_ts=0)

    def expand(self, r, version=3):
        return [x for _, x in F.expand([(56, r)], self.header(version))]

    def read_back(self, version, *recs):
        """The types F.read gives for a recording of recs (exits like F.read)."""
        tmp = tempfile.mkdtemp(prefix="test-vmtrace-format-")
        try:
            path = os.path.join(tmp, "r.vmt")
            with open(path, "wb") as f:
                f.write(F.HEADER.pack(*self.header(version)))
                for r in recs:
                    f.write(F.RECORD.pack(*r))
            _, got = F.read(path, "test")
            return [r.type for r in got]
        finally:
            shutil.rmtree(tmp)


class Expanding(ExpandCase):
    """F.expand gives back what version-3 records imply, as tracing/vmtrace_format.h says."""

    def test_fault_end(self):
        arg = F.VMT_OUT_MAPPED | F.VMT_END_KALLOC | F.VMT_END_MAP | self.URW << F.VMT_END_PERM_SHIFT
        end = rec(F.FAULT_END, arg, 0x5008, self.PA, flags=1)
        self.assertEqual(self.expand(end), [
            rec(F.KALLOC, 0, self.PA, 0, flags=F.VMT_PAGE_DATA),
            rec(F.MAP, self.URW, 0x5000, self.PA),
            rec(F.FAULT_END, F.VMT_OUT_MAPPED, 0x5008, self.PA, flags=1)])

    def cow_end(self, outcome, refs, implied=0):
        return (outcome | F.VMT_END_COW | refs << F.VMT_END_REFS_SHIFT | implied)

    def test_copied_end_keeps_cow_and_refs(self):
        """A copy's end says its kalloc and map as a lazy fault's does; the expanded end
        keeps the outcome, VMT_END_COW and the references, and only those."""
        implied = F.VMT_END_KALLOC | F.VMT_END_MAP | self.URW << F.VMT_END_PERM_SHIFT
        end = rec(F.FAULT_END, self.cow_end(F.VMT_OUT_COPIED, 3, implied), 0x5008, self.PA)
        got = self.expand(end, 4)
        self.assertEqual(got, [
            rec(F.KALLOC, 0, self.PA, 0, flags=F.VMT_PAGE_DATA),
            rec(F.MAP, self.URW, 0x5000, self.PA),
            rec(F.FAULT_END, self.cow_end(F.VMT_OUT_COPIED, 3), 0x5008, self.PA)])
        arg = got[-1].arg
        self.assertEqual((F.end_outcome(arg), F.end_cow(arg), F.end_refs(arg)),
                         (F.VMT_OUT_COPIED, True, 3))

    def test_taken_and_saturated_refs(self):
        for outcome, refs in ((F.VMT_OUT_TAKEN, 1), (F.VMT_OUT_NOMEM, F.VMT_END_REFS_MAX)):
            end = rec(F.FAULT_END, self.cow_end(outcome, refs), 0x5008, self.PA)
            got = self.expand(end, 4)
            self.assertEqual(got, [end])
            self.assertEqual((F.end_outcome(got[0].arg), F.end_refs(got[0].arg)),
                             (outcome, refs))

    def test_lazy_end_is_no_cow(self):
        end = rec(F.FAULT_END, F.VMT_OUT_MAPPED | F.VMT_END_KALLOC | F.VMT_END_MAP |
                  F.VMT_END_PERM_MASK << F.VMT_END_PERM_SHIFT, 0x5008, self.PA)
        got = self.expand(end, 4)
        self.assertEqual(got[1].arg, F.VMT_END_PERM_MASK)     # every perm bit, no refs
        self.assertEqual((got[-1].arg, F.end_cow(got[-1].arg), F.end_refs(got[-1].arg)),
                         (F.VMT_OUT_MAPPED, False, 0))

    def test_share_stays_one_record(self):
        share = rec(F.SHARE, 2, 0x1000, 5, flags=F.VMT_SHARE_COW)
        self.assertEqual(self.expand(share, 4), [share])

    def test_map_and_unmap(self):
        self.assertEqual(self.expand(rec(F.MAP, self.URW, 0x7000, self.PA, flags=F.VMT_MAP_ALLOCATED)), [
            rec(F.KALLOC, 0, self.PA, 0, flags=F.VMT_PAGE_DATA), rec(F.MAP, self.URW, 0x7000, self.PA)])
        self.assertEqual(self.expand(rec(F.UNMAP, self.URW | 1, 0x7000, self.PA, flags=F.VMT_UNMAP_FREED)), [
            rec(F.UNMAP, self.URW | 1, 0x7000, self.PA), rec(F.KFREE, 0, self.PA, 0, flags=F.VMT_PAGE_DATA)])

    def test_old_versions_as_written(self):
        r = rec(F.MAP, self.URW, 0x7000, self.PA, flags=F.VMT_MAP_ALLOCATED)
        for v in range(F.VMT_VERSION_OLDEST, 3):
            self.assertEqual(self.expand(r, v), [r])

    def test_read_expands(self):
        self.assertEqual(self.read_back(3, rec(F.UNMAP, self.URW, 0x7000, self.PA,
                                               flags=F.VMT_UNMAP_FREED)), [F.UNMAP, F.KFREE])


PACKED = F.VMT_UNMAP_PAGES


def packed_flags(n, freed=False):
    return PACKED | n << F.VMT_UNMAP_COUNT_SHIFT | (F.VMT_UNMAP_FREED if freed else 0)


class PackedUnmaps(ExpandCase):
    """Version 5: one VMT_UNMAP for up to VMT_UNMAP_PAGES_MAX pages in a row, packed by
    the header's own VMT_UNMAP_PUT (compiled here), expanded as the kernel would have
    written the pages one by one in version 4."""
    PAGE = 4096
    # The highest user page: va's own bits reach VMT_UNMAP_VA_BITS's neighbourhood, so a
    # frame in slot 3 just above it must not leak into the va.
    TOP_VA = (1 << 38) - 5 * 4096

    def packed(self, va, perm, pfns, freed=False, version=5):
        (arg, a, b), slots = c_packed_unmap(va, perm, pfns)
        self.assertEqual(slots, list(pfns), "the header's VMT_UNMAP_SLOT reads back its PUT")
        r = rec(F.UNMAP, arg, a, b, flags=packed_flags(len(pfns), freed))
        return r, self.expand(r, version)

    def per_page(self, va, perm, pfns, freed):
        """What a version-4 kernel wrote for the same unmaps, as expanded."""
        out = []
        for i, pfn in enumerate(pfns):
            out.append(rec(F.UNMAP, perm, va + i * self.PAGE, pfn * self.PAGE))
            if freed:
                out.append(rec(F.KFREE, 0, pfn * self.PAGE, 0, flags=F.VMT_PAGE_DATA))
        return out

    def test_one_page(self):
        for freed in (False, True):
            _, got = self.packed(0x3000, self.URW, [0x87654], freed)
            self.assertEqual(got, self.per_page(0x3000, self.URW, [0x87654], freed))

    def test_five_pages_freed_in_order(self):
        pfns = [0x80001, 0x80abc, 0x9ffff, 0x80100, 0x80002]
        _, got = self.packed(0x10000, self.URW, pfns, freed=True)
        self.assertEqual(got, self.per_page(0x10000, self.URW, pfns, True))
        self.assertEqual([r.type for r in got], [F.UNMAP, F.KFREE] * 5)

    def test_five_pages_kept(self):
        pfns = [0x80005, 0x80004, 0x80003, 0x80002, 0x80001]
        perm = F.PTE_U | 0x2 | F.PTE_COW
        _, got = self.packed(0x4000, perm, pfns)
        self.assertEqual(got, self.per_page(0x4000, perm, pfns, False))

    def test_slots_full_at_the_top(self):
        """Every slot at its largest frame number: slot 3 fills a to its top bits, slot
        4 arg's; neither va nor permissions may take any of it."""
        top = F.VMT_UNMAP_PFN_MASK
        pfns = [top, top - 1, top - 2, top, top]
        perm = F.VMT_UNMAP_PERM_MASK
        r, got = self.packed(self.TOP_VA, perm, pfns, freed=True)
        self.assertEqual((r.a >> F.VMT_UNMAP_VA_BITS, r.a & F.VMT_UNMAP_VA_MASK), (top, self.TOP_VA))
        self.assertEqual((r.arg >> F.VMT_UNMAP_ARG_SHIFT, r.arg & F.VMT_UNMAP_PERM_MASK), (top, perm))
        self.assertEqual(got, self.per_page(self.TOP_VA, perm, pfns, True))

    def test_python_packs_as_c(self):
        """F.pack_unmap, which tests use to make recordings, packs as VMT_UNMAP_PUT does."""
        top = F.VMT_UNMAP_PFN_MASK
        for va, perm, pfns, freed in ((0x3000, self.URW, [0x87654], False),
                                      (self.TOP_VA, F.VMT_UNMAP_PERM_MASK,
                                       [top, 1, top - 2, top, top - 1], True)):
            (arg, a, b), _ = c_packed_unmap(va, perm, pfns)
            self.assertEqual(F.pack_unmap(va, perm, [p * self.PAGE for p in pfns], self.PAGE,
                                          freed),
                             (packed_flags(len(pfns), freed), arg, a, b))
        with self.assertRaises(ValueError):
            F.pack_unmap(0, self.URW, [], self.PAGE)

    def test_slots_must_match_the_count(self):
        """A frame in a slot past the count, or none in one within it, is refused (the
        converter's reader refuses both too)."""
        r, _ = self.packed(0x8000, self.URW, [0x80001, 0x80002])
        junk = r._replace(a=r.a | 7 << F.VMT_UNMAP_VA_BITS)      # slot 3 holds a frame
        with self.assertRaisesRegex(F.BadRecording, "unused slot 3"):
            self.expand(junk, 5)
        empty = r._replace(b=r.b & ~(F.VMT_UNMAP_PFN_MASK << F.VMT_UNMAP_PFN_BITS))
        with self.assertRaisesRegex(F.BadRecording, "no frame for page 1"):
            self.expand(empty, 5)

    def test_every_page_at_the_records_place(self):
        r, got = self.packed(0x2000, self.URW, [0x80001, 0x80002, 0x80003], freed=True)
        r = r._replace(ts=12345, seq=99)
        got = list(F.expand([(56 + 40 * 9, r)], self.header(5)))
        self.assertEqual({(off, x.ts, x.seq, x.cpu, x.pid) for off, x in got},
                         {(56 + 40 * 9, 12345, 99, 1, 3)})

    def test_unpacked_unmap_still_single(self):
        r = rec(F.UNMAP, self.URW, 0x7000, self.PA, flags=F.VMT_UNMAP_FREED)
        self.assertEqual(self.expand(r, 5), [
            rec(F.UNMAP, self.URW, 0x7000, self.PA), rec(F.KFREE, 0, self.PA, 0, flags=F.VMT_PAGE_DATA)])

    def test_bad_counts_refused(self):
        for n in (0, F.VMT_UNMAP_PAGES_MAX + 1, 7):
            r = rec(F.UNMAP, self.URW, 0x7000, 0x80001, flags=packed_flags(n))
            with self.assertRaisesRegex(F.BadRecording, r"^offset 56: a packed VMT_UNMAP of %d " % n):
                self.expand(r, 5)

    def test_packed_before_version_5_refused(self):
        r = rec(F.UNMAP, self.URW, 0x7000, 0x80001, flags=packed_flags(1))
        for v in (3, 4):
            with self.assertRaisesRegex(F.BadRecording, r"^offset 56: .*version %d" % v):
                self.expand(r, v)

    def test_read_counts_written_records(self):
        """F.read's "written" counts the file's records, a packed unmap once."""
        flags, arg, a, b = F.pack_unmap(0x5000, self.URW, [0x80001000, 0x80002000, 0x80003000],
                                        self.PAGE, freed=True)
        tmp = tempfile.mkdtemp(prefix="test-vmtrace-format-")
        try:
            path = os.path.join(tmp, "r.vmt")
            with open(path, "wb") as f:
                f.write(F.HEADER.pack(*self.header(5)))
                f.write(F.RECORD.pack(*rec(F.MAP, self.URW, 0x4000, self.PA)))
                f.write(F.RECORD.pack(*rec(F.UNMAP, arg, a, b, flags=flags)))
            hdr, recs = F.read(path)
        finally:
            shutil.rmtree(tmp)
        self.assertEqual((hdr["written"], len(recs)), (2, 7))

    def test_read_refuses_with_one_line(self):
        r = rec(F.UNMAP, self.URW, 0x7000, 0x80001 | 0x80002 << F.VMT_UNMAP_PFN_BITS,
                flags=packed_flags(2))
        with self.assertRaises(SystemExit) as e:
            self.read_back(4, r)
        self.assertRegex(str(e.exception), r"^test: .*r\.vmt: offset 56: a packed VMT_UNMAP")
        self.assertNotIn("\n", str(e.exception))
        self.assertEqual(self.read_back(5, r), [F.UNMAP, F.UNMAP])


@unittest.skipUnless(os.access(os.path.join(TOOLS, "vmtgen"), os.X_OK),
                     "build/tools/vmtgen not built (make)")
class Reading(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test-vmtrace-format-")
        self.rec = self.generate("r.vmt")

    def generate(self, name, *options):
        path = os.path.join(self.tmp, name)
        subprocess.run([os.path.join(TOOLS, "vmtgen"), "-s", "3", "-n", "5000", "-c", "3",
                        "-d", "20", "-o", path] + list(options), check=True,
                       stderr=subprocess.DEVNULL)
        return path

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_counts_match_vmtcheck(self):
        self.counts_match_vmtcheck(self.rec)

    def test_folded_counts_match_vmtcheck(self):
        self.counts_match_vmtcheck(self.generate("folded.vmt", "--fold"))

    def counts_match_vmtcheck(self, rec):
        out = subprocess.run([os.path.join(TOOLS, "vmtcheck"), rec],
                             stdout=subprocess.PIPE, text=True).stdout
        want = {}
        for name in F.TYPE_NAMES.values():
            m = re.search(r"^%s\s.*?(\d+)\s*$" % re.escape(name), out, flags=re.M)
            if m:
                want[name] = int(m.group(1))
        self.assertIn("kalloc", want, "vmtcheck's report: " + out[:200])
        hdr, recs = F.read(rec)
        got = collections.Counter(F.TYPE_NAMES[r.type] for r in recs)
        self.assertEqual({n: got.get(n, 0) for n in want}, want)
        self.assertEqual([r.ts for r in recs], sorted(r.ts for r in recs))

    def test_truncated_is_refused(self):
        with open(self.rec, "rb") as f:
            data = f.read(F.HEADER.size - 1)
        with self.assertRaises(F.BadRecording):
            F.parse_header(data)


if __name__ == "__main__":
    unittest.main()
