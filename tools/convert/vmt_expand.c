#include "tools/convert/vmt_expand.h"

// The bits of a fault end's arg that stand for other records; the rest (the outcome, and
// from version 4 VMT_END_COW and the references found) stays in the expanded end.
#define VMT_END_IMPLIES \
  (VMT_END_KALLOC | VMT_END_MAP | (uint32)VMT_END_PERM_MASK << VMT_END_PERM_SHIFT)

void vmt_expand_init(struct vmt_expand *e, const struct vmt_header *h)
{
  e->version = h->version;
  e->page_size = h->page_size;
  e->n = e->next = 0;
}

// A record r stands for: its ts, seq, pid and cpu, the rest as given.
static void add(struct vmt_expand *e, const struct vmt_record *r, int implied, unsigned type,
                unsigned flags, uint32 arg, uint64 a, uint64 b)
{
  struct vmt_record *o = &e->out[e->n];
  *o = (struct vmt_record){ .ts = r->ts, .seq = r->seq, .pid = r->pid, .type = (uint16)type,
                            .cpu = r->cpu, .flags = (uint8)flags, .arg = arg, .a = a, .b = b };
  e->implied[e->n++] = implied;
}

static void add_kalloc(struct vmt_expand *e, const struct vmt_record *r, uint64 pa)
{
  add(e, r, 1, VMT_KALLOC, VMT_PAGE_DATA, 0, pa, 0);
}

static void fault_end(struct vmt_expand *e, const struct vmt_record *r)
{
  if (r->arg & VMT_END_KALLOC)
    add_kalloc(e, r, r->b);
  if (r->arg & VMT_END_MAP)
    add(e, r, 1, VMT_MAP, 0, r->arg >> VMT_END_PERM_SHIFT & VMT_END_PERM_MASK,
        r->a & ~(uint64)(e->page_size - 1), r->b);
  add(e, r, 0, r->type, r->flags, r->arg & ~VMT_END_IMPLIES, r->a, r->b);
}

// A plain unmap, then its implied kfree if it says its frame was freed.
static void unmap_page(struct vmt_expand *e, const struct vmt_record *r, int implied, uint32 perm,
                       uint64 va, uint64 pa, int freed)
{
  add(e, r, implied, VMT_UNMAP, 0, perm, va, pa);
  if (freed)
    add(e, r, 1, VMT_KFREE, VMT_PAGE_DATA, 0, pa, 0);
}

// Version 5: one record for n pages in a row. Only the first unmap stands in the
// record's place (its seq); the rest, and every kfree, are implied.
static void packed_unmap(struct vmt_expand *e, const struct vmt_record *r)
{
  unsigned n = r->flags >> VMT_UNMAP_COUNT_SHIFT & VMT_UNMAP_COUNT_MASK;
  uint32 perm = r->arg & VMT_UNMAP_PERM_MASK;
  uint64 va = r->a & VMT_UNMAP_VA_MASK;
  if (n > VMT_UNMAP_PAGES_MAX)
    n = VMT_UNMAP_PAGES_MAX;
  for (unsigned i = 0; i < n; i++)
    unmap_page(e, r, i > 0, perm, va + (uint64)i * e->page_size,
               (uint64)VMT_UNMAP_SLOT(i, r->arg, r->a, r->b) * e->page_size,
               r->flags & VMT_UNMAP_FREED);
}

void vmt_expand_push(struct vmt_expand *e, const struct vmt_record *r)
{
  e->n = e->next = 0;
  if (e->version < 3) {
    add(e, r, 0, r->type, r->flags, r->arg, r->a, r->b);
  } else if (r->type == VMT_FAULT_END) {
    fault_end(e, r);
  } else if (r->type == VMT_MAP) {
    if (r->flags & VMT_MAP_ALLOCATED)
      add_kalloc(e, r, r->b);
    add(e, r, 0, r->type, r->flags & ~VMT_MAP_ALLOCATED, r->arg, r->a, r->b);
  } else if (r->type == VMT_UNMAP && e->version >= 5 && (r->flags & VMT_UNMAP_PAGES)) {
    packed_unmap(e, r);
  } else if (r->type == VMT_UNMAP) {
    add(e, r, 0, r->type, r->flags & ~VMT_UNMAP_FREED, r->arg, r->a, r->b);
    if (r->flags & VMT_UNMAP_FREED)
      add(e, r, 1, VMT_KFREE, VMT_PAGE_DATA, 0, r->b, 0);
  } else {
    add(e, r, 0, r->type, r->flags, r->arg, r->a, r->b);
  }
}

int vmt_expand_next(struct vmt_expand *e, struct vmt_record *r, int *implied)
{
  if (e->next == e->n)
    return 0;
  *implied = e->implied[e->next];
  *r = e->out[e->next++];
  return 1;
}
