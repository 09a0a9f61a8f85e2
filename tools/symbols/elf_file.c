// ELF64 header, section and program header checks (the ELF gABI's layouts, read field
// by field through a bounded cursor, so a truncated or lying file is refused, not read
// past).
#include <stdio.h>
#include <string.h>

#include "tools/symbols/byte_cursor.h"
#include "tools/symbols/elf_file.h"

#define EHDR_SIZE   64
#define SHDR_SIZE   64
#define PHDR_SIZE   56
#define EM_RISCV    243
#define ET_EXEC     2
#define PT_LOAD     1
#define SHT_NOBITS  8
#define SHF_ALLOC   0x2
#define SHF_EXEC    0x4

static int refuse(char *err, size_t errlen, const char *why)
{
  snprintf(err, errlen, "%s", why);
  return -1;
}

// A table of n entries of esize bytes at off must lie inside the file.
static int table_fits(size_t size, uint64_t off, uint64_t n, uint64_t esize)
{
  return off <= size && n <= (size - off) / (esize ? esize : 1);
}

static void load_extent(struct elf_file *ef, uint64_t phoff, uint32_t phnum)
{
  for (uint32_t i = 0; i < phnum; i++) {
    struct cur c = cur_make(ef->buf + phoff + (uint64_t)i * PHDR_SIZE, PHDR_SIZE);
    uint32_t type = cur_u32(&c);
    cur_skip(&c, 4 + 8);                  // flags, offset
    uint64_t vaddr = cur_u64(&c);
    cur_skip(&c, 8 + 8);                  // paddr, filesz
    uint64_t memsz = cur_u64(&c);
    if (type == PT_LOAD && vaddr + memsz >= vaddr && vaddr + memsz > ef->load_end)
      ef->load_end = vaddr + memsz;
  }
}

static void text_extent(struct elf_file *ef)
{
  struct elf_section s;
  for (uint32_t i = 0; i < ef->shnum; i++) {
    if (elf_section_at(ef, i, &s) < 0 || (s.flags & (SHF_ALLOC | SHF_EXEC)) !=
        (SHF_ALLOC | SHF_EXEC) || s.size == 0 || s.addr + s.size < s.addr)
      continue;
    if (ef->text_hi == 0 || s.addr < ef->text_lo)
      ef->text_lo = s.addr;
    if (s.addr + s.size > ef->text_hi)
      ef->text_hi = s.addr + s.size;
  }
}

static int read_shstr(struct elf_file *ef, uint32_t shstrndx, char *err, size_t errlen)
{
  struct elf_section s;
  if (shstrndx >= ef->shnum || elf_section_at(ef, shstrndx, &s) < 0 || !s.data ||
      s.size == 0 || s.data[s.size - 1] != 0)
    return refuse(err, errlen, "section name table missing or truncated");
  ef->shstr = (const char *)s.data;
  ef->shstr_size = s.size;
  return 0;
}

int elf_open(struct elf_file *ef, const uint8_t *buf, size_t size, char *err, size_t errlen)
{
  memset(ef, 0, sizeof *ef);
  ef->buf = buf;
  ef->size = size;
  if (size < EHDR_SIZE || memcmp(buf, "\177ELF", 4) != 0)
    return refuse(err, errlen, "not an ELF file");
  if (buf[4] != 2 || buf[5] != 1)
    return refuse(err, errlen, "not a 64-bit little-endian ELF file");
  struct cur c = cur_make(buf + 16, EHDR_SIZE - 16);
  uint16_t type = cur_u16(&c), machine = cur_u16(&c);
  cur_skip(&c, 4 + 8);                    // version, entry
  uint64_t phoff = cur_u64(&c), shoff = cur_u64(&c);
  cur_skip(&c, 4 + 2);                    // flags, ehsize
  uint16_t phentsize = cur_u16(&c), phnum = cur_u16(&c);
  uint16_t shentsize = cur_u16(&c), shnum = cur_u16(&c), shstrndx = cur_u16(&c);
  if (machine != EM_RISCV || type != ET_EXEC)
    return refuse(err, errlen, "not a RISC-V executable");
  if (phnum && (phentsize != PHDR_SIZE || !table_fits(size, phoff, phnum, PHDR_SIZE)))
    return refuse(err, errlen, "program headers truncated or malformed");
  if (shnum == 0)
    return refuse(err, errlen, "no section headers (stripped of sections)");
  if (shentsize != SHDR_SIZE || !table_fits(size, shoff, shnum, SHDR_SIZE))
    return refuse(err, errlen, "section headers truncated or malformed");
  ef->shdrs = buf + shoff;
  ef->shnum = shnum;
  ef->shentsize = shentsize;
  if (read_shstr(ef, shstrndx, err, errlen) < 0)
    return -1;
  load_extent(ef, phoff, phnum);
  text_extent(ef);
  return 0;
}

int elf_section_at(const struct elf_file *ef, uint32_t i, struct elf_section *s)
{
  if (i >= ef->shnum)
    return -1;
  struct cur c = cur_make(ef->shdrs + (uint64_t)i * ef->shentsize, SHDR_SIZE);
  cur_skip(&c, 4);                        // name
  s->type = cur_u32(&c);
  s->flags = cur_u64(&c);
  s->addr = cur_u64(&c);
  uint64_t off = cur_u64(&c);
  s->size = cur_u64(&c);
  s->link = cur_u32(&c);
  s->data = NULL;
  if (s->type == SHT_NOBITS)
    return 0;
  if (off > ef->size || s->size > ef->size - off)
    return -1;
  s->data = ef->buf + off;
  return 0;
}

int elf_section_named(const struct elf_file *ef, const char *name, struct elf_section *s)
{
  size_t n = strlen(name);
  for (uint32_t i = 0; i < ef->shnum; i++) {
    struct cur c = cur_make(ef->shdrs + (uint64_t)i * ef->shentsize, 4);
    uint32_t at = cur_u32(&c);
    if (at >= ef->shstr_size || ef->shstr_size - at <= n)
      continue;                           // name and its NUL must fit
    if (memcmp(ef->shstr + at, name, n + 1) == 0)
      return elf_section_at(ef, i, s);
  }
  return -1;
}
