// Page events outside faults mostly come in pairs on one track: fork, exec and eager
// sbrk allocate a page and map it (KALLOC then MAP of that page), and exit, exec and a
// shrinking sbrk unmap a page and free it (UNMAP then KFREE). Such a pair is written as
// one slice, "kalloc+map" or "unmap+kfree", from the first record to the second, with
// the va, pa and permissions: the same facts and both times in one event instead of
// two. These events were a third of a whole-run JSON.
//
// A KALLOC of a data page or an UNMAP is held on its track; the next record on that
// track either completes the pair (its partner, for the same physical page) or sends
// the held event out alone as the instant it would have been. Exited processes hold
// too (the kernel tears a child down under the child's pid, after its EXIT), so the
// process table's on_forget flushes what a forgotten process holds; that is why the
// track is announced when an event is held, and nothing written later looks the
// process up. The orphan track, shared by several pids, holds nothing, and neither does
// a track with an open fault (one whose list of events is full).
#include "tools/vmt_names.h"
#include "tools/vmt_perfetto.h"

static int partner(const struct vmt_held *h, const struct vmt_record *r)
{
  if (h->type == VMT_KALLOC)
    return r->type == VMT_MAP && r->b == h->pa;
  return r->type == VMT_KFREE && r->a == h->pa && r->flags == VMT_PAGE_DATA;
}

static void write_pair(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                       uint64 ns)
{
  struct vmt_held *h = &t->held;
  uint64 start = h->ns, dur = ns - h->ns;
  int alloc = h->type == VMT_KALLOC;
  char perm[5];
  vmt_conv_untouch(t, &start, &dur);
  te_open(&c->te, 'X', NULL, alloc ? "kalloc+map" : "unmap+kfree", t->pid, t->tid, start);
  te_dur(&c->te, dur);
  vmt_perm_string(alloc ? r->arg : h->perm, perm);
  te_arg_hex(&c->te, "va", alloc ? r->a : h->va);
  te_arg_hex(&c->te, "pa", h->pa);
  te_arg_lit(&c->te, "perm", perm);
  te_close(&c->te);
}

void vmt_pair_flush(struct vmt_conv *c, struct vmt_track *t)
{
  struct vmt_held *h = &t->held;
  if (!h->type)
    return;
  te_open(&c->te, 'I', NULL, vmt_type_name(h->type), t->pid, t->tid, h->ns);
  if (h->type == VMT_KALLOC)
    vmt_conv_page_args(c, VMT_KALLOC, VMT_PAGE_DATA, h->pa, 0, 0);
  else
    vmt_conv_page_args(c, VMT_UNMAP, 0, h->va, h->pa, h->perm);
  te_close(&c->te);
  h->type = 0;
}

void vmt_pair_settle(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r)
{
  if (t->held.type && !partner(&t->held, r))
    vmt_pair_flush(c, t);
}

int vmt_pair_page(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                  uint64 ns)
{
  if (t->held.type) {           // r is its partner: vmt_pair_settle sent anything else out
    write_pair(c, t, r, ns);
    t->held.type = 0;
    return 1;
  }
  int first = r->type == VMT_UNMAP || (r->type == VMT_KALLOC && r->flags == VMT_PAGE_DATA);
  if (!first || t == &c->orphan || t->fault >= 0)
    return 0;
  vmt_conv_use(c, t);
  t->held = (struct vmt_held){ .ns = ns, .va = r->type == VMT_UNMAP ? r->a : 0,
                               .pa = r->type == VMT_UNMAP ? r->b : r->a, .perm = r->arg,
                               .type = r->type };
  return 1;
}

void vmt_pair_finish(struct vmt_conv *c)
{
  for (unsigned i = 0; i < c->h.ncpu; i++)
    vmt_pair_flush(c, &c->cpu[i].kctx);
  for (uint32 i = 0; i < c->procs.cap; i++)
    if (c->procs.slot[i].pid)
      vmt_pair_flush(c, &c->procs.slot[i].track);
}
