// Where the converter finds each program's ELF, and what it does when it cannot trust
// one. A process's pcs are named from the unstripped program it exec'd (found by its
// VMT_EXEC name in the --symbols directories: DIR/_NAME, then DIR/NAME), kernel pcs
// from --kernel-symbols. A program whose ELF is missing, unreadable, stripped or does not
// match the recording (the image size exec reported differs from the ELF's) keeps hex
// addresses, and the converter says so once per program on stderr: never a wrong name.
#ifndef FAULTLINE_VMT_SYMBOLS_H
#define FAULTLINE_VMT_SYMBOLS_H

#include <stdio.h>

#include "kernel/types.h"
#include "tools/symbols/symbols.h"

#define VMT_SYMS_DIRS  8       // --symbols options
#define VMT_SYMS_PROGS 128     // distinct program names remembered
#define VMT_SYMS_NAME  16      // bytes of a VMT_EXEC name

struct vmt_prog_syms {
  char name[VMT_SYMS_NAME + 1];
  int ok;                      // im holds a usable ELF
  int warned;                  // the one warning about this program was given
  uint64 expect_size;          // the image size exec reports for this ELF
  struct sym_image im;
};

struct vmt_syms {
  const char *dir[VMT_SYMS_DIRS];
  unsigned ndirs;
  const char *kernel_path;     // NULL: kernel pcs stay hex
  int kernel_tried, kernel_ok;
  struct sym_image kernel;
  struct vmt_prog_syms *prog;  // VMT_SYMS_PROGS slots, allocated on first use
  unsigned nprog;
  int full_warned;
  uint32 page_size;            // of the recording: sets the expected image size
  FILE *warn;                  // where the one-line warnings go (stderr)
};

// Zeroes s; dirs and the kernel path are then set by the caller (the strings must
// outlive s).
void vmt_syms_init(struct vmt_syms *s, FILE *warn);
// The recording's page size (the converter sets it from the header).
void vmt_syms_page_size(struct vmt_syms *s, uint32 page_size);
int vmt_syms_add_dir(struct vmt_syms *s, const char *dir);   // -1 if too many
void vmt_syms_free(struct vmt_syms *s);

// The image of a user pc for a process running `name` (VMT_SYMS_NAME bytes, NUL-padded)
// that exec reported with image_size bytes (0: unknown, not checked): NULL when pc
// cannot be named (then the caller writes hex).
const struct sym_image *vmt_syms_for(struct vmt_syms *s, const char *name,
                                     uint64 image_size, uint64 pc);
// The kernel's image for a pc the kernel itself ran (never a user pc, even one that
// points into kernel text: a user jump there names no kernel function); NULL if none.
const struct sym_image *vmt_syms_kernel(struct vmt_syms *s, uint64 pc);

#endif
