// .symtab entries are Elf64_Sym (24 bytes): name, info, other, shndx, value, size.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/symbols/byte_cursor.h"
#include "tools/symbols/elf_symtab.h"
#include "tools/symbols/sorted_lookup.h"

#define SYM_SIZE   24
#define STT_NOTYPE 0
#define STT_FUNC   2
#define SHN_UNDEF  0
#define SHN_LORESERVE 0xff00
#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHF_EXEC   0x4

static int by_lo(const void *a, const void *b)
{
  const struct elf_func *x = a, *y = b;
  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  return x->size < y->size ? -1 : x->size > y->size;   // the wider one last
}

static int fail(char *err, size_t errlen, const char *why)
{
  snprintf(err, errlen, "%s", why);
  return -1;
}

// A label without a size counts when it names code: in an executable section, not a
// mapping symbol ($x) or an assembler-local label (.L).
static int code_label(const struct elf_file *ef, uint8_t type, uint16_t shndx,
                      struct elf_func *f)
{
  struct elf_section s;
  if ((type != STT_NOTYPE && type != STT_FUNC) || shndx >= SHN_LORESERVE ||
      elf_section_at(ef, shndx, &s) < 0 || !(s.flags & SHF_EXEC) ||
      s.addr + s.size < s.addr || f->lo < s.addr || f->lo - s.addr >= s.size)
    return 0;
  if (f->name[0] == '$' || strncmp(f->name, ".L", 2) == 0)
    return 0;
  f->inferred = 1;
  f->limit = s.addr + s.size;
  return 1;
}

// Reads one symbol; 1 if it is a function (sized) or a code label (size inferred later).
static int read_func(const struct elf_file *ef, struct cur *c, const struct elf_section *str,
                     struct elf_func *f)
{
  uint32_t name = cur_u32(c);
  uint8_t info = cur_u8(c);
  cur_skip(c, 1);
  uint16_t shndx = cur_u16(c);
  memset(f, 0, sizeof *f);
  f->lo = cur_u64(c);
  f->size = cur_u64(c);
  if (shndx == SHN_UNDEF || f->lo + f->size < f->lo || name >= str->size ||
      !memchr(str->data + name, 0, str->size - name))
    return 0;
  f->name = (const char *)str->data + name;
  if (f->name[0] == 0)
    return 0;
  if (f->size)
    return (info & 0xf) == STT_FUNC;
  return code_label(ef, info & 0xf, shndx, f);
}

// A label reaches to the next symbol at a higher address, or its section's end.
static void infer_sizes(struct elf_symtab *t)
{
  size_t next = 0;
  for (size_t i = 0; i < t->n; i++) {
    struct elf_func *f = &t->func[i];
    if (!f->inferred)
      continue;
    if (next <= i)
      next = i + 1;
    while (next < t->n && t->func[next].lo <= f->lo)
      next++;
    uint64_t end = next < t->n && t->func[next].lo < f->limit ? t->func[next].lo : f->limit;
    f->size = end - f->lo;
  }
}

int symtab_load(struct elf_symtab *t, const struct elf_file *ef, char *err, size_t errlen)
{
  struct elf_section sym, str;
  memset(t, 0, sizeof *t);
  if (elf_section_named(ef, ".symtab", &sym) < 0)
    return 0;                             // stripped: no functions, not an error
  if (sym.type != SHT_SYMTAB || !sym.data || sym.size % SYM_SIZE)
    return fail(err, errlen, ".symtab malformed");
  if (elf_section_at(ef, sym.link, &str) < 0 || str.type != SHT_STRTAB || !str.data)
    return fail(err, errlen, ".symtab's string table missing or truncated");
  size_t n = sym.size / SYM_SIZE;
  t->func = malloc((n ? n : 1) * sizeof *t->func);
  if (!t->func)
    return fail(err, errlen, "out of memory");
  struct cur c = cur_make(sym.data, sym.size);
  for (size_t i = 0; i < n; i++)
    if (read_func(ef, &c, &str, &t->func[t->n]))
      t->n++;
  qsort(t->func, t->n, sizeof *t->func, by_lo);
  infer_sizes(t);
  for (size_t i = 0; i < t->n; i++)
    if (t->func[i].size > t->max_size)
      t->max_size = t->func[i].size;
  return 0;
}

void symtab_free(struct elf_symtab *t)
{
  free(t->func);
  memset(t, 0, sizeof *t);
}

// Of two functions holding a pc, a sized one beats a label, then the narrower wins.
static int better(const struct elf_func *f, const struct elf_func *best)
{
  if (!best || f->inferred != best->inferred)
    return !best || !f->inferred;
  return f->size < best->size;
}

const struct elf_func *symtab_find(const struct elf_symtab *t, uint64_t pc)
{
  size_t lo = first_above(t->func, t->n, sizeof *t->func, pc);
  // Candidates start at or below pc; none further back than the widest function.
  const struct elf_func *best = NULL;
  for (size_t i = lo; i-- > 0;) {
    const struct elf_func *f = &t->func[i];
    if (pc - f->lo >= t->max_size)
      break;
    if (pc - f->lo < f->size && better(f, best))
      best = f;
  }
  return best;
}
