// Loading an executable's symbols (file in memory, ELF checks, function table, line
// ranges) and answering pc lookups.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/symbols/symbols.h"

static int parse(struct sym_image *im, char *err, size_t errlen)
{
  if (elf_open(&im->elf, im->buf, im->size, err, errlen) < 0 ||
      symtab_load(&im->funcs, &im->elf, err, errlen) < 0 ||
      dl_load(&im->lines, &im->elf, err, errlen) < 0) {
    sym_free(im);
    return -1;
  }
  return 0;
}

int sym_load_mem(struct sym_image *im, const void *data, size_t size, char *err,
                 size_t errlen)
{
  memset(im, 0, sizeof *im);
  if (size > SYM_FILE_MAX) {
    snprintf(err, errlen, "file too large");
    return -1;
  }
  im->buf = malloc(size ? size : 1);
  if (!im->buf) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (size)
    memcpy(im->buf, data, size);
  im->size = size;
  return parse(im, err, errlen);
}

// Reads the whole of f, at most SYM_FILE_MAX bytes.
static int slurp(FILE *f, struct sym_image *im, char *err, size_t errlen)
{
  size_t cap = 1 << 16;
  im->buf = malloc(cap);
  for (size_t got; im->buf; im->size += got) {
    if (im->size == cap) {
      uint8_t *p = cap < SYM_FILE_MAX + (size_t)1 ? realloc(im->buf, 2 * cap) : NULL;
      if (!p) {
        snprintf(err, errlen, cap > SYM_FILE_MAX ? "file too large" : "out of memory");
        return -1;
      }
      im->buf = p;
      cap *= 2;
    }
    got = fread(im->buf + im->size, 1, cap - im->size, f);
    if (got == 0) {
      if (ferror(f)) {
        snprintf(err, errlen, "read error");
        return -1;
      }
      return 0;
    }
  }
  snprintf(err, errlen, "out of memory");
  return -1;
}

int sym_load_file(struct sym_image *im, const char *path, char *err, size_t errlen)
{
  memset(im, 0, sizeof *im);
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s", strerror(errno));
    return -1;
  }
  int rc = slurp(f, im, err, errlen);
  fclose(f);
  if (rc < 0) {
    sym_free(im);
    return -1;
  }
  return parse(im, err, errlen);
}

void sym_free(struct sym_image *im)
{
  symtab_free(&im->funcs);
  dl_free(&im->lines);
  free(im->buf);
  memset(im, 0, sizeof *im);
}

int sym_has_funcs(const struct sym_image *im)
{
  return im->funcs.n > 0;
}

int sym_lookup(const struct sym_image *im, uint64_t pc, struct sym_loc *loc)
{
  memset(loc, 0, sizeof *loc);
  if (pc < im->elf.text_lo || pc >= im->elf.text_hi)
    return -1;
  const struct elf_func *f = symtab_find(&im->funcs, pc);
  if (!f)
    return -1;
  loc->func = f->name;
  loc->off = pc - f->lo;
  const struct dl_range *r = dl_find(&im->lines, pc);
  if (r && r->file < im->lines.nfile) {
    loc->dir = im->lines.file[r->file].dir;
    loc->file = im->lines.file[r->file].name;
    loc->line = r->line;
  }
  return 0;
}

int sym_format(const struct sym_image *im, uint64_t pc, char *buf, size_t n)
{
  struct sym_loc loc;
  if (n)
    buf[0] = 0;
  if (sym_lookup(im, pc, &loc) < 0)
    return -1;
  if (!loc.file)
    snprintf(buf, n, "%s+0x%llx", loc.func, (unsigned long long)loc.off);
  else if (!loc.dir || loc.file[0] == '/')
    snprintf(buf, n, "%s+0x%llx (%s:%u)", loc.func, (unsigned long long)loc.off, loc.file,
             loc.line);
  else
    snprintf(buf, n, "%s+0x%llx (%s/%s:%u)", loc.func, (unsigned long long)loc.off,
             loc.dir, loc.file, loc.line);
  return 0;
}
