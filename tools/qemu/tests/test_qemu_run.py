#!/usr/bin/env python3
"""Self-test for tools/qemu/qemu_run.py: does it fail when it should, and clean up?

    python3 tools/qemu/tests/test_qemu_run.py [-v]

No QEMU needed. Each test writes a "scenario" (a JSON list of steps) where the runner
expects the kernel, and points --qemu at a fake QEMU (written to a temporary directory)
that plays the scenario on its console: print text, wait for a typed line, sleep, exit.
The fake checks that the runner types only after a prompt, records its arguments and
its pid, and can write to the disk image, so the tests can also check that no fake QEMU
outlives the runner and that fs.img is left alone unless --keep-fs is given.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "qemu_run.py")

# The fake QEMU. Steps:
#   ["print", TEXT]       write TEXT to the console
#   ["prompt"]            write "$ ", then insist nothing is typed before it
#   ["line", TEXT]        read one typed line; it must be TEXT
#   ["sleep", SECONDS]
#   ["exit", CODE]
#   ["hang"]              sleep forever
#   ["ignore_term"]       ignore SIGTERM from now on
#   ["disk", TEXT]        write TEXT at the start of the -drive file
# It records its argv and pid in files named by $FAKE_ARGS and $FAKE_PID, and when
# SIGTERM ends it, it says so in the file $FAKE_PID.term (the runner stopped it itself,
# rather than the parent-death signal doing it when the runner exited).
FAKE_QEMU = r'''
import json, os, select, signal, sys, time

args = sys.argv[1:]
with open(os.environ["FAKE_ARGS"], "w") as f:
    json.dump(args, f)
with open(os.environ["FAKE_PID"], "w") as f:
    f.write(str(os.getpid()))

def on_term(signum, frame):
    open(os.environ["FAKE_PID"] + ".term", "w").close()
    os._exit(143)
signal.signal(signal.SIGTERM, on_term)

kernel = args[args.index("-kernel") + 1]
drive = [a for a in args if a.startswith("file=")][0].split(",")[0][len("file="):]
steps = json.load(open(kernel))
out = sys.stdout.buffer
stdin = sys.stdin.buffer.raw
pending = b""

def typed_early():
    # Anything typed while the guest is still producing output is a runner bug.
    r, _, _ = select.select([stdin], [], [], 0)
    return bool(r)

def read_line():
    global pending
    while b"\n" not in pending:
        data = os.read(stdin.fileno(), 4096)
        if not data:
            sys.exit(5)
        pending += data
    line, pending = pending.split(b"\n", 1)
    return line.decode()

for step in steps:
    op = step[0]
    if op == "print":
        if typed_early() or pending:
            out.write(b"\nfake: typed before the prompt\n"); out.flush(); sys.exit(4)
        out.write(step[1].encode()); out.flush()
    elif op == "prompt":
        out.write(b"$ "); out.flush()
    elif op == "line":
        got = read_line()
        if got != step[1]:
            out.write(("\nfake: expected %r, got %r\n" % (step[1], got)).encode())
            out.flush(); sys.exit(3)
        out.write((got + "\n").encode()); out.flush()   # the console echoes input
    elif op == "sleep":
        time.sleep(step[1])
    elif op == "exit":
        sys.exit(step[1])
    elif op == "hang":
        while True:
            time.sleep(60)
    elif op == "ignore_term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif op == "disk":
        with open(drive, "r+b") as f:
            f.write(step[1].encode())
'''

BOOT = [["print", "faultline kernel is booting\ninit: starting sh\n"], ["prompt"]]


def usertests_ok():
    return BOOT + [["line", "usertests"],
                   ["print", "test a: OK\nALL TESTS PASSED\n"], ["prompt"],
                   ["line", "halt"], ["exit", 0]]


def alive(pid):
    """Is pid a live process (not gone, not a zombie)?"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="test-qemu-run-")
        d = self.tmp.name
        self.qemu = os.path.join(d, "fake-qemu")
        with open(self.qemu, "w") as f:
            f.write("#!%s\n%s" % (sys.executable, FAKE_QEMU))
        os.chmod(self.qemu, 0o755)
        self.kernel = os.path.join(d, "kernel")
        self.fs = os.path.join(d, "fs.img")
        with open(self.fs, "wb") as f:
            f.write(b"\0" * 4096)
        self.args_file = os.path.join(d, "args.json")
        self.pid_file = os.path.join(d, "pid")
        self.env = dict(os.environ, FAKE_ARGS=self.args_file, FAKE_PID=self.pid_file)

    def tearDown(self):
        pid = self.fake_pid()
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGKILL)
            self.fail("fake QEMU %d was left running" % pid)
        self.tmp.cleanup()

    def scenario(self, steps):
        with open(self.kernel, "w") as f:
            json.dump(steps, f)

    def command(self, *extra, timeout=20):
        return [sys.executable, RUNNER, "--qemu", self.qemu, "--kernel", self.kernel,
                "--fs", self.fs, "--timeout", str(timeout)] + list(extra)

    def run_runner(self, steps, *extra, timeout=20):
        self.scenario(steps)
        r = subprocess.run(self.command(*extra, timeout=timeout), env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def fake_pid(self):
        try:
            with open(self.pid_file) as f:
                return int(f.read())
        except (FileNotFoundError, ValueError):
            return None

    def assert_fake_gone(self):
        pid = self.fake_pid()
        self.assertIsNotNone(pid, "the fake QEMU never started")
        for _ in range(40):
            if not alive(pid):
                return
            time.sleep(0.05)
        self.fail("fake QEMU %d still running after the runner exited" % pid)

    def assert_fails(self, rc, err, why):
        self.assertEqual(rc, 1, "runner should fail; stderr: %s" % err)
        lines = [l for l in err.splitlines() if l.startswith("qemu-run: FAIL")]
        self.assertEqual(len(lines), 1, "expected one FAIL line in: %r" % err)
        self.assertIn(why, lines[0])
        self.assert_fake_gone()

    def assert_runner_stopped_fake(self):
        self.assertTrue(os.path.exists(self.pid_file + ".term"),
                        "the runner did not stop the fake QEMU itself")

    # ---- passing runs ----------------------------------------------------------------

    def test_pass(self):
        rc, out, err = self.run_runner(usertests_ok(), "--expect", "ALL TESTS PASSED",
                                       "usertests")
        self.assertEqual(rc, 0, err)
        self.assertIn("qemu-run: PASS", err)
        self.assertIn("ALL TESTS PASSED", out)   # the console reaches stdout
        self.assert_fake_gone()

    def test_commands_wait_for_prompt(self):
        steps = BOOT + [["line", "one"], ["print", "working\n"], ["sleep", 0.5],
                        ["print", "still working\n"], ["prompt"],
                        ["line", "two"], ["print", "done\n"], ["prompt"],
                        ["line", "halt"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "one", "two")
        self.assertEqual(rc, 0, out + err)

    def test_prompt_after_partial_line(self):
        # Output without a final newline, so the prompt shares its line.
        steps = BOOT + [["line", "x"], ["print", "no newline"], ["prompt"],
                        ["line", "halt"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "x")
        self.assertEqual(rc, 0, out + err)

    def test_log_file(self):
        log = os.path.join(self.tmp.name, "run.log")
        rc, out, err = self.run_runner(usertests_ok(), "--log", log, "usertests")
        self.assertEqual(rc, 0, err)
        with open(log) as f:
            text = f.read()
        self.assertIn("ALL TESTS PASSED", text)
        self.assertIn("qemu-run: PASS", text)

    def test_qemu_arguments(self):
        rc, out, err = self.run_runner(usertests_ok(), "--cpus", "2",
                                       "--extra", "-icount 'shift=3,sleep=on'",
                                       "usertests")
        self.assertEqual(rc, 0, err)
        with open(self.args_file) as f:
            args = json.load(f)
        joined = " ".join(args)
        for want in ("-machine virt", "-bios none", "-kernel " + self.kernel, "-m 128M",
                     "-smp 2", "-nographic", "-global virtio-mmio.force-legacy=false",
                     "-device virtio-blk-device,drive=fsdisk,bus=virtio-mmio-bus.0",
                     "-icount shift=3,sleep=on"):
            self.assertIn(want, joined)
        drive = [a for a in args if a.startswith("file=")][0]
        self.assertNotIn(self.fs, drive, "booted on fs.img itself, not a copy")
        self.assertTrue(drive.endswith(",if=none,format=raw,id=fsdisk"))

    def test_policy_goes_to_the_boot_arguments(self):
        rc, out, err = self.run_runner(usertests_ok(), "--policy", "lazy", "usertests")
        self.assertEqual(rc, 0, err)
        with open(self.args_file) as f:
            args = json.load(f)
        self.assertIn("-append policy=lazy", " ".join(args))
        rc, out, err = self.run_runner(usertests_ok(), "usertests")
        with open(self.args_file) as f:
            self.assertNotIn("-append", json.load(f), "no --policy, yet boot arguments")

    def test_fork_policy_goes_to_the_boot_arguments(self):
        rc, out, err = self.run_runner(usertests_ok(), "--fork-policy", "copy", "usertests")
        self.assertEqual(rc, 0, err)
        with open(self.args_file) as f:
            self.assertIn("-append fork=copy", " ".join(json.load(f)))
        rc, out, err = self.run_runner(usertests_ok(), "--policy", "eager",
                                       "--fork-policy", "cow", "usertests")
        self.assertEqual(rc, 0, err)
        with open(self.args_file) as f:
            self.assertIn("-append policy=eager fork=cow", " ".join(json.load(f)))

    def test_unknown_fork_policy_refused(self):
        rc, out, err = self.run_runner(usertests_ok(), "--fork-policy", "lazy", "usertests")
        self.assertEqual(rc, 2)
        self.assertIn("--fork-policy lazy: not a fork policy (cow, copy)", err)
        self.assertIsNone(self.fake_pid(), "QEMU started for a bad --fork-policy")

    def test_unknown_policy_refused(self):
        rc, out, err = self.run_runner(usertests_ok(), "--policy", "lazzy", "usertests")
        self.assertEqual(rc, 2)
        self.assertIn("--policy lazzy: not an sbrk policy (lazy, eager, faultaround, default)",
                      err)
        self.assertIsNone(self.fake_pid(), "QEMU started for a bad --policy")

    def test_mem_goes_to_qemu(self):
        rc, out, err = self.run_runner(usertests_ok(), "--mem", "256M", "usertests")
        self.assertEqual(rc, 0, err)
        with open(self.args_file) as f:
            args = json.load(f)
        self.assertIn("-m 256M", " ".join(args))
        self.assertEqual(args.count("-m"), 1, "more than one -m")

    def test_bad_mem_refused(self):
        for bad in ("256", "0M", "256MB", "1.5G", "2T", "M"):
            rc, out, err = self.run_runner(usertests_ok(), "--mem", bad, "usertests")
            self.assertEqual(rc, 2, bad)
            self.assertIn("--mem %s: not a size in MiB or GiB" % bad, err)
            self.assertIsNone(self.fake_pid(), "QEMU started for --mem " + bad)

    def test_icount_two_harts_warns(self):
        rc, out, err = self.run_runner(usertests_ok(), "--cpus", "2", "--icount", "3",
                                       "usertests")
        self.assertEqual(rc, 0, err)
        self.assertIn("warning: --icount with 2 harts", err)
        # One hart never freezes (3 warn only on a loaded host, which a test cannot fix).
        rc, out, err = self.run_runner(usertests_ok(), "--cpus", "1", "--icount", "3",
                                       "usertests")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("warning", err)

    def test_fs_copy_and_keep(self):
        steps = BOOT + [["disk", "DIRTY"], ["line", "halt"], ["exit", 0]]
        rc, out, err = self.run_runner(steps)
        self.assertEqual(rc, 0, err)
        with open(self.fs, "rb") as f:
            self.assertEqual(f.read(5), b"\0" * 5, "the image was changed without --keep-fs")
        with open(self.args_file) as f:
            drive = [a for a in json.load(f) if a.startswith("file=")][0]
        copy = drive.split(",")[0][len("file="):]
        self.assertFalse(os.path.exists(copy), "the temporary copy was left behind")

        rc, out, err = self.run_runner(steps, "--keep-fs")
        self.assertEqual(rc, 0, err)
        with open(self.fs, "rb") as f:
            self.assertEqual(f.read(5), b"DIRTY", "--keep-fs did not use the image itself")

    def test_kill_after(self):
        # A power cut: QEMU gets SIGKILL (not SIGTERM) while the command still runs, the
        # image keeps what was written, and the output before the kill is read.
        steps = BOOT + [["line", "crashwriter 7"], ["disk", "WRITTEN"],
                        ["print", "cw: closed /k.0 10 abc keep\n"], ["hang"]]
        start = time.monotonic()
        rc, out, err = self.run_runner(steps, "--keep-fs", "--kill-after", "0.5",
                                       "--expect", "cw: closed", "crashwriter 7")
        self.assertEqual(rc, 0, err)
        self.assertIn("QEMU killed as planned", err)
        self.assertIn("cw: closed /k.0", out)
        self.assertLess(time.monotonic() - start, 10)
        self.assert_fake_gone()
        self.assertFalse(os.path.exists(self.pid_file + ".term"),
                         "QEMU got SIGTERM, a chance to shut down: not a power cut")
        with open(self.fs, "rb") as f:
            self.assertEqual(f.read(7), b"WRITTEN")

    def test_kill_after_without_commands(self):
        # Without commands the clock starts with QEMU: the cut may come before any prompt
        # (during boot, in the middle of recovery). Two seconds, not 0.3: the fake QEMU is
        # a Python program whose start alone took longer than 0.3 s on a loaded machine.
        steps = [["print", "log: recovery installed 3 blocks\n"], ["hang"]]
        rc, out, err = self.run_runner(steps, "--kill-after", "2")
        self.assertEqual(rc, 0, err)
        self.assertIn("recovery installed", out)
        self.assert_fake_gone()

    def test_kill_after_panic(self):
        steps = BOOT + [["line", "crashwriter 7"], ["print", "panic: ilock: no type\n"],
                        ["hang"]]
        rc, out, err = self.run_runner(steps, "--kill-after", "0.3", "crashwriter 7")
        self.assert_fails(rc, err, "kernel panic: panic: ilock: no type")

    def test_kill_after_failed_line(self):
        steps = BOOT + [["line", "crashwriter 7"],
                        ["print", "crashwriter: FAILED write to /k.1\n"], ["hang"]]
        rc, out, err = self.run_runner(steps, "--kill-after", "0.3", "crashwriter 7")
        self.assert_fails(rc, err, "crashwriter: FAILED write to /k.1")

    def test_kill_after_qemu_gone_first(self):
        steps = BOOT + [["line", "crashwriter 7"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "--kill-after", "5", "crashwriter 7")
        self.assert_fails(rc, err, "while waiting for the moment to kill QEMU")

    # ---- failing runs ----------------------------------------------------------------

    def test_panic(self):
        steps = BOOT + [["line", "usertests"], ["print", "test a: OK\n"],
                        ["print", "panic: kfree: not a page\n"], ["hang"]]
        rc, out, err = self.run_runner(steps, "usertests")
        self.assert_fails(rc, err, "kernel panic: panic: kfree: not a page")
        self.assert_runner_stopped_fake()

    def test_panic_split_across_reads(self):
        steps = BOOT + [["line", "usertests"], ["print", "pan"], ["sleep", 0.3],
                        ["print", "ic: remap\n"], ["hang"]]
        rc, out, err = self.run_runner(steps, "usertests")
        self.assert_fails(rc, err, "panic: remap")

    def test_panic_then_qemu_exits(self):
        steps = BOOT + [["line", "usertests"], ["print", "panic: ouch\n"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "usertests")
        self.assert_fails(rc, err, "kernel panic: panic: ouch")

    def test_failed_test_line(self):
        steps = BOOT + [["line", "usertests"],
                        ["print", "test a: OK\ntest b: FAILED (broken)\n"
                                  "SOME TESTS FAILED: b\n"],
                        ["prompt"], ["line", "halt"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "--expect", "SOME", "usertests")
        self.assert_fails(rc, err, "SOME TESTS FAILED: b")

    def test_failed_line_without_summary(self):
        steps = BOOT + [["line", "usertests"], ["print", "test b: FAILED (broken)\n"],
                        ["prompt"], ["line", "halt"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "usertests")
        self.assert_fails(rc, err, "test b: FAILED (broken)")

    def test_failed_on_last_line(self):
        # The very last output, with no newline after it.
        steps = BOOT + [["line", "halt"], ["print", "test z: FAILED (late)"], ["exit", 0]]
        rc, out, err = self.run_runner(steps)
        self.assert_fails(rc, err, "test z: FAILED (late)")

    def test_missing_expect(self):
        rc, out, err = self.run_runner(usertests_ok(), "--expect", "ALL TESTS PASSED",
                                       "--expect", "never printed", "usertests")
        self.assert_fails(rc, err, "never printed")

    def test_timeout_before_prompt(self):
        steps = [["print", "booting\n"], ["hang"]]
        start = time.monotonic()
        rc, out, err = self.run_runner(steps, "usertests", timeout=2)
        self.assert_fails(rc, err, "timed out while waiting for the first shell prompt")
        self.assertLess(time.monotonic() - start, 15)

    def test_timeout_in_command(self):
        steps = BOOT + [["line", "usertests"], ["print", "test a: OK\n"], ["hang"]]
        rc, out, err = self.run_runner(steps, "usertests", timeout=2)
        self.assert_fails(rc, err, "timed out while waiting for the prompt after 'usertests'")
        self.assert_runner_stopped_fake()

    def test_halt_does_not_power_off(self):
        steps = BOOT + [["line", "halt"], ["print", "exec halt failed\n"], ["prompt"],
                        ["hang"]]
        rc, out, err = self.run_runner(steps, timeout=3)
        self.assert_fails(rc, err, "power off")

    def test_qemu_error_status(self):
        steps = BOOT + [["line", "halt"], ["exit", 1]]
        rc, out, err = self.run_runner(steps)
        self.assert_fails(rc, err, "QEMU exited with status 1")

    def test_qemu_exits_early(self):
        steps = BOOT + [["line", "usertests"], ["print", "bye\n"], ["exit", 0]]
        rc, out, err = self.run_runner(steps, "usertests", "second")
        self.assert_fails(rc, err, "QEMU exited (status 0) while waiting for the prompt")

    def test_stubborn_qemu_is_killed(self):
        steps = [["ignore_term"], ["print", "booting\n"], ["hang"]]
        rc, out, err = self.run_runner(steps, timeout=1)
        self.assert_fails(rc, err, "timed out")

    def test_missing_kernel(self):
        r = subprocess.run([sys.executable, RUNNER, "--qemu", self.qemu, "--kernel",
                            os.path.join(self.tmp.name, "nope"), "--fs", self.fs],
                           env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(r.returncode, 2)
        self.assertIn("not found", r.stderr.decode())

    # ---- being stopped ---------------------------------------------------------------

    def start_and_signal(self, sig):
        self.scenario([["print", "booting\n"], ["hang"]])
        # SIGINT as a terminal's ^C delivers it, even when this test runs in the
        # background: a shell without job control starts background commands with
        # SIGINT ignored, and a Python started so never sees it.
        p = subprocess.Popen(self.command(timeout=60), env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        for _ in range(200):
            if self.fake_pid() is not None:
                break
            time.sleep(0.05)
        time.sleep(0.3)   # let the runner get into its wait loop
        p.send_signal(sig)
        out, err = p.communicate(timeout=30)
        return p.returncode, err.decode()

    def test_ctrl_c(self):
        rc, err = self.start_and_signal(signal.SIGINT)
        self.assertNotEqual(rc, 0)
        self.assertIn("interrupted", err)
        self.assert_fake_gone()
        self.assert_runner_stopped_fake()

    def test_sigterm(self):
        rc, err = self.start_and_signal(signal.SIGTERM)
        self.assertNotEqual(rc, 0)
        self.assert_fake_gone()
        self.assert_runner_stopped_fake()

    @unittest.skipUnless(sys.platform.startswith("linux"), "needs PR_SET_PDEATHSIG")
    def test_sigkill(self):
        # No cleanup code runs; the kernel's parent-death signal must end QEMU. (The
        # runner's temporary copy of fs.img is left behind: remove it here.)
        self.start_and_signal(signal.SIGKILL)
        self.assert_fake_gone()
        with open(self.args_file) as f:
            drive = [a for a in json.load(f) if a.startswith("file=")][0]
        copy_dir = os.path.dirname(drive.split(",")[0][len("file="):])
        if os.path.basename(copy_dir).startswith("qemu-run-"):
            shutil.rmtree(copy_dir, ignore_errors=True)


class SlotTest(unittest.TestCase):
    """The "never a third QEMU" rule (qemu_run.wait_for_slot), without any QEMU: the
    count of running QEMUs is played from a list, or read from a made-up /proc."""

    def setUp(self):
        sys.path.insert(0, os.path.dirname(RUNNER))
        import qemu_run
        self.qr = qemu_run
        self.tmp = tempfile.TemporaryDirectory(prefix="test-qemu-slot-")
        self.saved = (qemu_run.SLOT_LOCK, qemu_run.SLOT_POLL)
        qemu_run.SLOT_LOCK = os.path.join(self.tmp.name, "slot.lock")
        qemu_run.SLOT_POLL = 0.01

    def tearDown(self):
        self.qr.SLOT_LOCK, self.qr.SLOT_POLL = self.saved
        self.tmp.cleanup()

    def test_waits_while_two_run(self):
        counts, said = [2, 3, 2, 1], []

        def count():
            return counts.pop(0)
        lock = self.qr.wait_for_slot("/usr/bin/qemu-system-riscv64", said.append, count)
        self.assertIsNotNone(lock)
        lock.close()
        self.assertEqual(counts, [], "it started before a slot was free")
        self.assertEqual(len(said), 2, "it should say once that it waits, once how long")
        self.assertRegex(said[1], r"^waited \d+ s for a QEMU slot$")

    def test_no_wait_with_one_running(self):
        lock = self.qr.wait_for_slot("qemu-system-riscv64", self.fail, lambda: 1)
        lock.close()

    def test_stand_in_is_no_qemu(self):
        self.assertIsNone(self.qr.wait_for_slot("/tmp/fake-qemu", self.fail, lambda: 5))

    def test_count_reads_proc(self):
        proc = os.path.join(self.tmp.name, "proc")
        for pid, comm in (("1", "init"), ("20", "qemu-system-ris"), ("21", "qemu-system-x86"),
                          ("30", "python3"), ("self", "qemu-system-ris")):
            os.makedirs(os.path.join(proc, pid))
            with open(os.path.join(proc, pid, "comm"), "w") as f:
                f.write(comm + "\n")
        os.makedirs(os.path.join(proc, "40"))      # a process gone since listdir
        self.assertEqual(self.qr.running_qemus(proc), 2)


if __name__ == "__main__":
    unittest.main()
