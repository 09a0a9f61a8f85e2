// Page events outside faults mostly come in pairs on one track: fork, exec and eager
// sbrk allocate a page and map it (KALLOC then MAP of that page), and exit, exec and a
// shrinking sbrk unmap a page and free it (UNMAP then KFREE). Such a pair is written as
// one slice, "kalloc+map" or "unmap+kfree", from the first record to the second, with
// the va, pa and permissions: the same facts and both times in one event instead of
// two. These events were a third of a whole-run JSON.
//
// And those pairs come in runs, page after page: exit tears down a 30000-page heap, fork
// copies one. Pairs of one kind that follow each other on a track with nothing else in
// between, with the same permissions, each one page above the one before, are one run
// slice from the first pair's first record to the last pair's second, with args va (the
// first page), pages (how many) and perm. A run has no pa (its frames are scattered:
// the recording has each one); a run of one page is the pair slice above, with its pa.
// Only the next page up continues a run: uvmunmap, uvmcopy and uvmalloc walk upwards,
// and then va and pages alone say exactly which pages the slice covers. A run spans
// whatever time passes between its pairs (a preemption, say), as a pair always spanned
// the time between its two records. Runs took the whole-run JSON of lazytests (exit's
// teardowns, fork's copies) from 100 to 59 MB.
//
// A KALLOC of a data page or an UNMAP is held on its track; the next record on that
// track either completes the pair (its partner, for the same physical page) or sends
// the held event out alone as the instant it would have been. A completed pair extends
// the track's run or, if it does not continue it, writes the run and starts a new one;
// any record on the track that cannot be the first half of the run's next pair writes
// the run (vmt_pair_settle), so a run slice is always written before whatever followed
// it on its track. (An UNMAP's va and permissions are checked as it comes; a KALLOC's
// at its MAP, which has them.) Exited processes hold too (the kernel tears a child down
// under the child's pid, after its EXIT), so the process table's on_forget flushes what
// a forgotten process holds; that is why the track is announced when an event is held,
// and nothing written later looks the process up. The orphan track, shared by several
// pids, holds nothing, and neither does a track with an open fault (one whose list of
// events is full).
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_pairs.h"

static int partner(const struct vmt_held *h, const struct vmt_record *r)
{
  if (h->type == VMT_KALLOC)
    return r->type == VMT_MAP && r->b == h->pa;
  return r->type == VMT_KFREE && r->a == h->pa && r->flags == VMT_PAGE_DATA;
}

// Whether a pair of the run's kind for page va with permissions perm is the run's next.
static int extends(const struct vmt_conv *c, const struct vmt_run *run, uint64 va,
                   uint32 perm)
{
  return perm == run->perm && va == run->va + (uint64)run->pages * c->h.page_size;
}

// Whether r may be the first half of the run's next pair.
static int may_continue(const struct vmt_conv *c, const struct vmt_run *run,
                        const struct vmt_record *r)
{
  if (run->type == VMT_KALLOC)
    return r->type == VMT_KALLOC && r->flags == VMT_PAGE_DATA;
  return r->type == VMT_UNMAP && extends(c, run, r->a, r->arg);
}

static void write_run(struct vmt_conv *c, struct vmt_track *t)
{
  struct vmt_run *run = &t->run;
  if (!run->pages)
    return;
  uint64 start = run->ns, dur = run->end_ns - run->ns;
  char perm[5];
  vmt_conv_untouch(t, &start, &dur);
  te_open(&c->te, 'X', NULL, run->type == VMT_KALLOC ? "kalloc+map" : "unmap+kfree", t->pid,
          t->tid, start);
  te_dur(&c->te, dur);
  vmt_perm_string(run->perm, perm);
  te_arg_hex(&c->te, "va", run->va);
  if (run->pages == 1)
    te_arg_hex(&c->te, "pa", run->pa);
  else
    te_arg_u64(&c->te, "pages", run->pages);
  te_arg_lit(&c->te, "perm", perm);
  te_close(&c->te);
  run->pages = 0;
}

// r completes the pair held on t: it joins t's run or starts the next one.
static void complete(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                     uint64 ns)
{
  struct vmt_held *h = &t->held;
  struct vmt_run *run = &t->run;
  int alloc = h->type == VMT_KALLOC;
  uint64 va = alloc ? r->a : h->va;
  uint32 perm = alloc ? r->arg : h->perm;
  if (run->pages && run->type == h->type && extends(c, run, va, perm)) {
    run->pages++;
    run->end_ns = ns;
  } else {
    write_run(c, t);
    *run = (struct vmt_run){ .ns = h->ns, .end_ns = ns, .va = va, .pa = h->pa, .perm = perm,
                             .pages = 1, .type = h->type };
  }
  h->type = 0;
}

void vmt_pair_flush(struct vmt_conv *c, struct vmt_track *t)
{
  struct vmt_held *h = &t->held;
  write_run(c, t);              // its records came before the held one
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
  if (t->held.type) {
    if (!partner(&t->held, r))
      vmt_pair_flush(c, t);
  } else if (t->run.pages && !may_continue(c, &t->run, r)) {
    write_run(c, t);
  }
}

int vmt_pair_page(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                  uint64 ns)
{
  if (t->held.type) {           // r is its partner: vmt_pair_settle sent anything else out
    complete(c, t, r, ns);
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
