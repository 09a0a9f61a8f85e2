// An ELF64 little-endian RISC-V executable held in memory: its header, section table and
// loaded extent, checked once so that every section handed out lies inside the buffer.
// Only what symbol lookup needs is read; nothing is written.
#ifndef FAULTLINE_ELF_FILE_H
#define FAULTLINE_ELF_FILE_H

#include <stddef.h>
#include <stdint.h>

struct elf_section {
  const uint8_t *data;     // inside the file's buffer; NULL for SHT_NOBITS or absent
  uint64_t size;           // bytes at data
  uint64_t addr;           // where it is loaded (0 if not)
  uint32_t type, link;
  uint64_t flags;
};

struct elf_file {
  const uint8_t *buf;      // the whole file (the caller keeps it alive)
  size_t size;
  const uint8_t *shdrs;    // section header table, shnum entries of shentsize
  uint32_t shnum, shentsize;
  const char *shstr;       // section name strings
  uint64_t shstr_size;
  uint64_t text_lo, text_hi;   // executable sections span [text_lo, text_hi); 0, 0 if none
  uint64_t load_end;           // highest vaddr + memsz of a PT_LOAD segment
};

// Checks buf as an ELF64 LE RISC-V file. 0, or -1 with a one-line reason in err.
int elf_open(struct elf_file *ef, const uint8_t *buf, size_t size, char *err, size_t errlen);
// Section i (0 <= i < shnum); -1 if its bytes do not lie inside the file.
int elf_section_at(const struct elf_file *ef, uint32_t i, struct elf_section *s);
// The section called name; -1 if absent or out of bounds.
int elf_section_named(const struct elf_file *ef, const char *name, struct elf_section *s);

#endif
