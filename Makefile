# faultline: one Makefile for the kernel, the user programs, the file system image and the
# host tools. `make help` lists the targets.

.DEFAULT_GOAL := all

# ---- Tools ------------------------------------------------------------------------------

# The RISC-V cross toolchain: Debian's gcc-riscv64-unknown-elf, or another prefix if set.
TOOLPREFIX ?= $(shell for p in riscv64-unknown-elf- riscv64-linux-gnu- riscv64-elf-; do \
                 if command -v $${p}gcc >/dev/null 2>&1; then echo $$p; break; fi; done)
# Not installed yet: `make deps` will install Debian's, which uses this prefix.
ifeq ($(TOOLPREFIX),)
TOOLPREFIX = riscv64-unknown-elf-
endif
CC      = $(TOOLPREFIX)gcc
LD      = $(TOOLPREFIX)ld
OBJDUMP = $(TOOLPREFIX)objdump
OBJCOPY = $(TOOLPREFIX)objcopy
QEMU   ?= qemu-system-riscv64
HOSTCC ?= cc
PYTHON ?= python3

CPUS ?= 3

# Kernel and user code: freestanding, position-dependent, every warning an error.
CFLAGS  = -Wall -Werror -O2 -fno-omit-frame-pointer -ggdb -gdwarf-2 -MD
CFLAGS += -mcmodel=medany -mno-relax -ffreestanding -fno-common -nostdlib
CFLAGS += -fno-stack-protector -fno-pie -no-pie -I.
# Keep gcc from turning the loops inside memset and memmove into calls to themselves.
CFLAGS += -fno-tree-loop-distribute-patterns
ASFLAGS = $(CFLAGS)
LDFLAGS = -z max-page-size=4096 --no-warn-rwx-segments

# Host tools: plain C, sanitizers in tests.
HOSTCFLAGS ?= -Wall -Werror -O2 -g -I.

# ---- Kernel -----------------------------------------------------------------------------

