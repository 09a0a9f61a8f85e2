#!/usr/bin/env python3
"""Power cuts at random moments: does the file system come back whole?

    python3 tools/systest/crashtest.py [--crashes N] [--cpus "1 3"] [--seed S]
                                       [--min-delay SECONDS] [--max-delay SECONDS]
                                       [--kernel K] [--fs IMG] [--work DIR]

Each crash, on a fresh copy of the image, at the next CPU count of --cpus in turn:
  1. boot and run `crashwriter SEED` (user/crashwriter.c: writers growing files, creating
     and removing them, making directories, renaming, writing to an open unlinked file);
     a random moment later QEMU gets SIGKILL (qemu_run.py --kill-after), a power cut;
  2. fsck the image as the crash left it (tools/mkfs/fsck installs a committed log in
     memory, as recovery would): it must be consistent; it counts the orphans (files
     unlinked while open) and whether the log held a committed transaction;
  3. every third crash, cut the power again during the next boot (0.1 to 1.2 s after
     QEMU starts: before, during or after recovery and reclaim), and fsck again;
  4. boot again on the same image and halt: recovery and orphan reclaim run, nothing may
     panic; the kernel must say it installed the log exactly when fsck found one
     committed, and reclaim exactly the orphans fsck counted;
  5. fsck again: consistent, no orphans left (nothing leaked);
  6. every file whose close the console showed before the kill holds its bytes, read
     back with tools/mkfs/fscat: a kept file exactly its bytes, a growing one at least
     the bytes seen and nothing but its content after, a temporary one (it may have
     been removed since) its bytes or nothing.
Prints a line per crash, then how many crashes, how many recoveries installed a log, how
many orphans were reclaimed and how many files were checked. Exit status 0 when every
crash passed, 1 otherwise, 2 on bad arguments. Every boot goes through
tools/qemu/qemu_run.py, so never a third QEMU. Logs of a failed crash and its image stay
in --work (default build/crashtest/); a passed crash's are removed.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "tools", "qemu", "qemu_run.py")

CLOSED_RE = re.compile(r"^cw: closed (\S+) (\d+) ([0-9a-f]+) (grow|keep|temp)$")
RENAMED_RE = re.compile(r"^cw: renamed (\S+) (\S+)$")
RECOVERED_RE = re.compile(r"^log: recovery installed (\d+) blocks", re.M)
RECLAIMED_RE = re.compile(r"^fs: reclaimed (\d+) orphaned inode", re.M)
FSCK_CLEAN_RE = re.compile(r"clean: .* (\d+) orphans,")
FSCK_LOG_RE = re.compile(r"installed (\d+) committed log blocks")
WAITED_RE = re.compile(r"waited (\d+) s for a QEMU slot")
BOOT_TIMEOUT = 180


class CrashFailed(Exception):
    """The crash's one-line verdict."""


def rng_mix(x):
    """user/testlib/random.c's rng_mix (splitmix64)."""
    m = 0xFFFFFFFFFFFFFFFF
    x = (x + 0x9E3779B97F4A7C15) & m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)


