// One .debug_line unit's header: the fixed fields, then the directory and file tables
// (DWARF 2-4: NUL-terminated lists; DWARF 5: self-describing entry formats). Every
// string handed on is checked to end inside its section.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/symbols/dwarf_line_header.h"
#include "tools/symbols/sorted_lookup.h"

enum {                                   // DWARF 5 forms a file table may use
  FORM_block2 = 0x03, FORM_block4 = 0x04, FORM_data2 = 0x05, FORM_data4 = 0x06,
  FORM_data8 = 0x07, FORM_string = 0x08, FORM_block = 0x09, FORM_block1 = 0x0a,
  FORM_data1 = 0x0b, FORM_strp = 0x0e, FORM_udata = 0x0f, FORM_data16 = 0x1e,
  FORM_line_strp = 0x1f,
};
enum { LNCT_path = 1, LNCT_directory_index = 2 };
#define MAX_FORMATS 16

struct dirs {                            // the unit's directories, index as in the table
  const char **name;
  size_t n, cap;
};

static int push_dir(struct dirs *t, const char *name)
{
  const char **more = room_for_one(t->name, t->n, &t->cap, sizeof *more, 16);
  if (!more)
    return -1;
  t->name = more;
  t->name[t->n++] = name;
  return 0;
}

int dl_add_file(struct dwarf_lines *d, const char *dir, const char *name)
{
  struct dl_file *more = room_for_one(d->file, d->nfile, &d->capfile, sizeof *more, 64);
  if (!more)
    return -1;
  d->file = more;
  d->file[d->nfile++] = (struct dl_file){ .dir = dir, .name = name };
  return 0;
}

// A string at off inside section s, or NULL if it does not end there.
static const char *section_str(const struct elf_section *s, uint64_t off)
{
  if (!s->data || off >= s->size || !memchr(s->data + off, 0, s->size - off))
    return NULL;
  return (const char *)s->data + off;
}

// Reads one attribute value; strings to *str, numbers to *num. -1: malformed or a form
// this reader does not know (it cannot skip what it cannot size).
static int read_form(struct cur *c, uint64_t form, const struct dl_unit *u,
                     const struct dl_strs *strs, const char **str, uint64_t *num)
{
  *str = NULL;
  *num = 0;
  switch (form) {
  case FORM_string: *str = cur_str(c); return *str ? 0 : -1;
  case FORM_strp: case FORM_line_strp: {
    uint64_t off = cur_uint(c, u->off64 ? 8 : 4);
    *str = section_str(form == FORM_strp ? &strs->str : &strs->line_str, off);
    return *str && !c->bad ? 0 : -1;
  }
  case FORM_udata: *num = cur_uleb(c); break;
  case FORM_data1: *num = cur_u8(c); break;
  case FORM_data2: *num = cur_u16(c); break;
  case FORM_data4: *num = cur_u32(c); break;
  case FORM_data8: *num = cur_u64(c); break;
  case FORM_data16: cur_skip(c, 16); break;
  case FORM_block: cur_skip(c, cur_uleb(c)); break;
  case FORM_block1: cur_skip(c, cur_u8(c)); break;
  case FORM_block2: cur_skip(c, cur_u16(c)); break;
  case FORM_block4: cur_skip(c, cur_u32(c)); break;
  default: return -1;
  }
  return c->bad ? -1 : 0;
}

struct formats {
  unsigned n;
  uint64_t type[MAX_FORMATS], form[MAX_FORMATS];
};

static int read_formats(struct cur *h, struct formats *f)
{
  f->n = cur_u8(h);
  if (f->n > MAX_FORMATS)
    return -1;
  for (unsigned i = 0; i < f->n; i++) {
    f->type[i] = cur_uleb(h);
    f->form[i] = cur_uleb(h);
  }
  return h->bad ? -1 : 0;
}

// One DWARF 5 entry: its path and directory index.
static int read_entry5(struct cur *h, const struct formats *f, const struct dl_unit *u,
                       const struct dl_strs *strs, const char **path, uint64_t *dir)
{
  *path = NULL;
  *dir = 0;
  for (unsigned i = 0; i < f->n; i++) {
    const char *s;
    uint64_t v;
    if (read_form(h, f->form[i], u, strs, &s, &v) < 0)
      return -1;
    if (f->type[i] == LNCT_path)
      *path = s;
    else if (f->type[i] == LNCT_directory_index)
      *dir = v;
  }
  return *path ? 0 : -1;
}

// Directory 0 is the compilation directory in both layouts: left NULL.
static const char *dir_at(const struct dirs *t, uint64_t i)
{
  return i > 0 && i < t->n ? t->name[i] : NULL;
}

