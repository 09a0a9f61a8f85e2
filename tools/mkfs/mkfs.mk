# The image tools, included by tools/tools.mk: the file-system image builder
# (tools/mkfs/mkfs.c); fsfree (tools/mkfs/fsfree.c: an image's free inodes and blocks,
# for the kernel suites' "nothing left behind" check), fsck (tools/mkfs/fsck.c: is an
# image consistent?) and fscat (tools/mkfs/fscat.c: one file out of an image), which read
# images through tools/mkfs/fsimage.c. Tested by tests/image-tests.sh and
# tests/fsck-tests.sh.

IMAGE_HDRS = kernel/fs.h kernel/param.h kernel/stat.h kernel/types.h

$(TOOLS_BUILD)/mkfs: tools/mkfs/mkfs.c $(IMAGE_HDRS)
	@mkdir -p $(TOOLS_BUILD)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ tools/mkfs/mkfs.c

$(TOOLS_BUILD)/fsfree $(TOOLS_BUILD)/fsck $(TOOLS_BUILD)/fscat: $(TOOLS_BUILD)/%: tools/mkfs/%.c \
    tools/mkfs/fsimage.c tools/mkfs/fsimage.h $(IMAGE_HDRS)
	@mkdir -p $(TOOLS_BUILD)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ tools/mkfs/$*.c tools/mkfs/fsimage.c

MKFS = $(TOOLS_BUILD)/mkfs
FSFREE = $(TOOLS_BUILD)/fsfree
FSCK = $(TOOLS_BUILD)/fsck
FSCAT = $(TOOLS_BUILD)/fscat
HOST_TOOLS += $(MKFS) $(FSFREE) $(FSCK) $(FSCAT)
