// pc -> function+offset and file:line for one RISC-V ELF executable, read from its
// .symtab and .debug_line (tools/symbols/README.md). The only interface other tools use.
#ifndef FAULTLINE_SYMBOLS_H
#define FAULTLINE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "tools/symbols/dwarf_line.h"
#include "tools/symbols/elf_file.h"
#include "tools/symbols/elf_symtab.h"

#define SYM_FILE_MAX (256u << 20)   // bigger files are refused, not read

struct sym_image {
  uint8_t *buf;                 // the file's bytes, owned
  size_t size;
  struct elf_file elf;
  struct elf_symtab funcs;
  struct dwarf_lines lines;
};

struct sym_loc {
  const char *func;             // NULL when pc is in no function (then nothing else is set)
  uint64_t off;                 // pc - function start
  const char *dir, *file;       // file NULL without line information for pc
  uint32_t line;
};

// 0, or -1 with a one-line reason in err (unreadable, not a RISC-V ELF executable,
// truncated, corrupt symbol or line tables). A file without .symtab loads, but resolves
// nothing: sym_has_funcs says so.
int sym_load_file(struct sym_image *im, const char *path, char *err, size_t errlen);
int sym_load_mem(struct sym_image *im, const void *data, size_t size, char *err,
                 size_t errlen);
void sym_free(struct sym_image *im);
int sym_has_funcs(const struct sym_image *im);

// Fills loc for pc; 0 if pc lies in a function inside the executable sections, -1 if
// not (loc->func is then NULL).
int sym_lookup(const struct sym_image *im, uint64_t pc, struct sym_loc *loc);
// "func+0xoff (dir/file:line)", "func+0xoff" without line information, or the empty
// string (and -1) when pc resolves to nothing. Output is truncated to fit n.
int sym_format(const struct sym_image *im, uint64_t pc, char *buf, size_t n);

#endif
