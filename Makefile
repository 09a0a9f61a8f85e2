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
AR      = $(TOOLPREFIX)ar
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

# Objects go under build/, mirroring the source tree: build/kernel/kernel/proc.o,
# build/kernel/tracing/emit.o. The kernel itself stays at kernel/kernel, where xv6 users
# (and gdb) look for it; its listing is build/kernel.asm.
KERNEL_SRCS = $(wildcard kernel/*.c) $(wildcard tracing/*.c)
KERNEL_ASM  = $(wildcard kernel/*.S)
# entry.o must come first: QEMU jumps to the start of the image.
KERNEL_UNITS = kernel/entry.o $(filter-out kernel/entry.o,$(KERNEL_ASM:.S=.o)) $(KERNEL_SRCS:.c=.o)
KERNEL_OBJS  = $(addprefix build/kernel/,$(KERNEL_UNITS))
# Headers that xv6 programs include too (kernel/vm.h) show their kernel-only part to
# kernel code alone.
KERNEL_ONLY  = -DFAULTLINE_KERNEL

kernel/kernel: $(KERNEL_OBJS) kernel/kernel.ld
	$(LD) $(LDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS)
	$(OBJDUMP) -S $@ > build/kernel.asm

build/kernel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KERNEL_ONLY) -c -o $@ $<

build/kernel/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c -o $@ $<

# The emit path runs for every trace record, the call-chain walk for every traced fault:
# no frame pointer, so that their fast paths need no stack frame at all and keep their
# state in registers (nothing there can panic and want a backtrace).
build/kernel/tracing/emit.o build/kernel/tracing/callchain.o: CFLAGS += -fomit-frame-pointer

# The same kernel with every trace point compiled out (FAULTLINE_NO_TRACE), for measuring
# what tracing costs when it is off. Objects go to build/notrace/.
NOTRACE_OBJS = $(addprefix build/notrace/,$(KERNEL_UNITS))

build/kernel-notrace: $(NOTRACE_OBJS) kernel/kernel.ld
	$(LD) $(LDFLAGS) -T kernel/kernel.ld -o $@ $(NOTRACE_OBJS)

build/notrace/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KERNEL_ONLY) -DFAULTLINE_NO_TRACE -c -o $@ $<

build/notrace/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c -o $@ $<

# ---- User programs ----------------------------------------------------------------------

# user/NAME.c is a program, _NAME (drop a .c into user/ and it is built, as in xv6);
# so is a folder user/NAME/ of .c files, linked together. Two folders are libraries,
# not programs: user/lib/ (the C library, with the system call stubs) and user/testlib/
# (helpers shared by the tests, fuzzers and benchmarks). Both are archives, so that a
# program carries only the members it uses; _main, the entry point (user/user.ld), is
# asked for by name because no program refers to it.
UOUT      = build/user
ULIB      = $(UOUT)/ulib.a
UTESTLIB  = $(UOUT)/testlib.a
ULIB_OBJS = $(patsubst user/%.c,$(UOUT)/%.o,$(wildcard user/lib/*.c)) $(UOUT)/usys.o
UTESTLIB_OBJS = $(patsubst user/%.c,$(UOUT)/%.o,$(wildcard user/testlib/*.c))
UPROG_DIRS = $(sort $(filter-out user/lib/ user/testlib/,$(dir $(wildcard user/*/*.c))))
UPROGS  = $(patsubst user/%.c,$(UOUT)/_%,$(wildcard user/*.c)) \
          $(patsubst user/%/,$(UOUT)/_%,$(UPROG_DIRS))

$(UOUT)/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
# Where the unstripped programs are: the converter names fault pcs from them.
SYMBOL_DIRS ?= $(UOUT)

# System call stubs come from the one list of numbers in kernel/syscall.h.
$(UOUT)/usys.S: kernel/syscall.h tools/setup/gen-usys.sh
	@mkdir -p $(dir $@)
	sh tools/setup/gen-usys.sh kernel/syscall.h > $@

$(UOUT)/usys.o: $(UOUT)/usys.S
	$(CC) $(ASFLAGS) -c -o $@ $<

$(ULIB): $(ULIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(UTESTLIB): $(UTESTLIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

ULINK = $(LD) $(LDFLAGS) -T user/user.ld -u _main -o $@ $(filter %.o,$^) $(UTESTLIB) $(ULIB)

# A one-file program; a folder program is linked from one object per .c in its folder.
$(UOUT)/_%: $(UOUT)/%.o $(UTESTLIB) $(ULIB) user/user.ld
	$(ULINK)

define folder_program
$(UOUT)/_$(1): $(patsubst user/%.c,$(UOUT)/%.o,$(wildcard user/$(1)/*.c)) $(UTESTLIB) $(ULIB) user/user.ld
	$$(ULINK)
endef
$(foreach d,$(UPROG_DIRS),$(eval $(call folder_program,$(patsubst user/%/,%,$(d)))))

# Keep every intermediate (objects, the unstripped programs gdb wants): nothing is
# rebuilt just because make deleted it.
.SECONDARY:

# ---- Host tools and the file system image ---------------------------------------------

HOST_TOOLS =

# The host tools, one room each (tools/README.md): the image builder, the converter, the
# checkers, the generator; binaries in build/tools/.
include tools/tools.mk
# The whole-system tests that boot the kernel: suites, tracing end to end, drops, kernel
# fuzzing, stress, the tracer's benchmark.
include tools/systest/systest.mk
# Eager against lazy: benchmark, figures, report.
include analysis/analysis.mk

# The image gets copies without debug information (a third of the size), in build/fs/;
# build/user/_NAME keeps it for gdb.
IMGPROGS = $(patsubst $(UOUT)/_%,build/fs/_%,$(UPROGS))

build/fs/_%: $(UOUT)/_%
	@mkdir -p build/fs
	$(OBJCOPY) --strip-debug $< $@

# xv6's image has its README as "README", and xv6 programs open it by that name; the
# repository's is README.md, so the image holds it under both names.
fs.img: $(MKFS) README.md $(IMGPROGS)
	$(MKFS) $@ README=README.md README.md $(IMGPROGS)

# ---- Running ----------------------------------------------------------------------------

# tools/qemu/qemu_run.py is the one place QEMU's command line is put together and the one
# place that keeps a third QEMU off the machine: make qemu uses it too, in --interactive mode.
# POLICY=NAME (lazy, eager, faultaround, default; kernel/mempolicy.h): for make qemu and
# qemu-gdb, the sbrk policy of every process of the boot (handed to init through the
# boot arguments); unset, each process gets what it asks for (sbrk eager, sbrklazy
# lazy). For make qemu-trace, the policy the workload runs under (default lazy).
# FORK=NAME (cow, copy; kernel/forkpolicy.h): for make qemu and qemu-gdb, the fork
# policy of every process of the boot; unset, copy-on-write.
POLICY ?=
FORK ?=
RUNNER = $(PYTHON) tools/qemu/qemu_run.py --qemu "$(QEMU)" --cpus $(CPUS) --kernel kernel/kernel --fs fs.img \
         $(if $(POLICY),--policy $(POLICY)) $(if $(FORK),--fork-policy $(FORK))

# ---- Recording ------------------------------------------------------------------------

WORKLOAD ?=
ICOUNT ?=
ICOUNT_SHIFT ?= 3
# RECORD_ARGS: more flags for `vmtrace record` ("-b 16 -w 0"); AFTER: a guest command run
# once the recording is done ("vmtrace stat").
RECORD_ARGS ?=
AFTER ?=
QEMU_TRACE = $(PYTHON) tools/qemu/qemu_trace.py --cpus $(CPUS) --policy $(or $(POLICY),lazy) \
             $(foreach d,$(SYMBOL_DIRS),--symbols $(d)) --kernel-symbols kernel/kernel \
             $(if $(ICOUNT),--icount $(ICOUNT_SHIFT)) \
             $(if $(RECORD_ARGS),--record-args "$(RECORD_ARGS)") \
             $(if $(AFTER),--after "$(AFTER)")

# Boot, record the workload (default: lazytests, then usertests), convert to Perfetto JSON.
qemu-trace: deps kernel/kernel fs.img $(HOST_TOOLS)
	$(QEMU_TRACE) --split $(if $(WORKLOAD),"$(WORKLOAD)",lazytests usertests)

.PHONY: all deps deps-test qemu qemu-trace qemu-gdb test test-host clean help

all: deps kernel/kernel fs.img $(HOST_TOOLS)

# Install missing packages (Debian), or say which to install.
deps:
	@sh tools/setup/deps.sh build

# TRACE=1: the shell runs under the recorder until `halt` (or ^D, then halt); the
# session is then converted to traces/session.json.
ifeq ($(TRACE),1)
qemu: deps kernel/kernel fs.img $(HOST_TOOLS)
	@mkdir -p traces
	$(RUNNER) --interactive --hostlink traces/session.vmt "vmtrace record -- sh"
	$(TOOLS_BUILD)/vmtcheck -q traces/session.vmt
	$(TOOLS_BUILD)/vmtrace2perfetto $(foreach d,$(SYMBOL_DIRS),--symbols $(d)) \
	  --kernel-symbols kernel/kernel traces/session.vmt -o traces/session.json
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

test: deps-test test-host test-analysis test-kernel test-crash test-fuzz-short test-trace

deps-test:
	@sh tools/setup/deps.sh test

# The host tools' tests (tools/tools.mk), the Python record reader's and the recording
# checkers' (on hand-made recordings), then the QEMU runner's self-test and the
# recording script's per-test counts (no QEMU).
test-host: $(HOST_TOOLS) test-tools test-symbols test-attrib test-report test-flame test-open
	$(PYTHON) tracing/test_vmtrace_format.py
	$(PYTHON) tools/systest/tests/test_recording_checkers.py
	$(PYTHON) tools/qemu/tests/test_qemu_run.py
	$(PYTHON) tools/qemu/tests/test_qemu_trace.py
	HOSTCC="$(HOSTCC)" sh tools/mkfs/tests/image-tests.sh
	HOSTCC="$(HOSTCC)" sh tools/mkfs/tests/fsck-tests.sh

clean:
	rm -rf build
	rm -f kernel/kernel fs.img

help:
	@echo "make               build the kernel, fs.img and the host tools"
	@echo "make qemu-trace    record lazytests and usertests, convert to traces/*.json"
	@echo "                   (WORKLOAD=\"CMD ARGS\" CPUS=N POLICY=lazy|eager|faultaround|default ICOUNT=1"
	@echo "                   RECORD_ARGS=\"-b 16 -w 0\" AFTER=\"vmtrace stat\")"
	@echo "make qemu          boot with a console (CPUS=$(CPUS)); TRACE=1 records the session;"
	@echo "                   POLICY=lazy|eager|faultaround: every process's sbrk policy;"
	@echo "                   FORK=copy|cow: every process's fork policy"
	@echo "make qemu-gdb      same, stopped for gdb"
	@echo "make open TRACE=traces/NAME.json  serve it to ui.perfetto.dev, print the link"
	@echo "make flame FOLDED=traces/NAME.folded  redraw its flame graph (OUT=FILE.svg)"
	@echo "make test          host tests, analysis check, kernel suites, a few crashes,"
	@echo "                   tracing end to end"
	@echo "make crashtest     power cuts at random moments, then fsck and read-back"
	@echo "                   (CRASHES=60, at 1 and 3 harts)"
	@echo "make test-trace-drops  drops with tiny rings are counted and reported"
	@echo "make stress        suites at 1, 2, 4, 8 harts, out of memory on every hart"
	@echo "                   traced, storms into tiny rings, 60 crashes (long;"
	@echo "                   STRESS_ARGS=--eager)"
	@echo "make bench         eager against lazy, copy-on-write against copying fork: analysis/data/"
	@echo "make analysis      figures from analysis/data/ into analysis/figures/"
	@echo "make bench-trace   what tracing costs; make bench-converter: converter speed"
	@echo "make bench-disk    disk-bound tests at 1 hart against 2 (the idle loop's cost)"
	@echo "make fuzz-converter  libFuzzer on the converter (FUZZ_SECONDS=N)"
	@echo "make fuzz-symbols  libFuzzer on the ELF/DWARF symbol reader (FUZZ_SECONDS=N)"
	@echo "make open TRACE=traces/NAME.json  serve a timeline and print its ui.perfetto.dev link"
	@echo "make clean         remove everything built"

-include $(KERNEL_OBJS:.o=.d) $(NOTRACE_OBJS:.o=.d) $(ULIB_OBJS:.o=.d) $(UTESTLIB_OBJS:.o=.d) \
         $(wildcard $(UOUT)/*.d $(UOUT)/*/*.d)
