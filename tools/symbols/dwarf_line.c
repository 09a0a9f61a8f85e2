// Runs each unit's line-number program (DWARF 5 section 6.2; 2-4 are subsets) into
// address ranges: consecutive rows of one sequence give [row.addr, next.addr).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/symbols/dwarf_line_header.h"
#include "tools/symbols/sorted_lookup.h"

enum { LNS_copy = 1, LNS_advance_pc, LNS_advance_line, LNS_set_file, LNS_set_column,
       LNS_negate_stmt, LNS_set_basic_block, LNS_const_add_pc, LNS_fixed_advance_pc,
       LNS_set_prologue_end, LNS_set_epilogue_begin, LNS_set_isa };
enum { LNE_end_sequence = 1, LNE_set_address, LNE_define_file, LNE_set_discriminator };

struct regs {                    // the state machine, as far as ranges need it
  uint64_t addr;
  uint64_t file, line;
  int have_row;                  // a row of this sequence waits for its end address
  uint64_t row_addr, row_file, row_line;
};

static void reset(struct regs *r)
{
  memset(r, 0, sizeof *r);
  r->file = 1;
  r->line = 1;
}

static int push_range(struct dwarf_lines *d, const struct dl_unit *u, const struct regs *r,
                      uint64_t hi)
{
  if (hi <= r->row_addr)
    return 0;                    // empty, or addresses went backwards
  struct dl_range *more = room_for_one(d->range, d->n, &d->cap, sizeof *more, 1024);
  if (!more)
    return -1;
  d->range = more;
  // DWARF 5 numbers files from 0, earlier versions from 1.
  uint64_t i = u->version >= 5 ? r->row_file : r->row_file - 1;
  uint32_t file = i < u->nfiles ? (uint32_t)(u->file0 + i) : UINT32_MAX;
  uint32_t line = r->row_line > UINT32_MAX ? UINT32_MAX : (uint32_t)r->row_line;
  d->range[d->n++] = (struct dl_range){ .lo = r->row_addr, .hi = hi, .file = file,
                                        .line = line };
  return 0;
}

// Appends a row: it ends the previous row of the sequence.
static int row(struct dwarf_lines *d, const struct dl_unit *u, struct regs *r)
{
  if (r->have_row && push_range(d, u, r, r->addr) < 0)
    return -1;
  r->have_row = 1;
  r->row_addr = r->addr;
  r->row_file = r->file;
  r->row_line = r->line;
  return 0;
}

static int extended(struct dwarf_lines *d, struct dl_unit *u, struct regs *r)
{
  struct cur *p = &u->program;
  uint64_t len = cur_uleb(p);
  if (p->bad || len == 0 || len > cur_left(p))
    return -1;
  struct cur op = cur_make(p->p, len);
  p->p += len;
  switch (cur_u8(&op)) {
  case LNE_end_sequence:
    if (r->have_row && push_range(d, u, r, r->addr) < 0)
      return -1;
    reset(r);
    return 0;
  case LNE_set_address:
    if (len - 1 > 8)
      return -1;
    r->addr = cur_uint(&op, (unsigned)(len - 1));
    return 0;
  case LNE_define_file: {        // DWARF 2-4 only
    const char *name = cur_str(&op);
    uint64_t dir = cur_uleb(&op);
    if (op.bad || u->version >= 5)
      return -1;
    (void)dir;                   // the unit's directory table is gone by now
    if (d->nfile != u->file0 + u->nfiles)
      return -1;
    if (dl_add_file(d, NULL, name) < 0)
      return -1;
    u->nfiles++;
    return 0;
  }
  default:
    return 0;                    // set_discriminator and vendor opcodes: nothing for us
  }
}

static int standard(struct dl_unit *u, struct regs *r, uint8_t op)
{
  struct cur *p = &u->program;
  switch (op) {
  case LNS_advance_pc: r->addr += cur_uleb(p) * u->min_inst; break;
  case LNS_advance_line: r->line += (uint64_t)cur_sleb(p); break;
  case LNS_set_file: r->file = cur_uleb(p); break;
  case LNS_const_add_pc:
    r->addr += (uint64_t)((255 - u->opcode_base) / u->line_range) * u->min_inst;
    break;
  case LNS_fixed_advance_pc: r->addr += cur_u16(p); break;
  case LNS_set_column: case LNS_negate_stmt: case LNS_set_basic_block:
  case LNS_set_prologue_end: case LNS_set_epilogue_begin: case LNS_set_isa:
  default:                       // operands counted by the header
    for (unsigned i = 0; i < u->std_len[op]; i++)
      cur_uleb(p);
  }
  return p->bad ? -1 : 0;
}

static int run_program(struct dwarf_lines *d, struct dl_unit *u)
{
  struct regs r;
  reset(&r);
  while (cur_left(&u->program) > 0) {
    uint8_t op = cur_u8(&u->program);
    int rc;
    if (op >= u->opcode_base) {
      unsigned adj = op - u->opcode_base;
      r.addr += (uint64_t)(adj / u->line_range) * u->min_inst;
      r.line += (uint64_t)(int64_t)(u->line_base + (int)(adj % u->line_range));
      rc = row(d, u, &r);
    } else if (op == 0)
      rc = extended(d, u, &r);
    else if (op == LNS_copy)
      rc = row(d, u, &r);
    else
      rc = standard(u, &r, op);
    if (rc < 0)
      return -1;
  }
  return 0;                      // a sequence without end_sequence is dropped
}

static int by_lo(const void *a, const void *b)
{
  const struct dl_range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int dl_load(struct dwarf_lines *d, const struct elf_file *ef, char *err, size_t errlen)
{
  struct elf_section sec;
  struct dl_strs strs = { 0 };
  memset(d, 0, sizeof *d);
  if (elf_section_named(ef, ".debug_line", &sec) < 0 || !sec.data)
    return 0;                              // no line information: not an error
  if (elf_section_named(ef, ".debug_line_str", &strs.line_str) < 0)
    strs.line_str.data = NULL;
  if (elf_section_named(ef, ".debug_str", &strs.str) < 0)
    strs.str.data = NULL;
  struct cur c = cur_make(sec.data, sec.size);
  while (cur_left(&c) > 0) {
    struct dl_unit u;
    if (dl_read_unit(d, &c, &strs, &u, err, errlen) < 0)
      return -1;
    if (run_program(d, &u) < 0) {
      snprintf(err, errlen, ".debug_line: line-number program malformed or truncated");
      return -1;
    }
  }
  if (d->n)                                // no ranges: no array to sort
    qsort(d->range, d->n, sizeof *d->range, by_lo);
  return 0;
}

void dl_free(struct dwarf_lines *d)
{
  free(d->range);
  free(d->file);
  memset(d, 0, sizeof *d);
}

#define OVERLAP_SCAN 16   // ranges looked back at when sequences overlap

const struct dl_range *dl_find(const struct dwarf_lines *d, uint64_t pc)
{
  size_t lo = first_above(d->range, d->n, sizeof *d->range, pc);
  for (size_t i = lo, k = 0; i-- > 0 && k < OVERLAP_SCAN; k++)
    if (pc < d->range[i].hi)
      return &d->range[i];
  return NULL;
}
