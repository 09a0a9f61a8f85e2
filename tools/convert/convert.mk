# The converter vmtrace2perfetto and the recording library the other tools share,
# included by tools/tools.mk (which holds the build rules).
#   make bench-converter   speed and memory on a generated 10-million-event recording
#                          (BENCH_EVENTS=N; figures, not pass/fail)

# Reading a recording: decode, check, merge by time, expand, filter, summarise (vmtcheck,
# vmtgen and the converter use it).
VMT_CORE_SRCS = $(addprefix tools/convert/,vmt_codec.c vmt_names.c vmt_reader.c \
                  vmt_merge.c vmt_expand.c vmt_stream.c vmt_summary.c vmt_filter.c)
# Turning it into trace-event JSON, naming fault pcs from the programs' ELF files.
VMT_CONV_SRCS = $(addprefix tools/convert/,json_writer.c trace_events.c vmt_procs.c \
                  vmt_pages.c vmt_space.c vmt_shares.c vmt_perfetto.c vmt_records.c vmt_counters.c vmt_thin.c \
                  vmt_tracks.c vmt_pairs.c vmt_cpus.c vmt_faults.c vmt_convert.c atomic_out.c \
                  vmt_symbols.c vmt_attrib.c) $(SYMBOLS_SRCS)

SRCS_vmtrace2perfetto = tools/convert/vmtrace2perfetto.c $(VMT_CORE_SRCS) $(VMT_CONV_SRCS)
CONVERT_TEST_SRCS = $(addprefix tools/convert/tests/,unit_tests.c test_util.c \
                      test_reader.c test_convert.c test_expand.c test_cow.c test_thin.c test_compact.c)

.PHONY: bench-converter

BENCH_EVENTS ?= 10000000
bench-converter: $(TOOLS_BUILD)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen
	sh tools/convert/bench.sh $(BENCH_EVENTS)