def content(key, length):
    """The bytes of a file whose key is key: user/crashwriter.c's content_byte."""
    words = b"".join(rng_mix(key << 32 | j).to_bytes(8, "little")
                     for j in range((length + 7) // 8))
    return words[:length]


def closes_seen(console):
    """What the console showed had closed: path -> (length, key, kind). Only whole
    lines count (the kill may cut the last one)."""
    files = {}
    for line in console.split("\n")[:-1]:
        m = CLOSED_RE.match(line.strip())
        if m:
            files[m.group(1)] = (int(m.group(2)), int(m.group(3), 16), m.group(4))
            continue
        m = RENAMED_RE.match(line.strip())
        if m and m.group(1) in files:
            length, key, _ = files[m.group(1)]
            files[m.group(2)] = (length, key, "temp")
    return files


def recovery_counts(console):
    """The log blocks a boot's recovery installed and the orphans it reclaimed."""
    counts = []
    for pattern in (RECOVERED_RE, RECLAIMED_RE):
        m = pattern.search(console)
        counts.append(int(m.group(1)) if m else 0)
    return tuple(counts)


class Crash:
    def __init__(self, args, number, cpus, seed, delay, recovery_cut):
        self.args, self.cpus, self.seed, self.delay = args, cpus, seed, delay
        self.recovery_cut = recovery_cut   # seconds into the next boot, or None
        self.base = os.path.join(args.work, "crash%03d" % number)
        self.image = self.base + ".img"
        self.waited = 0     # seconds the runner waited for a QEMU slot

    def boot(self, name, extra):
        log = "%s.%s.log" % (self.base, name)
        cmd = [sys.executable, RUNNER, "--kernel", self.args.kernel, "--fs", self.image,
               "--keep-fs", "--cpus", str(self.cpus), "--timeout", str(BOOT_TIMEOUT),
               "--log", log] + extra
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = r.stderr.decode(errors="replace")
        self.waited += sum(int(w) for w in WAITED_RE.findall(err))
        if r.returncode != 0:
            why = err.strip().splitlines()
            raise CrashFailed("%s boot: %s (log: %s)" % (name, why[-1] if why else "?", log))
        with open(log, encoding="utf-8", errors="replace") as f:
            return f.read().replace("\r", "")

    def fsck(self, when):
        r = subprocess.run([self.args.fsck, self.image], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace")
        with open("%s.fsck-%s.txt" % (self.base, when), "w") as f:
            f.write(out)
        m = FSCK_CLEAN_RE.search(out)
        if r.returncode != 0 or not m:
            first = (out.strip().splitlines() or ["no output, exit %d" % r.returncode])[0]
            raise CrashFailed("fsck %s: %s" % (when, first))
        logged = FSCK_LOG_RE.search(out)
        return int(m.group(1)), int(logged.group(1)) if logged else 0

    def read_back(self, path):
        r = subprocess.run([self.args.fscat, self.image, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode == 0:
            return r.stdout
        if b"no such file" in r.stderr:
            return None
        raise CrashFailed("fscat %s: %s" % (path, r.stderr.decode(errors="replace").strip()))

    def check_file(self, path, length, key, kind):
        data = self.read_back(path)
        if data is None:
            if kind == "temp":
                return
            raise CrashFailed("%s: closed with %d bytes before the kill, gone after" %
                              (path, length))
        if kind == "grow":
            ok = len(data) >= length and data == content(key, len(data))
        else:
            ok = data == content(key, length)
        if not ok:
            raise CrashFailed("%s: %d bytes on disk, not the %s%d bytes closed before the "
                              "kill" % (path, len(data), "at least " if kind == "grow" else "",
                                        length))

    def run(self):
        """Returns (closes seen, log blocks installed, orphans reclaimed), counting a
        boot cut short during recovery too."""
        shutil.copyfile(self.args.fs, self.image)
        console = self.boot("crash", ["--kill-after", "%.2f" % self.delay,
                                      "crashwriter %d" % self.seed])
        files = closes_seen(console)
        orphans, logged = self.fsck("after-crash")
        earlier = (0, 0)   # what a boot cut short during recovery installed and reclaimed
        if self.recovery_cut is not None:
            cut = self.boot("recovery-cut", ["--kill-after", "%.2f" % self.recovery_cut])
            earlier = recovery_counts(cut)
            orphans, logged = self.fsck("after-recovery-cut")
        installed, reclaimed = recovery_counts(self.boot("recover", []))
        if installed != logged:
            raise CrashFailed("fsck found %d committed log blocks, recovery installed %d" %
                              (logged, installed))
        if reclaimed != orphans:
            raise CrashFailed("fsck counted %d orphans, the kernel reclaimed %d" %
                              (orphans, reclaimed))
        left, _ = self.fsck("after-recovery")
        if left != 0:
            raise CrashFailed("%d orphans left after the reboot" % left)
        for path, (length, key, kind) in sorted(files.items()):
            self.check_file(path, length, key, kind)
        return len(files), installed + earlier[0], reclaimed + earlier[1]

    def clean_up(self):
        for f in os.listdir(self.args.work):
            if f.startswith(os.path.basename(self.base) + "."):
                os.remove(os.path.join(self.args.work, f))


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Kill QEMU at random moments while files are "
                                 "written; check the disk after each reboot.")
    ap.add_argument("--crashes", type=int, default=4, help="crashes in all (default 4)")
    ap.add_argument("--cpus", default="1 3", help='CPU counts, taken in turn (default "1 3")')
    ap.add_argument("--seed", type=int, help="seed for the writers and the moments "
                    "(default: from the clock; printed)")
    ap.add_argument("--min-delay", type=float, default=0.2,
                    help="earliest kill, seconds after crashwriter is typed (default 0.2)")
    ap.add_argument("--max-delay", type=float, default=4.0,
                    help="latest kill (default 4.0)")
    ap.add_argument("--kernel", default="kernel/kernel")
    ap.add_argument("--fs", default="fs.img")
    ap.add_argument("--fsck", default="build/tools/fsck")
    ap.add_argument("--fscat", default="build/tools/fscat")
    ap.add_argument("--work", default="build/crashtest")
    args = ap.parse_args(argv)
    try:
        args.cpu_list = [int(c) for c in args.cpus.split()]
    except ValueError:
        ap.error("--cpus takes numbers: %r" % args.cpus)
    if args.crashes < 1 or not args.cpu_list or min(args.cpu_list) < 1:
        ap.error("--crashes and every CPU count must be at least 1")
    if not 0 <= args.min_delay <= args.max_delay:
        ap.error("need 0 <= --min-delay <= --max-delay")
    for path in (args.kernel, args.fs, args.fsck, args.fscat):
        if not os.path.isfile(path):
            ap.error("%s not found (make kernel/kernel fs.img build/tools/fsck "
                     "build/tools/fscat)" % path)
    if args.seed is None:
        args.seed = int(time.time()) % 100000
    return args


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    rng = random.Random(args.seed)
    print("crashtest: %d crashes at CPUS %s, seed %d" % (args.crashes, args.cpus, args.seed),
          flush=True)
    failed = seen = replayed = reclaimed = waited = 0
    began = time.monotonic()
    for i in range(args.crashes):
        cpus = args.cpu_list[i % len(args.cpu_list)]
        seed = rng.randrange(1 << 30)
        delay = rng.uniform(args.min_delay, args.max_delay)
        cut = rng.uniform(0.1, 1.2) if i % 3 == 2 else None
        crash = Crash(args, i, cpus, seed, delay, cut)
        what = "crash %d (CPUS=%d, crashwriter %d, killed after %.2f s%s)" % (
            i, cpus, seed, delay, "" if cut is None else ", again %.2f s into recovery" % cut)
        try:
            files, installed, orphans = crash.run()
        except (CrashFailed, OSError) as e:   # OSError: a tool that cannot be run
            failed += 1
            print("FAILED %s: %s" % (what, e), flush=True)
            continue
        finally:
            waited += crash.waited
        crash.clean_up()
        seen += files
        replayed += installed > 0
        reclaimed += orphans
        print("ok %s: %d files closed; recovery installed %d log blocks; %d orphans "
              "reclaimed" % (what, files, installed, orphans), flush=True)
    if seen == 0:
        failed += 1
        print("FAILED: no crash saw a close before its kill, so no file was checked")
    print("crashtest: %d crashes, %d failed; %d recoveries installed a committed log; "
          "%d orphans reclaimed; %d closed files checked; %.0f s (%d s of it waiting for "
          "a QEMU slot)" % (args.crashes, failed, replayed, reclaimed, seen,
                            time.monotonic() - began, waited))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
