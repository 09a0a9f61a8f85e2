# Kernel fuzzing, included by the top-level Makefile. Both run under QEMU through
# tools/fuzz-kernel.sh (which uses tools/qemu-run.py):
#
#   make fuzz-kernel [SEED=1] [N=100000] [CPUS=3] [PROCS=3] [T=SECONDS]
#       user/sysfuzz: N random system calls with hostile arguments, from PROCS worker
#       processes and their children, seeded by SEED (T bounds the time too, in seconds);
#       then `ls` must work. Fails on a panic, a leak of free pages, a wrong answer.
#   make test-fuzz-short
#       a short sysfuzz run, the fuzzer's kernel regression tests and user/tracefuzz
#       (trace-device abuse), under a minute; part of `make test`.

SEED ?= 1
N ?= 100000
PROCS ?= 3
T ?=

FUZZ_KERNEL = sh tools/fuzz-kernel.sh --qemu "$(QEMU)" --cpus $(CPUS)

.PHONY: fuzz-kernel test-fuzz-short

fuzz-kernel: kernel/kernel fs.img
	$(FUZZ_KERNEL) --seed $(SEED) --calls $(N) --procs $(PROCS) \
	  $(if $(T),--seconds $(T)) --log fuzz-kernel.log

test-fuzz-short: kernel/kernel fs.img
	$(FUZZ_KERNEL) --short --seed $(SEED) --log fuzz-short.log
