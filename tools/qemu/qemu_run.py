#!/usr/bin/env python3
"""Boot faultline in QEMU without a terminal, type commands at its shell, check the output.

    python3 tools/qemu/qemu_run.py [--qemu BIN] [--cpus N] [--kernel kernel/kernel]
                              [--fs fs.img] [--keep-fs] [--hostlink FILE]
                              [--icount SHIFT] [--policy NAME] [--fork-policy NAME]
                              [--mem SIZE] [--interactive]
                              [--extra "QEMU ARGS"]
                              [--timeout SECONDS] [--expect TEXT]... [--log FILE]
                              [--kill-after SECONDS] COMMAND...

The machine boots on a copy of the file-system image (so a run leaves fs.img as it
was; --keep-fs boots on the image itself). Once the shell prints its prompt, each
COMMAND is typed followed by a newline, and the next one waits for the prompt to come
back. Then `halt` powers the machine off. The console is copied to stdout as it arrives
and to the --log file. --policy NAME boots with the sbrk policy NAME (a name from
kernel/mempolicy.h: lazy, eager, faultaround, default) for every process: QEMU passes
"policy=NAME" in the device tree's boot arguments, and the kernel gives it to init.
--fork-policy NAME does the same for the fork policy (kernel/forkpolicy.h: cow, copy),
as "fork=NAME". --mem SIZE is the machine's RAM (QEMU's -m: a number of MiB or GiB,
such as 256M or 1G; default 128M); the kernel reads it from the device tree and uses
up to 1 GiB of it.

--kill-after SECONDS pulls the plug instead: SECONDS after the last COMMAND is typed
(after QEMU starts if there is none: a cut during boot), without waiting for a prompt, QEMU gets
SIGKILL, as a power cut would stop the machine; whatever QEMU had written to the image
file stays there (with --keep-fs, in the image itself). The console output QEMU wrote
before it died is still read. A kill is the expected end, not a failure; a panic, a
FAILED line, a missing --expect or QEMU exiting before the kill still fail the run.

The run fails, with a non-zero exit status and one line on stderr saying why, if:
  - it takes longer than --timeout seconds in all;
  - the word "panic" appears on the console;
  - a console line contains "FAILED" (usertests' per-test and summary lines);
  - an --expect TEXT never appeared on the console;
  - QEMU exits before the commands are done, or with a non-zero status.

Exit status: 0 passed, 1 failed, 2 could not start (bad arguments, missing files),
130 interrupted (Ctrl-C, SIGTERM, SIGHUP).
QEMU is killed on every way out, including Ctrl-C.

Never a third QEMU: the machine is shared, and every script that boots QEMU (the test
suites, the trace tests, the fuzzers, the benchmarks, make qemu) does it through this
runner, which waits before starting one while two are running (wait_for_slot). The wait
does not count against --timeout.

Standard library only; Linux or another POSIX system.
"""

import argparse
import codecs
import fcntl
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROMPT = "$ "
PANIC_RE = re.compile(r"\bpanic\b", re.IGNORECASE)
FAILED_RE = re.compile(r"FAILED")
# After a panic, keep reading this long so the message and anything after it show.
PANIC_GRACE = 1.0
# After `halt`, how long QEMU may take to exit.
HALT_GRACE = 15.0
# A prompt at the very end of the output counts once the console has been quiet this
# long (a program may print "$ " in the middle of its output; the shell's prompt is the
# last thing before it waits for input).
PROMPT_QUIET = 0.3

# At most this many QEMUs on the machine, counting every user's; the rest wait.
MAX_QEMUS = 2
SLOT_POLL = 1.0         # seconds between looks while waiting for a slot
# Runners that start at the same moment take turns through this lock, so that two of
# them cannot both see one QEMU running and both start theirs.
SLOT_LOCK = os.path.join(tempfile.gettempdir(), "faultline-qemu-slot.lock")


class RunFailed(Exception):
    """The run failed; the message is the one line that says why."""


