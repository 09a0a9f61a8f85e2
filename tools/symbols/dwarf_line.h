// The line tables of an ELF file's .debug_line (DWARF 2 to 5 line-number programs, as
// gcc and binutils emit them), run into address ranges for pc -> file:line.
#ifndef FAULTLINE_DWARF_LINE_H
#define FAULTLINE_DWARF_LINE_H

#include "tools/symbols/elf_file.h"

struct dl_file {
  const char *dir;         // NULL: the compilation directory (not recorded here)
  const char *name;        // both NUL-terminated inside the file's buffer (checked)
};

struct dl_range {          // [lo, hi) comes from line `line` of file `file`
  uint64_t lo, hi;         // lo first: sorted_lookup.h searches on it
  uint32_t file;           // index into files, or UINT32_MAX if the program named none
  uint32_t line;
};

struct dwarf_lines {
  struct dl_range *range;  // sorted by lo
  size_t n, cap;
  struct dl_file *file;
  size_t nfile, capfile;
};

// 0 with the ranges (none if the file has no .debug_line); -1 with a one-line reason in
// err if a line table is malformed, of an unsupported version, or memory runs out.
int dl_load(struct dwarf_lines *d, const struct elf_file *ef, char *err, size_t errlen);
void dl_free(struct dwarf_lines *d);
// The range holding pc, or NULL.
const struct dl_range *dl_find(const struct dwarf_lines *d, uint64_t pc);

#endif
