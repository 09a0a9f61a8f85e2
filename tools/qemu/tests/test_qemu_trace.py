#!/usr/bin/env python3
"""qemu_trace.py's per-test counts (the --split index) on a hand-made recording (make
test-host; no QEMU, no converter).

    python3 tools/qemu/tests/test_qemu_trace.py [-v]

Two "test NAME" markers cut the recording into two windows; each window's faults,
copy-on-write faults and shared pages must be the ones whose records fall in it.
"""

import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import qemu_trace  # noqa: E402
F = qemu_trace.F
HZ = 10000000          # ticks per second: 10 ticks per microsecond


def marker(ts, text):
    a, b = (int.from_bytes(text.encode().ljust(16, b"\0")[i:i + 8], "little") for i in (0, 8))
    return (ts, F.MARKER, 1, 0, 0, a, b)


def cow_end(outcome):
    return outcome | F.VMT_END_COW | 2 << F.VMT_END_REFS_SHIFT


def recording(path):
    """(ts, type, pid, flags, arg, a, b): "test one" at 1 ms: a share of 5 pages, two
    lazy faults; "test two" at 2 ms: a share of 3 pages, a copy and a take-over."""
    ev = [(5000, F.FAULT_END, 1, 0, F.VMT_OUT_MAPPED, 0, 0),       # before any test
          marker(10000, "test one"),
          (10100, F.SHARE, 2, F.VMT_SHARE_COW, 1, 0, 5),
          (10200, F.FAULT_END, 2, 0, F.VMT_OUT_MAPPED, 0, 0),
          (10300, F.FAULT_END, 2, 0, F.VMT_OUT_MAPPED, 0, 0),
          marker(20000, "test two"),
          (20100, F.SHARE, 3, 0, 1, 0, 3),
          (20200, F.FAULT_END, 3, 0, cow_end(F.VMT_OUT_COPIED), 0, 0),
          (20300, F.FAULT_END, 1, 0, cow_end(F.VMT_OUT_TAKEN), 0, 0)]
    with open(path, "wb") as f:
        f.write(F.HEADER.pack(F.MAGIC, 4, F.HEADER.size, F.RECORD.size, 1, HZ, 4096, 0,
                              100, 0))
        for seq, (ts, typ, pid, flags, arg, a, b) in enumerate(ev):
            f.write(F.RECORD.pack(ts, seq, pid, typ, 0, flags, arg, a, b))


class WindowCounts(unittest.TestCase):
    def test_counts_per_test(self):
        with tempfile.TemporaryDirectory(prefix="test-qemu-trace-") as tmp:
            rec = os.path.join(tmp, "r.vmt")
            recording(rec)
            tests = [(t, m[5:]) for t, m in qemu_trace.markers(rec) if m.startswith("test ")]
            self.assertEqual(tests, [(1000.0, "one"), (2000.0, "two")])
            counts = qemu_trace.window_counts(rec, [(1000.0, 2000.0), (2000.0, None)])
        self.assertEqual([dict(c) for c in counts], [
            {"faults": 2, "cow": 0, "shared": 5},
            {"faults": 2, "cow": 2, "shared": 3}])


if __name__ == "__main__":
    unittest.main()