class Console:
    """The QEMU process, its console output so far, and the checks made on it."""

    def __init__(self, proc, log):
        self.proc = proc
        self.log = log
        self.fd = proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.text = ""            # all output so far, '\r' removed
        self.checked = 0          # text[:checked] has been searched for FAILED lines
        self.panic_at = None      # time a panic was first seen
        self.failures = []        # FAILED lines seen
        self.last_data = time.monotonic()
        self.eof = False
        # Bytes to text across reads, so a character split between two reads survives.
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def _show(self, data):
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except (BrokenPipeError, ValueError):
            pass  # nobody is reading stdout; the log and the verdict still work
        if self.log:
            self.log.write(data)
            self.log.flush()

    def _scan(self):
        if self.panic_at is None and PANIC_RE.search(self.text, max(0, self.checked - 16)):
            self.panic_at = time.monotonic()
        # FAILED is checked on complete lines only.
        end = self.text.rfind("\n") + 1
        if end > self.checked:
            for line in self.text[self.checked:end].splitlines():
                if FAILED_RE.search(line):
                    self.failures.append(line.strip())
            self.checked = end

    def pump(self, timeout):
        """Wait up to timeout seconds for output and take in whatever arrived."""
        if self.eof:
            time.sleep(min(timeout, 0.05))
            return
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        if not data:
            self.eof = True
            return
        self._show(data)
        self.text += self.decoder.decode(data).replace("\r", "")
        self.last_data = time.monotonic()
        self._scan()

    def finish(self):
        """At the end: check the last line too, even without a newline after it."""
        tail = self.text[self.checked:]
        if FAILED_RE.search(tail):
            self.failures.append(tail.strip())
        self.checked = len(self.text)

    def type(self, line):
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise RunFailed("QEMU stopped reading its console input")

    def prompt_after(self, start):
        """Has the shell printed its prompt since text position start?"""
        tail = self.text[start:]
        if "\n" + PROMPT in tail or (start == 0 and tail.startswith(PROMPT)):
            return True
        return tail.endswith(PROMPT) and time.monotonic() - self.last_data >= PROMPT_QUIET


