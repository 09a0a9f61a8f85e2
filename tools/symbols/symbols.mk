# tools/symbols: pc -> function+offset and file:line from RISC-V ELF files (README.md).
# Included by tools/tools.mk. The converter links SYMBOLS_SRCS; symresolve is
# the command line the tests drive; test-symbols runs them (part of test-tools).

SYMBOLS_SRCS = tools/symbols/elf_file.c tools/symbols/elf_symtab.c \
               tools/symbols/dwarf_line_header.c tools/symbols/dwarf_line.c \
               tools/symbols/symbols.c
SYMBOLS_HDRS = $(wildcard tools/symbols/*.h)
SYMBOLS_OUT  = build/tools/symbols

$(SYMBOLS_OUT)/symresolve: tools/symbols/symresolve.c $(SYMBOLS_SRCS) $(SYMBOLS_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(TOOLS_CFLAGS) -o $@ tools/symbols/symresolve.c $(SYMBOLS_SRCS)

$(SYMBOLS_OUT)/asan/symresolve: tools/symbols/symresolve.c $(SYMBOLS_SRCS) $(SYMBOLS_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(TOOLS_ASAN_CFLAGS) -o $@ tools/symbols/symresolve.c $(SYMBOLS_SRCS)

$(SYMBOLS_OUT)/fuzz_symbols: tools/symbols/fuzz_symbols.c $(SYMBOLS_SRCS) $(SYMBOLS_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZCC) -Wall -Werror -O1 -g -I. $(TOOLS_STD) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -o $@ tools/symbols/fuzz_symbols.c $(SYMBOLS_SRCS)

# The same user program with DWARF 4 and 5 line tables (the build uses DWARF 2), linked
# with the DWARF 2 library: one file mixing versions.
$(SYMBOLS_OUT)/_lazytests-dwarf%: user/lazytests.c $(UTESTLIB) $(ULIB) user/user.ld
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -gdwarf-2 -MD,$(CFLAGS)) -gdwarf-$* -c -o $@.o user/lazytests.c
	$(LD) $(LDFLAGS) -T user/user.ld -u _main -o $@ $@.o $(UTESTLIB) $(ULIB)

SYMBOLS_USER = $(firstword $(SYMBOL_DIRS))
SYMBOLS_TEST_ELFS = $(SYMBOLS_USER)/_lazytests $(SYMBOLS_USER)/_usertests $(SYMBOLS_USER)/_sh \
                    kernel/kernel \
                    $(SYMBOLS_OUT)/_lazytests-dwarf4 $(SYMBOLS_OUT)/_lazytests-dwarf5

.PHONY: test-symbols fuzz-symbols
test-symbols: $(SYMBOLS_OUT)/asan/symresolve $(SYMBOLS_TEST_ELFS) $(SYMBOLS_OUT)/fuzz_symbols
	$(PYTHON) tools/symbols/tests/check_symbols.py $(SYMBOLS_OUT)/asan/symresolve \
	  $(SYMBOLS_TEST_ELFS)
	OBJCOPY=$(OBJCOPY) sh tools/symbols/tests/fuzz_short.sh $(SYMBOLS_OUT)/fuzz_symbols \
	  $(SYMBOLS_OUT) $(SYMBOLS_TEST_ELFS)

# libFuzzer on the readers, seeded with the real binaries (FUZZ_SECONDS=N).
fuzz-symbols: $(SYMBOLS_OUT)/fuzz_symbols $(SYMBOLS_TEST_ELFS)
	OBJCOPY=$(OBJCOPY) sh tools/symbols/tests/fuzz_short.sh $(SYMBOLS_OUT)/fuzz_symbols \
	  $(SYMBOLS_OUT) $(SYMBOLS_TEST_ELFS) $(FUZZ_SECONDS)
