# The host tools, included by the top-level Makefile: what every room shares (flags, where
# binaries go, one plain and one sanitized build rule per tool), then each room's own
# fragment. tools/README.md lists the rooms.
#
# Binaries go to build/tools/ (plain) and build/tools/asan/ (AddressSanitizer + UBSan,
# the builds the tests run); test scratch to build/tools/test/.
# Targets: test-tools (part of make test-host), fuzz-converter, bench-converter.

TOOLS_BUILD  = build/tools
ASAN_DIR     = $(TOOLS_BUILD)/asan
TOOLS_STD    = -std=c11 -D_POSIX_C_SOURCE=200809L
TOOLS_CFLAGS = $(HOSTCFLAGS) $(TOOLS_STD)
# The test builds: every tool again under AddressSanitizer and UBSan, stopping at the
# first report so a test cannot pass over one.
TOOLS_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TOOLS_ASAN_CFLAGS = -Wall -Werror -O1 -g -I. $(TOOLS_STD) $(TOOLS_SANITIZE)

TOOLS_HDRS = $(wildcard tools/*/*.h tools/*/tests/*.h) tracing/vmtrace_format.h \
             kernel/types.h kernel/param.h kernel/mempolicy.h

include tools/mkfs/mkfs.mk
# The ELF/DWARF reader before the converter, which links it (SYMBOLS_SRCS).
include tools/symbols/symbols.mk
include tools/convert/convert.mk
include tools/convert/attrib.mk
include tools/report/report.mk
include tools/check/check.mk
include tools/gen/gen.mk
include tools/open/open.mk

# The unit tests of the converter and the checker, one binary (tools/convert/tests/).
SRCS_unit_tests = $(CONVERT_TEST_SRCS) $(CHECK_TEST_SRCS) \
                  $(VMT_CORE_SRCS) $(VMT_CONV_SRCS) $(PCHECK_SRCS)

TRACE_TOOLS = vmtrace2perfetto vmtcheck vmtgen perfetto_check
HOST_TOOLS += $(addprefix $(TOOLS_BUILD)/,$(TRACE_TOOLS))

# One plain and one sanitized build rule per tool.
define trace_tool_rules
$(TOOLS_BUILD)/$(1): $$(SRCS_$(1)) $$(TOOLS_HDRS)
	@mkdir -p $(TOOLS_BUILD)
	$$(HOSTCC) $$(TOOLS_CFLAGS) -o $$@ $$(SRCS_$(1)) -lm

$(ASAN_DIR)/$(1): $$(SRCS_$(1)) $$(TOOLS_HDRS)
	@mkdir -p $(ASAN_DIR)
	$$(HOSTCC) $$(TOOLS_ASAN_CFLAGS) -o $$@ $$(SRCS_$(1)) -lm
endef
$(foreach t,$(TRACE_TOOLS) unit_tests,$(eval $(call trace_tool_rules,$(t))))

.PHONY: test-tools

# Unit tests, then every tool on generated recordings (tools/convert/tests/run-tests.sh).
test-tools: $(addprefix $(TOOLS_BUILD)/,$(TRACE_TOOLS)) \
            $(addprefix $(ASAN_DIR)/,$(TRACE_TOOLS) unit_tests) \
            $(TRACE_ENGINE) $(FUZZ_DIR)/fuzz_vmtrace
	sh tools/convert/tests/run-tests.sh
