# The generator of synthetic recordings (vmtgen) and the converter's fuzz target,
# included by tools/tools.mk (which holds vmtgen's build rules):
#   make fuzz-converter   libFuzzer on the converter, seeded with generated recordings
#                         and any real ones in traces/ (FUZZ_SECONDS=N); crashes land
#                         in build/tools/fuzz/

SRCS_vmtgen = tools/gen/vmtgen.c tools/convert/vmt_codec.c tools/convert/vmt_names.c \
              tools/convert/vmt_expand.c

FUZZ_SECONDS ?= 60
FUZZCC ?= clang
FUZZ_DIR = $(TOOLS_BUILD)/fuzz
FUZZ_SRCS = tools/gen/fuzz_vmtrace.c $(VMT_CORE_SRCS) $(VMT_CONV_SRCS) $(PCHECK_SRCS)

.PHONY: fuzz-converter

$(FUZZ_DIR)/fuzz_vmtrace: $(FUZZ_SRCS) $(TOOLS_HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZCC) -Wall -Werror -O1 -g -I. $(TOOLS_STD) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -o $@ $(FUZZ_SRCS) -lm

fuzz-converter: $(FUZZ_DIR)/fuzz_vmtrace $(TOOLS_BUILD)/vmtgen
	sh tools/gen/fuzz-seeds.sh $(TOOLS_BUILD)/vmtgen $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_vmtrace -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds
