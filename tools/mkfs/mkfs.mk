# The image tools, included by tools/tools.mk: the file-system image builder
# (tools/mkfs/mkfs.c) and fsfree (tools/mkfs/fsfree.c: an image's free inodes and blocks,
# for the kernel suites' "nothing left behind" check). Tested by tests/image-tests.sh.

$(TOOLS_BUILD)/mkfs: tools/mkfs/mkfs.c kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h
	@mkdir -p $(TOOLS_BUILD)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ tools/mkfs/mkfs.c

$(TOOLS_BUILD)/fsfree: tools/mkfs/fsfree.c kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h
	@mkdir -p $(TOOLS_BUILD)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ tools/mkfs/fsfree.c

MKFS = $(TOOLS_BUILD)/mkfs
FSFREE = $(TOOLS_BUILD)/fsfree
HOST_TOOLS += $(MKFS) $(FSFREE)
