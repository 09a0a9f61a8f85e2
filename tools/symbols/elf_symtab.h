// The functions of an ELF file's .symtab, sorted by address, for pc -> function + offset:
// STT_FUNC symbols with a size, and code labels without one (assembly such as the
// system-call stubs), which reach to the next symbol or the end of their section.
#ifndef FAULTLINE_ELF_SYMTAB_H
#define FAULTLINE_ELF_SYMTAB_H

#include "tools/symbols/elf_file.h"

struct elf_func {
  uint64_t lo, size;       // lo first: sorted_lookup.h searches on it
  const char *name;        // inside the file's buffer, NUL-terminated (checked)
  int inferred;            // size taken from the next symbol: loses to a sized function
  uint64_t limit;          // (while loading) end of the label's section
};

struct elf_symtab {
  struct elf_func *func;   // sorted by lo
  size_t n;
  uint64_t max_size;       // of any function: bounds the backward search
};

// 0 with the table filled (n may be 0 when the file has no .symtab: stripped); -1 with
// a reason in err when .symtab is malformed or memory runs out.
int symtab_load(struct elf_symtab *t, const struct elf_file *ef, char *err, size_t errlen);
void symtab_free(struct elf_symtab *t);
// The innermost function whose [lo, lo + size) holds pc, or NULL.
const struct elf_func *symtab_find(const struct elf_symtab *t, uint64_t pc);

#endif
