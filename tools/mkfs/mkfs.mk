# The file-system image builder (tools/mkfs/mkfs.c), included by tools/tools.mk.

$(TOOLS_BUILD)/mkfs: tools/mkfs/mkfs.c kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h
	@mkdir -p $(TOOLS_BUILD)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ tools/mkfs/mkfs.c

MKFS = $(TOOLS_BUILD)/mkfs
HOST_TOOLS += $(MKFS)
