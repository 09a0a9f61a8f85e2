# Host trace tools, included by the top-level Makefile:
#   tools/vmtrace2perfetto  recording -> Perfetto JSON (the converter)
#   tools/vmtcheck          recording checker: framing, sequence numbers, counts
#   tools/perfetto_check    trace-event JSON checker: the rules Perfetto and DevTools need
#   tools/vmtgen            synthetic recordings for tests, fuzzing and the benchmark
# Targets: test-tools (part of make test), fuzz-converter, bench-converter.

TOOLS_STD   = -std=c11 -D_POSIX_C_SOURCE=200809L
TOOLS_CFLAGS = $(HOSTCFLAGS) $(TOOLS_STD)
# The test builds: every tool again under AddressSanitizer and UBSan, stopping at the
# first report so a test cannot pass over one.
TOOLS_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TOOLS_ASAN_CFLAGS = -Wall -Werror -O1 -g -I. $(TOOLS_STD) $(TOOLS_SANITIZE)
ASAN_DIR = tools/build-asan

VMT_CORE_SRCS = tools/vmt_codec.c tools/vmt_names.c tools/vmt_reader.c tools/vmt_merge.c \
                tools/vmt_stream.c tools/vmt_summary.c tools/vmt_filter.c
VMT_CONV_SRCS = tools/json_writer.c tools/trace_events.c tools/vmt_procs.c tools/vmt_pages.c \
                tools/vmt_perfetto.c tools/vmt_records.c tools/vmt_counters.c tools/vmt_thin.c \
                tools/vmt_pairs.c tools/vmt_cpus.c tools/vmt_faults.c \
                tools/vmt_convert.c tools/atomic_out.c \
                tools/convert/vmt_symbols.c tools/convert/vmt_attrib.c $(SYMBOLS_SRCS)
PCHECK_SRCS   = tools/json_parse.c tools/pcheck.c tools/pcheck_store.c
TOOLS_HDRS    = $(wildcard tools/*.h tools/tests/*.h tools/convert/*.h) $(SYMBOLS_HDRS) tracing/vmtrace_format.h kernel/types.h \
                kernel/param.h kernel/mempolicy.h

SRCS_vmtrace2perfetto = tools/vmtrace2perfetto.c $(VMT_CORE_SRCS) $(VMT_CONV_SRCS)
SRCS_vmtcheck         = tools/vmtcheck.c $(VMT_CORE_SRCS)
SRCS_vmtgen           = tools/vmtgen.c tools/vmt_codec.c tools/vmt_names.c
SRCS_perfetto_check   = tools/perfetto_check.c $(PCHECK_SRCS)
SRCS_unit_tests       = tools/tests/unit_tests.c tools/tests/test_util.c tools/tests/test_reader.c \
                        tools/tests/test_convert.c tools/tests/test_thin.c tools/tests/test_compact.c \
                        tools/tests/test_pcheck.c $(VMT_CORE_SRCS) $(VMT_CONV_SRCS) $(PCHECK_SRCS)

TRACE_TOOLS = vmtrace2perfetto vmtcheck vmtgen perfetto_check
HOST_TOOLS += $(addprefix tools/,$(TRACE_TOOLS))

# One plain and one sanitized build rule per tool.
define trace_tool_rules
tools/$(1): $$(SRCS_$(1)) $$(TOOLS_HDRS)
	$$(HOSTCC) $$(TOOLS_CFLAGS) -o $$@ $$(SRCS_$(1)) -lm

$(ASAN_DIR)/$(1): $$(SRCS_$(1)) $$(TOOLS_HDRS)
	@mkdir -p $(ASAN_DIR)
	$$(HOSTCC) $$(TOOLS_ASAN_CFLAGS) -o $$@ $$(SRCS_$(1)) -lm
endef
$(foreach t,$(TRACE_TOOLS) unit_tests,$(eval $(call trace_tool_rules,$(t))))

# Chrome DevTools' trace engine, pinned in tools/package-lock.json, for the second parser.
tools/node_modules/.package-lock.json: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error

.PHONY: test-tools fuzz-converter bench-converter clean-tools

# Fuzzing with libFuzzer (clang), seeded with generated recordings and with any real
# recordings in traces/. FUZZ_SECONDS bounds the run; crashes land in tools/build-fuzz/.
FUZZ_SECONDS ?= 60
FUZZCC ?= clang
FUZZ_DIR = tools/build-fuzz
FUZZ_SRCS = tools/fuzz_vmtrace.c $(VMT_CORE_SRCS) $(VMT_CONV_SRCS) $(PCHECK_SRCS)

test-tools: $(addprefix tools/,$(TRACE_TOOLS)) \
            $(addprefix $(ASAN_DIR)/,$(TRACE_TOOLS) unit_tests) \
            tools/node_modules/.package-lock.json $(FUZZ_DIR)/fuzz_vmtrace
	sh tools/tests/run_tests.sh


$(FUZZ_DIR)/fuzz_vmtrace: $(FUZZ_SRCS) $(TOOLS_HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZCC) -Wall -Werror -O1 -g -I. $(TOOLS_STD) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -o $@ $(FUZZ_SRCS) -lm

fuzz-converter: $(FUZZ_DIR)/fuzz_vmtrace tools/vmtgen
	sh tools/tests/fuzz_seeds.sh tools/vmtgen $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_vmtrace -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds

# Throughput and peak memory on a generated recording (figures, not a pass/fail test).
BENCH_EVENTS ?= 10000000
bench-converter: tools/vmtrace2perfetto tools/vmtgen
	sh tools/tests/bench.sh $(BENCH_EVENTS)

clean: clean-tools
clean-tools:
	rm -rf $(ASAN_DIR) $(FUZZ_DIR) tools/build-bench tools/build-test
