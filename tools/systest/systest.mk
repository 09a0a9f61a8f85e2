# The whole-system tests that boot the kernel under QEMU (through tools/qemu/qemu_run.py,
# which waits so that there are never more than two QEMUs on the machine), included by
# the top-level Makefile. Console logs and test output go to build/test-logs/.
#
#   make test-kernel        the kernel's suites at CPUS and on one hart (test-kernel.sh)
#   make test-trace         tracing end to end on real recordings (trace-e2e.sh), then
#                           test-trace-drops
#   make test-trace-drops   a fault storm into 16-record rings: every drop counted and
#                           explained in-band (trace-drops.sh)
#   make fuzz-kernel [SEED=1] [N=100000] [CPUS=3] [PROCS=3] [T=SECONDS]
#                           user/sysfuzz: N random system calls with hostile arguments from
#                           PROCS workers, then `ls` must work (fuzz-kernel.sh)
#   make test-fuzz-short    a short sysfuzz run, its regression tests and user/tracefuzz
#                           (trace-device abuse), under a minute; part of `make test`
#   make crashtest [CRASHES=60]
#                           power cuts at random moments while crashwriter writes, at 1
#                           and 3 harts in turn: after each, fsck, a reboot that recovers
#                           and reclaims orphans, fsck again, and every file whose close
#                           was seen holds its bytes (crashtest.py)
#   make test-crash         the same, four crashes; part of `make test`
#   make stress             suites at 1, 2, 4 and 8 harts, out of memory on every hart
#                           recorded, storms into tiny rings, 60 crashes (stress.sh;
#                           STRESS_ARGS="--eager", "--cpus '2 8'", "--no-matrix")
#   make bench-trace        what tracing costs: tracing off, on and compiled out; writes
#                           analysis/data/tracebench.csv (bench-trace.sh; figures, not
#                           pass/fail; BENCH_TRACE_ARGS="--icount -r 5" etc.)
#   make bench-disk         disk-bound usertests at 1 hart against 2: the idle loop's cost
#                           (bench-disk.sh; figures, not pass/fail; BENCH_DISK_ARGS="-r 5")
#   make bench-trap         what a trap costs, before and after the kernel shared the
#                           address space (bench_trap.py; figures, not pass/fail)

TEST_LOGS = build/test-logs
# The kernel suites at the default CPU count and on a single hart.
TEST_CPUS ?= $(CPUS) 1
SEED ?= 1
N ?= 100000
PROCS ?= 3
T ?=
STRESS_ARGS ?=
CRASHES ?= 60
BENCH_TRACE_ARGS ?=
BENCH_DISK_ARGS ?=

FUZZ_KERNEL = sh tools/systest/fuzz-kernel.sh --qemu "$(QEMU)" --cpus $(CPUS)

.PHONY: test-kernel test-trace test-trace-drops fuzz-kernel test-fuzz-short stress bench-trace \
        bench-disk crashtest test-crash

# build/kernel-notrace too, though no suite boots it: it must keep compiling with every
# trace point compiled out (make bench-trace boots it).
test-kernel: kernel/kernel build/kernel-notrace fs.img $(FSFREE)
	QEMU="$(QEMU)" PYTHON="$(PYTHON)" FSFREE=$(FSFREE) sh tools/systest/test-kernel.sh $(TEST_CPUS)

test-trace: kernel/kernel fs.img $(HOST_TOOLS) $(TRACE_ENGINE)
	CPUS=$(CPUS) PYTHON="$(PYTHON)" NM="$(TOOLPREFIX)nm" sh tools/systest/trace-e2e.sh
	$(MAKE) --no-print-directory test-trace-drops

test-trace-drops: kernel/kernel fs.img $(TOOLS_BUILD)/vmtcheck
	PYTHON="$(PYTHON)" sh tools/systest/trace-drops.sh --cpus $(CPUS)

fuzz-kernel: kernel/kernel fs.img
	$(FUZZ_KERNEL) --seed $(SEED) --calls $(N) --procs $(PROCS) \
	  $(if $(T),--seconds $(T)) --log $(TEST_LOGS)/fuzz-kernel.log

test-fuzz-short: kernel/kernel fs.img
	$(FUZZ_KERNEL) --short --seed $(SEED) --log $(TEST_LOGS)/fuzz-short.log

CRASHTEST = $(PYTHON) tools/systest/crashtest.py --cpus "1 3" --fsck $(FSCK) --fscat $(FSCAT)

crashtest: kernel/kernel fs.img $(FSCK) $(FSCAT)
	$(CRASHTEST) --crashes $(CRASHES) --work build/crashtest

test-crash: kernel/kernel fs.img $(FSCK) $(FSCAT)
	$(CRASHTEST) --crashes 4 --work $(TEST_LOGS)/crash

stress: kernel/kernel fs.img $(HOST_TOOLS)
	QEMU="$(QEMU)" PYTHON="$(PYTHON)" sh tools/systest/stress.sh $(STRESS_ARGS)

bench-trace: kernel/kernel build/kernel-notrace fs.img $(TOOLS_BUILD)/vmtcheck
	PYTHON="$(PYTHON)" sh tools/systest/bench-trace.sh --cpus $(CPUS) $(BENCH_TRACE_ARGS)

bench-disk: kernel/kernel fs.img
	QEMU="$(QEMU)" PYTHON="$(PYTHON)" sh tools/systest/bench-disk.sh $(BENCH_DISK_ARGS)

# What a trap costs: trapbench on the kernel before the shared address space and on this
# one, host clock and icount (bench_trap.py; figures, not pass/fail; BENCH_TRAP_ARGS=
# "--before REV --rounds 3").
BENCH_TRAP_ARGS ?=
.PHONY: bench-trap
bench-trap: kernel/kernel fs.img
	QEMU="$(QEMU)" $(PYTHON) tools/systest/bench_trap.py $(BENCH_TRAP_ARGS)