static int tables_v5(struct dwarf_lines *d, struct cur *h, const struct dl_unit *u,
                     const struct dl_strs *strs, struct dirs *dirs)
{
  struct formats f;
  const char *path;
  uint64_t dir;
  if (read_formats(h, &f) < 0)
    return -1;
  for (uint64_t n = cur_uleb(h); n > 0 && !h->bad; n--)
    if (read_entry5(h, &f, u, strs, &path, &dir) < 0 || push_dir(dirs, path) < 0)
      return -1;
  if (read_formats(h, &f) < 0)
    return -1;
  for (uint64_t n = cur_uleb(h); n > 0 && !h->bad; n--)
    if (read_entry5(h, &f, u, strs, &path, &dir) < 0 ||
        dl_add_file(d, dir_at(dirs, dir), path) < 0)
      return -1;
  return h->bad ? -1 : 0;
}

// DWARF 2-4: directories from 1 (0 is the compilation directory), files from 1.
static int tables_v2(struct dwarf_lines *d, struct cur *h, struct dirs *dirs)
{
  if (push_dir(dirs, NULL) < 0)
    return -1;
  for (const char *s; (s = cur_str(h)) && *s;)
    if (push_dir(dirs, s) < 0)
      return -1;
  for (const char *s; (s = cur_str(h)) && *s;) {
    uint64_t dir = cur_uleb(h);
    cur_uleb(h);                          // modification time
    cur_uleb(h);                          // length
    if (h->bad || dl_add_file(d, dir_at(dirs, dir), s) < 0)
      return -1;
  }
  return h->bad ? -1 : 0;
}

static int fixed_fields(struct cur *h, struct dl_unit *u)
{
  u->min_inst = cur_u8(h);
  uint8_t max_ops = u->version >= 4 ? cur_u8(h) : 1;
  u->default_is_stmt = cur_u8(h);
  u->line_base = (int8_t)cur_u8(h);
  u->line_range = cur_u8(h);
  u->opcode_base = cur_u8(h);
  memset(u->std_len, 0, sizeof u->std_len);
  for (unsigned i = 1; i < u->opcode_base; i++)
    u->std_len[i] = cur_u8(h);
  // VLIW operation indexes (max_ops > 1) never occur on RISC-V.
  return h->bad || max_ops != 1 || u->line_range == 0 || u->opcode_base == 0 ? -1 : 0;
}

static int fail(char *err, size_t errlen, const char *why, unsigned v)
{
  snprintf(err, errlen, ".debug_line: %s%.0u", why, v);
  return -1;
}

// The unit's length and version, and a cursor over the rest of it.
static int unit_span(struct cur *sec, struct dl_unit *u, struct cur *body)
{
  uint64_t len = cur_u32(sec);
  u->off64 = len == 0xffffffffu;
  if (u->off64)
    len = cur_u64(sec);
  else if (len >= 0xfffffff0u)
    return -1;
  if (sec->bad || len > cur_left(sec))
    return -1;
  *body = cur_make(sec->p, len);
  sec->p += len;
  u->version = cur_u16(body);
  return body->bad ? -1 : 0;
}

static int header(struct dwarf_lines *d, struct cur *body, const struct dl_strs *strs,
                  struct dl_unit *u, struct dirs *dirs)
{
  if (u->version >= 5) {
    uint8_t addr_size = cur_u8(body);
    cur_u8(body);                         // segment selector size
    if (addr_size != 8 && addr_size != 4)
      return -1;
  }
  uint64_t hlen = cur_uint(body, u->off64 ? 8 : 4);
  if (body->bad || hlen > cur_left(body))
    return -1;
  struct cur h = cur_make(body->p, hlen);
  u->program = cur_make(body->p + hlen, cur_left(body) - hlen);
  u->file0 = d->nfile;
  if (fixed_fields(&h, u) < 0)
    return -1;
  if ((u->version >= 5 ? tables_v5(d, &h, u, strs, dirs) : tables_v2(d, &h, dirs)) < 0)
    return -1;
  u->nfiles = d->nfile - u->file0;
  return 0;
}

int dl_read_unit(struct dwarf_lines *d, struct cur *sec, const struct dl_strs *strs,
                 struct dl_unit *u, char *err, size_t errlen)
{
  struct cur body;
  struct dirs dirs = { 0 };
  if (unit_span(sec, u, &body) < 0)
    return fail(err, errlen, "unit length runs past the section", 0);
  if (u->version < 2 || u->version > 5)
    return fail(err, errlen, "unsupported line table version ", u->version);
  int rc = header(d, &body, strs, u, &dirs);
  free(dirs.name);
  return rc < 0 ? fail(err, errlen, "line table header malformed or truncated", 0) : 0;
}