class Run:
    def __init__(self, console, deadline):
        self.c = console
        self.deadline = deadline

    def check(self, waiting_for):
        """Fail now for what cannot be waited out: a panic, QEMU gone, the timeout."""
        c = self.c
        if c.panic_at is not None and time.monotonic() - c.panic_at >= PANIC_GRACE:
            raise RunFailed("kernel panic: " + panic_line(c.text))
        if c.eof or c.proc.poll() is not None:
            # Take in the last of the output first.
            drain_until = time.monotonic() + 2.0
            while not c.eof and time.monotonic() < drain_until:
                c.pump(0.1)
            if c.panic_at is not None:
                raise RunFailed("kernel panic: " + panic_line(c.text))
            code = c.proc.wait()
            raise RunFailed("QEMU exited (status %d) while waiting for %s" % (code, waiting_for))
        if time.monotonic() >= self.deadline:
            raise RunFailed("timed out while waiting for %s" % waiting_for)

    def wait_prompt(self, start, what):
        while not self.c.prompt_after(start):
            self.check(what)
            self.c.pump(min(0.1, max(0.0, self.deadline - time.monotonic())))
        # A panic right after the prompt is still a panic.
        self.check(what)

    def kill_after(self, seconds):
        """Let the machine run seconds more, then SIGKILL QEMU and read what it wrote."""
        kill_at = time.monotonic() + seconds
        while time.monotonic() < kill_at:
            self.check("the moment to kill QEMU")
            self.c.pump(min(0.05, max(0.0, kill_at - time.monotonic())))
        self.check("the moment to kill QEMU")
        self.c.proc.send_signal(signal.SIGKILL)
        self.c.proc.wait()
        while not self.c.eof:
            self.c.pump(0.1)
        if self.c.panic_at is not None:
            raise RunFailed("kernel panic: " + panic_line(self.c.text))

    def wait_exit(self, grace):
        limit = min(self.deadline, time.monotonic() + grace)
        c = self.c
        while not c.eof:
            if c.panic_at is not None and time.monotonic() - c.panic_at >= PANIC_GRACE:
                raise RunFailed("kernel panic: " + panic_line(c.text))
            if time.monotonic() >= limit:
                if limit == self.deadline:
                    raise RunFailed("timed out while waiting for QEMU to power off")
                raise RunFailed("QEMU did not power off within %.0f s of halt" % grace)
            c.pump(0.1)
        try:
            code = c.proc.wait(timeout=max(0.1, limit - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise RunFailed("QEMU closed its console but did not exit")
        if c.panic_at is not None:
            raise RunFailed("kernel panic: " + panic_line(c.text))
        if code != 0:
            raise RunFailed("QEMU exited with status %d" % code)


def summary(failures):
    """The one FAILED line that says most: usertests' summary if it got that far."""
    for line in failures:
        if "SOME TESTS FAILED" in line:
            return line
    more = len(failures) - 1
    return failures[0] + (" (and %d more)" % more if more else "")


def panic_line(text):
    m = PANIC_RE.search(text)
    if not m:
        return "(no message)"
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    return text[start:end if end >= 0 else len(text)].strip()


def qemu_command(args, fs_path):
    cmd = [args.qemu,
           "-machine", "virt", "-bios", "none",
           "-kernel", args.kernel,
           "-m", args.mem, "-smp", str(args.cpus), "-nographic",
           "-global", "virtio-mmio.force-legacy=false",
           "-drive", "file=%s,if=none,format=raw,id=fsdisk" % fs_path,
           "-device", "virtio-blk-device,drive=fsdisk,bus=virtio-mmio-bus.0"]
    if args.hostlink:
        # The host link (kernel/hostlink.c): a virtio console in slot 1 writing to a file.
        cmd += ["-chardev", "file,id=hostlink,path=%s" % args.hostlink,
                "-device", "virtio-serial-device,bus=virtio-mmio-bus.1",
                "-device", "virtconsole,chardev=hostlink"]
    if args.icount is not None:
        # Virtual time counts instructions (2^shift ns each), and every hart runs on one
        # host thread, so computation is timed the same whatever the host's load.
        # sleep=on lets idle time follow the host clock: with sleep=off, idle harts
        # warp to the next timer while QEMU's disk I/O still runs in real time, and
        # 30 s of virtual time can pass during one disk read.
        cmd += ["-icount", "shift=%d,sleep=on" % args.icount]
    words = []
    if args.policy:
        words.append("policy=%s" % args.policy)
    if args.fork_policy:
        words.append("fork=%s" % args.fork_policy)
    if words:
        cmd += ["-append", " ".join(words)]
    cmd += shlex.split(args.extra)
    return cmd


def policy_names(header="mempolicy.h", prefix="MEMPOLICY"):
    """The policies' names, from PREFIX_NAMES in kernel/HEADER: the sbrk policies by
    default, the fork policies with ("forkpolicy.h", "FORKPOLICY")."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                        "kernel", header)
    with open(path) as f:
        return re.findall(r'\[%s_\w+\]\s*=\s*"(\w+)"' % prefix, f.read())


def fork_policy_names():
    """The fork policies' names, from FORKPOLICY_NAMES in kernel/forkpolicy.h."""
    return policy_names("forkpolicy.h", "FORKPOLICY")


def running_qemus(proc_dir="/proc"):
    """How many processes named qemu-system-* are running (any user's)."""
    count = 0
    for pid in os.listdir(proc_dir):
        if not pid.isdigit():
            continue
        try:
            with open(os.path.join(proc_dir, pid, "comm")) as f:
                count += f.read().startswith("qemu-system")
        except OSError:
            pass            # gone since listdir, or not ours to read
    return count


def wait_for_slot(qemu, say_waiting, count=running_qemus):
    """Wait until fewer than MAX_QEMUS QEMUs run, then hold the slot lock. Returns the
    lock file (or None): the caller starts QEMU and then closes it (an exec closes it
    too). A binary not named qemu-system-* (the self-test's stand-in) is no QEMU: no
    wait."""
    if not os.path.basename(qemu).startswith("qemu-system"):
        return None
    began = time.monotonic()
    try:
        lock = os.fdopen(os.open(SLOT_LOCK, os.O_WRONLY | os.O_CREAT, 0o666), "w")
        fcntl.flock(lock, fcntl.LOCK_EX)
    except OSError:
        lock = None     # another user's lock file: still count, without taking turns
    said = False
    while count() >= MAX_QEMUS:
        if not said:
            say_waiting("waiting: %d QEMUs are running, never a third" % MAX_QEMUS)
            said = True
        time.sleep(SLOT_POLL)
    if said:    # scripts that time their runs take this off (tools/systest/test-kernel.sh)
        say_waiting("waited %d s for a QEMU slot" % round(time.monotonic() - began))
    return lock


def death_signal_setup():
    """A function for Popen's preexec_fn that makes QEMU die with this runner, even if
    the runner is killed with SIGKILL and gets no chance to clean up. Linux only;
    elsewhere None (and the finally in main() is all there is)."""
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return None
    PR_SET_PDEATHSIG = 1

    def setup():
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    return setup


def stop(proc):
    """Make sure QEMU is gone."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Boot faultline headless, run shell commands, check the console.")
    ap.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-riscv64"),
                    help="QEMU binary (default: $QEMU or qemu-system-riscv64)")
    ap.add_argument("--cpus", type=int, default=3, help="harts (default 3)")
    ap.add_argument("--kernel", default="kernel/kernel", help="kernel ELF (default kernel/kernel)")
    ap.add_argument("--fs", default="fs.img", help="file-system image (default fs.img)")
    ap.add_argument("--keep-fs", action="store_true",
                    help="boot on the image itself instead of a copy, keeping any changes")
    ap.add_argument("--hostlink", metavar="FILE",
                    help="attach the host link; what the guest writes to /dev/hostlink lands in FILE")
    ap.add_argument("--icount", type=int, metavar="SHIFT",
                    help="repeatable virtual time: one instruction = 2^SHIFT ns (e.g. 3)")
    ap.add_argument("--policy", metavar="NAME",
                    help="the sbrk policy of every process of the boot (%s)" %
                         ", ".join(policy_names()))
    ap.add_argument("--fork-policy", metavar="NAME",
                    help="the fork policy of every process of the boot (%s)" %
                         ", ".join(fork_policy_names()))
    ap.add_argument("--mem", default="128M", metavar="SIZE",
                    help="the machine's RAM, in MiB or GiB (e.g. 256M, 1G; default 128M)")
    ap.add_argument("--interactive", action="store_true",
                    help="boot with the console on this terminal (make qemu), on the "
                         "image itself; any COMMANDs are typed at the first prompt")
    ap.add_argument("--extra", default="", help="more QEMU arguments, one shell-quoted string")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds for the whole run (default 300)")
    ap.add_argument("--expect", action="append", default=[], metavar="TEXT",
                    help="text that must appear on the console (may be repeated)")
    ap.add_argument("--log", help="also write the console to this file")
    ap.add_argument("--kill-after", type=float, metavar="SECONDS",
                    help="SIGKILL QEMU this long after typing the last COMMAND, or after "
                         "starting it if there is none (a power cut), instead of waiting "
                         "for the prompt and halting")
    ap.add_argument("commands", nargs="*", metavar="COMMAND",
                    help="shell command lines to type, in order")
    args = ap.parse_args(argv)
    if args.cpus < 1:
        ap.error("--cpus must be at least 1")
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    if args.policy is not None and args.policy not in policy_names():
        ap.error("--policy %s: not an sbrk policy (%s)" % (args.policy, ", ".join(policy_names())))
    if args.fork_policy is not None and args.fork_policy not in fork_policy_names():
        ap.error("--fork-policy %s: not a fork policy (%s)" %
                 (args.fork_policy, ", ".join(fork_policy_names())))
    if not re.fullmatch(r"[1-9][0-9]*[MG]", args.mem):
        ap.error("--mem %s: not a size in MiB or GiB (such as 256M or 1G)" % args.mem)
    if args.kill_after is not None and (args.kill_after < 0 or args.interactive):
        ap.error("--kill-after must be at least 0, and is not for --interactive")
    for c in args.commands:
        if "\n" in c:
            ap.error("a COMMAND may not contain a newline: %r" % c)
    return args


def interactive_with_commands(cmd, commands, slot):
    """Boot with the console on this terminal, type commands at the first prompt, then
    hand the keyboard over. slot: wait_for_slot's lock, closed once QEMU runs. Returns
    QEMU's exit status."""
    import termios
    import tty
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, preexec_fn=death_signal_setup())
    if slot:
        slot.close()
    stdin_fd, out_fd = sys.stdin.fileno(), proc.stdout.fileno()
    saved = termios.tcgetattr(stdin_fd) if os.isatty(stdin_fd) else None
    if saved:
        tty.setraw(stdin_fd)   # keys go to faultline's console as typed (^P, ^U, ^D)
    seen, typed = b"", False
    try:
        while True:
            ready, _, _ = select.select([stdin_fd, out_fd], [], [])
            if out_fd in ready:
                data = os.read(out_fd, 4096)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
                seen = (seen + data)[-64:]
                if not typed and seen.endswith(PROMPT.encode()):
                    proc.stdin.write("".join(c + "\n" for c in commands).encode())
                    proc.stdin.flush()
                    typed = True
            if stdin_fd in ready:
                data = os.read(stdin_fd, 1024)
                if not data or b"\x01x" in data:   # end of input, or QEMU's ^A x
                    break
                proc.stdin.write(data)
                proc.stdin.flush()
    finally:
        if saved:
            termios.tcsetattr(stdin_fd, termios.TCSADRAIN, saved)
        stop(proc)
    return proc.returncode or 0


def say(msg, log):
    line = "qemu-run: %s\n" % msg
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass
    sys.stderr.write(line)
    sys.stderr.flush()
    if log:
        log.write(line.encode())
        log.flush()


def host_loaded():
    """Whether the host's cores are busy enough that QEMU's threads will share one."""
    return os.getloadavg()[0] > (os.cpu_count() or 1) - 1


def main(argv):
    args = parse_args(argv)
    for path, what in ((args.kernel, "kernel"), (args.fs, "file-system image")):
        if not os.path.isfile(path):
            say("FAIL: %s %s not found" % (what, path), None)
            return 2
    if shutil.which(args.qemu) is None:
        say("FAIL: QEMU binary %s not found" % args.qemu, None)
        return 2
    if args.icount is not None and args.cpus == 2:
        say("warning: --icount with 2 harts freezes about one boot in seven on QEMU 7.2 "
            "(README.md, Time); 1 hart does not, 3 only on a loaded host", None)
    elif args.icount is not None and args.cpus > 2 and host_loaded():
        say("warning: --icount with several harts can freeze on QEMU 7.2 when QEMU "
            "shares a host core (load average %.1f on %d cores; README.md, Time)"
            % (os.getloadavg()[0], os.cpu_count() or 1), None)

    if args.interactive:
        cmd = qemu_command(args, args.fs)
        slot = wait_for_slot(args.qemu, lambda msg: say(msg, None))
        if not args.commands:
            os.execvp(cmd[0], cmd)      # the lock is close-on-exec: QEMU holds the slot
        return interactive_with_commands(cmd, args.commands, slot)

    # SIGTERM and SIGHUP end the run the same way Ctrl-C does, through the finally below.
    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    log = open(args.log, "wb") if args.log else None
    tmpdir = None
    proc = None
    console = None
    slot = None
    try:
        slot = wait_for_slot(args.qemu, lambda msg: say(msg, log))
        start = time.monotonic()
        fs_path = args.fs
        if not args.keep_fs:
            tmpdir = tempfile.mkdtemp(prefix="qemu-run-")
            fs_path = os.path.join(tmpdir, "fs.img")
            shutil.copyfile(args.fs, fs_path)
        cmd = qemu_command(args, fs_path)
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT,
                                    preexec_fn=death_signal_setup(),
                                    start_new_session=True)  # Ctrl-C reaches us, not QEMU
        except OSError as e:
            say("FAIL: cannot start %s: %s" % (args.qemu, e), log)
            return 2
        finally:
            if slot:
                slot.close()    # QEMU runs (or failed to start): the next may look

        console = Console(proc, log)
        run = Run(console, start + args.timeout)
        if args.commands or args.kill_after is None:
            run.wait_prompt(0, "the first shell prompt")
        for i, command in enumerate(args.commands):
            mark = len(console.text)
            console.type(command)
            if args.kill_after is None or i + 1 < len(args.commands):
                run.wait_prompt(mark, "the prompt after %r" % command)
        if args.kill_after is None:
            console.type("halt")
            run.wait_exit(HALT_GRACE)
        else:
            run.kill_after(args.kill_after)

        console.finish()
        if console.failures:
            raise RunFailed("failure reported: %s" % summary(console.failures))
        missing = [t for t in args.expect if t not in console.text]
        if missing:
            raise RunFailed("expected text never appeared: %r" % missing[0])
        say("PASS (%d command%s, %.1f s%s)" % (
            len(args.commands), "" if len(args.commands) == 1 else "s",
            time.monotonic() - start,
            "" if args.kill_after is None else ", QEMU killed as planned"), log)
        return 0
    except RunFailed as e:
        msg = str(e)
        if console is not None and console.failures and not msg.startswith("failure"):
            msg += " (after: %s)" % summary(console.failures)
        say("FAIL: " + msg, log)
        return 1
    except KeyboardInterrupt:
        say("FAIL: interrupted", log)
        return 130
    finally:
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a 2nd Ctrl-C must not skip this
        stop(proc)
        signal.signal(signal.SIGINT, old_int)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if log:
            log.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