KERNEL_SRCS = $(wildcard kernel/*.c) $(wildcard tracing/*.c)
KERNEL_ASM  = $(wildcard kernel/*.S)
# entry.o must come first: QEMU jumps to the start of the image.
KERNEL_OBJS = kernel/entry.o $(filter-out kernel/entry.o,$(KERNEL_ASM:.S=.o)) $(KERNEL_SRCS:.c=.o)

kernel/kernel: $(KERNEL_OBJS) kernel/kernel.ld
	$(LD) $(LDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS)
	$(OBJDUMP) -S $@ > kernel/kernel.asm

kernel/%.o: kernel/%.S
	$(CC) $(ASFLAGS) -c -o $@ $<

# The emit path runs for every trace record: no frame pointer, so that its fast path
# needs no stack frame at all (nothing there can panic and want a backtrace).
tracing/emit.o: CFLAGS += -fomit-frame-pointer

# The same kernel with every trace point compiled out (FAULTLINE_NO_TRACE), for measuring
# what tracing costs when it is off. Objects go to build/notrace/.
NOTRACE_OBJS = $(addprefix build/notrace/,$(KERNEL_OBJS))

kernel/kernel-notrace: $(NOTRACE_OBJS) kernel/kernel.ld
	$(LD) $(LDFLAGS) -T kernel/kernel.ld -o $@ $(NOTRACE_OBJS)

build/notrace/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFAULTLINE_NO_TRACE -c -o $@ $<

build/notrace/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c -o $@ $<

# ---- User programs ----------------------------------------------------------------------

# Every user/*.c is a program except the library files.
ULIB_SRCS = user/ulib.c user/printf.c user/umalloc.c user/tracemark.c user/vmtracectl.c
ULIB      = $(ULIB_SRCS:.c=.o) user/usys.o
UPROG_SRCS = $(filter-out $(ULIB_SRCS),$(wildcard user/*.c))
UPROGS     = $(patsubst user/%.c,user/_%,$(UPROG_SRCS))
# Where the unstripped programs are: the converter names fault pcs from them.
SYMBOL_DIRS ?= user

# System call stubs come from the one list of numbers in kernel/syscall.h.
user/usys.S: kernel/syscall.h tools/gen-usys.sh
	sh tools/gen-usys.sh kernel/syscall.h > $@

user/usys.o: user/usys.S
	$(CC) $(ASFLAGS) -c -o $@ $<

user/_%: user/%.o $(ULIB) user/user.ld
	$(LD) $(LDFLAGS) -T user/user.ld -o $@ $< $(ULIB)

# Keep every intermediate (objects, the unstripped programs gdb wants): nothing is
# rebuilt just because make deleted it.
.SECONDARY:

# ---- Host tools and the file system image ---------------------------------------------

tools/mkfs: tools/mkfs.c kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h
	$(HOSTCC) $(HOSTCFLAGS) -o $@ tools/mkfs.c

HOST_TOOLS = tools/mkfs

# The trace tools (converter, checkers, generator) and their tests.
# ELF symbols and DWARF lines for the converter (pc -> function, file:line); before
# tools.mk, whose converter links them.
include tools/symbols/symbols.mk
include tools/tools.mk
# The converter's fault attribution tests.
include tools/convert/attrib.mk
# make open: serve a timeline to ui.perfetto.dev.
include tools/open/open.mk
# The kernel fuzzers (system calls, trace devices).
include tools/fuzz.mk
# The tracer's benchmark and drop test.
include tools/bench.mk
# Eager against lazy: benchmark, figures, report.
include tools/analysis.mk
# The stress matrix (make stress).
include tools/stress.mk

# The image gets copies without debug information (a third of the size); user/_NAME
# keeps it for gdb.
IMGPROGS = $(patsubst user/_%,user/img/_%,$(UPROGS))

user/img/_%: user/_%
	@mkdir -p user/img
	$(OBJCOPY) --strip-debug $< $@

fs.img: tools/mkfs README.md $(IMGPROGS)
	tools/mkfs $@ README.md $(IMGPROGS)

# ---- Running ----------------------------------------------------------------------------

# tools/qemu-run.py is the one place QEMU's command line is put together: make qemu uses
# it too, in --interactive mode.
RUNNER = $(PYTHON) tools/qemu-run.py --qemu "$(QEMU)" --cpus $(CPUS) --kernel kernel/kernel --fs fs.img

# ---- Recording ------------------------------------------------------------------------

WORKLOAD ?=
POLICY ?= lazy
ICOUNT ?=
ICOUNT_SHIFT ?= 3
# RECORD_ARGS: more flags for `vmtrace record` ("-b 16 -w 0"); AFTER: a guest command run
# once the recording is done ("vmtrace stat").
RECORD_ARGS ?=
AFTER ?=
QEMU_TRACE = $(PYTHON) tools/qemu-trace.py --cpus $(CPUS) --policy $(POLICY) \
             $(foreach d,$(SYMBOL_DIRS),--symbols $(d)) --kernel-symbols kernel/kernel \
             $(if $(ICOUNT),--icount $(ICOUNT_SHIFT)) \
             $(if $(RECORD_ARGS),--record-args "$(RECORD_ARGS)") \
             $(if $(AFTER),--after "$(AFTER)")

# Boot, record the workload (default: lazytests, then usertests), convert to Perfetto JSON.
qemu-trace: deps kernel/kernel fs.img $(HOST_TOOLS)
	$(QEMU_TRACE) --split $(if $(WORKLOAD),"$(WORKLOAD)",lazytests usertests)

.PHONY: all deps deps-test qemu qemu-trace test-trace qemu-gdb test test-host test-kernel clean help

all: deps kernel/kernel fs.img $(HOST_TOOLS)

# Install missing packages (Debian), or say which to install.
deps:
	@sh tools/deps.sh build

# TRACE=1: the shell runs under the recorder until `halt` (or ^D, then halt); the
# session is then converted to traces/session.json.
ifeq ($(TRACE),1)
qemu: deps kernel/kernel fs.img $(HOST_TOOLS)
	@mkdir -p traces
	$(RUNNER) --interactive --hostlink traces/session.vmt "vmtrace record -- sh"
	tools/vmtcheck -q traces/session.vmt
	tools/vmtrace2perfetto $(foreach d,$(SYMBOL_DIRS),--symbols $(d)) --kernel-symbols kernel/kernel \
	  traces/session.vmt -o traces/session.json
	@echo "traces/session.json: open it in https://ui.perfetto.dev"
else
qemu: deps kernel/kernel fs.img
	$(RUNNER) --interactive
endif

GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)
qemu-gdb: kernel/kernel fs.img
	@echo "*** Now run: gdb-multiarch kernel/kernel -ex 'target remote :$(GDBPORT)'"
	$(RUNNER) --interactive --extra "-S -gdb tcp::$(GDBPORT)"

# ---- Tests ------------------------------------------------------------------------------

test: deps-test test-host test-analysis test-kernel test-fuzz-short test-trace

# Tracing end to end on real recordings (tools/tests/trace_e2e.sh), and drops with
# tiny rings (tools/tests/trace-drops.sh).
test-trace: kernel/kernel fs.img $(HOST_TOOLS) tools/node_modules/.package-lock.json
	CPUS=$(CPUS) PYTHON="$(PYTHON)" NM="$(TOOLPREFIX)nm" sh tools/tests/trace_e2e.sh
	$(MAKE) --no-print-directory test-trace-drops

deps-test:
	@sh tools/deps.sh test

test-host: $(HOST_TOOLS) test-tools test-symbols test-attrib test-open
	$(PYTHON) tools/test_qemu_run.py

# The kernel suites at the default CPU count and on a single hart (tools/test-kernel.sh).
TEST_CPUS ?= $(CPUS) 1

test-kernel: kernel/kernel fs.img
	QEMU="$(QEMU)" PYTHON="$(PYTHON)" sh tools/test-kernel.sh $(TEST_CPUS)

clean:
	rm -rf build user/img test-logs
	rm -f kernel/*.o kernel/*.d kernel/kernel kernel/kernel-notrace kernel/kernel.asm \
	      tracing/*.o tracing/*.d \
	      user/*.o user/*.d user/_* user/usys.S fs.img $(HOST_TOOLS) *.log

help:
	@echo "make               build the kernel, fs.img and the host tools"
	@echo "make qemu-trace    record lazytests and usertests, convert to traces/*.json"
	@echo "                   (WORKLOAD=\"CMD ARGS\" CPUS=N POLICY=eager|lazy ICOUNT=1"
	@echo "                   RECORD_ARGS=\"-b 16 -w 0\" AFTER=\"vmtrace stat\")"
	@echo "make qemu          boot with a console (CPUS=$(CPUS)); TRACE=1 records the session"
	@echo "make qemu-gdb      same, stopped for gdb"
	@echo "make open TRACE=traces/NAME.json  serve it to ui.perfetto.dev, print the link"
	@echo "make test          host tests, analysis check, kernel suites, tracing end to end"
	@echo "make test-trace-drops  drops with tiny rings are counted and reported"
	@echo "make stress        suites at 1, 2, 4, 8 harts, out of memory on every hart"
	@echo "                   traced, storms into tiny rings (long; STRESS_ARGS=--eager)"
	@echo "make bench         eager against lazy benchmark into analysis/data/"
	@echo "make analysis      figures from analysis/data/ into analysis/figures/"
	@echo "make bench-trace   what tracing costs; make bench-converter: converter speed"
	@echo "make fuzz-converter  libFuzzer on the converter (FUZZ_SECONDS=N)"
	@echo "make fuzz-symbols  libFuzzer on the ELF/DWARF symbol reader (FUZZ_SECONDS=N)"
	@echo "make clean         remove everything built"

-include kernel/*.d user/*.d tracing/*.d $(NOTRACE_OBJS:.o=.d)
