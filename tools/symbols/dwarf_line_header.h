// Internal to the .debug_line reader: one unit's header (dwarf_line_header.c) as the
// line-number program (dwarf_line.c) needs it.
#ifndef FAULTLINE_DWARF_LINE_HEADER_H
#define FAULTLINE_DWARF_LINE_HEADER_H

#include "tools/symbols/byte_cursor.h"
#include "tools/symbols/dwarf_line.h"

struct dl_strs {                // string sections v5 file tables may point into
  struct elf_section line_str, str;
};

struct dl_unit {
  unsigned version;
  int off64;                    // 64-bit DWARF: section offsets are 8 bytes
  uint8_t min_inst, default_is_stmt, line_range, opcode_base;
  int8_t line_base;
  uint8_t std_len[256];         // arguments of standard opcode i
  size_t file0;                 // the unit's first entry in the files array
  size_t nfiles;                // entries it has there (define_file adds more)
  struct cur program;           // the line-number program
};

// Reads the unit at sec (advancing sec past it): header and file table, files appended
// to d. 0, or -1 with a reason in err.
int dl_read_unit(struct dwarf_lines *d, struct cur *sec, const struct dl_strs *strs,
                 struct dl_unit *u, char *err, size_t errlen);
// Appends a file entry; -1 if out of memory.
int dl_add_file(struct dwarf_lines *d, const char *dir, const char *name);

#endif
