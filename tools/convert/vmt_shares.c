// Copy-on-write fork on the timeline. The kernel writes a fork's shares (one VMT_SHARE
// per run of pages, under the child's pid) just before the parent's VMT_FORK; they are
// gathered in the parent and written with the FORK as one "fork" slice on the parent's
// track, from the first share to the fork, with the pages shared, how many are now
// copy-on-write and how many read-only, and the child: one event per fork instead of one
// per page. Each copy-on-write run is remembered in the child's history and in the
// parent's (its own pages became COW at that fork), so that a later COW fault of either,
// in the child or the parent, gets a flow arrow from that fork slice. The most recent
// run covering the faulting page wins, so in a chain of forks the arrow comes from the
// fork that last shared the page.
//
// Bounded: VMT_SHARES_MAX runs at once; a process's history is dropped at its EXEC and
// EXIT, and a new run drops the process's older runs that it covers. Runs that find the
// history full are not remembered (their faults get no arrow).
#include <stdlib.h>

#include "tools/convert/vmt_shares.h"

static uint32 alloc_entry(struct vmt_conv *c)
{
  if (!c->share)
    c->share = calloc(VMT_SHARES_MAX, sizeof *c->share);
  if (!c->share)
    return 0;
  uint32 i = c->share_free;
  if (i) {
    c->share_free = c->share[i].next;
    return i;
  }
  if (c->share_used + 1 < VMT_SHARES_MAX)
    return ++c->share_used;
  return 0;
}

static void free_entry(struct vmt_conv *c, uint32 i)
{
  c->share[i] = (struct vmt_share){ .next = c->share_free };
  c->share_free = i;
}

void vmt_share_forget(struct vmt_conv *c, struct vmt_proc *p)
{
  for (uint32 i = p->shares, next; i; i = next) {
    next = c->share[i].next;
    free_entry(c, i);
  }
  p->shares = 0;
}

// Drops p's runs that [va, va + pages) covers: they can never win again.
static void drop_covered(struct vmt_conv *c, struct vmt_proc *p, uint64 va, uint64 pages)
{
  uint64 end = va + pages * c->h.page_size;
  for (uint32 *link = &p->shares; *link;) {
    struct vmt_share *s = &c->share[*link];
    if (s->va >= va && s->va + s->pages * c->h.page_size <= end) {
      uint32 i = *link;
      *link = s->next;
      free_entry(c, i);
    } else {
      link = &s->next;
    }
  }
}

static void remember(struct vmt_conv *c, struct vmt_proc *p, const struct vmt_record *r)
{
  drop_covered(c, p, r->a, r->b);
  uint32 i = alloc_entry(c);
  if (!i)
    return;
  c->share[i] = (struct vmt_share){ .va = r->a, .pages = r->b, .next = p->shares,
                                    .state = VMT_SHARE_PENDING };
  p->shares = i;
}

void vmt_share_record(struct vmt_conv *c, struct vmt_proc *p, const struct vmt_record *r,
                      uint64 ns)
{
  struct vmt_proc *parent = r->arg ? procs_find(&c->procs, r->arg) : NULL;
  if (parent && parent->forking.child != r->pid) {   // the first run of this fork
    parent->forking = (struct vmt_forking){ .child = r->pid, .first_ns = ns };
    if (p)
      vmt_share_forget(c, p);         // the child's pid may have had an earlier life
  }
  if (parent) {
    parent->forking.runs++;
    parent->forking.pages += r->b;
    parent->forking.cow += r->flags & VMT_SHARE_COW ? r->b : 0;
  }
  if (!(r->flags & VMT_SHARE_COW))    // read-only pages are never copied
    return;
  if (p)
    remember(c, p, r);
  if (parent && parent != p)
    remember(c, parent, r);
}

// The fork's runs still pending in p's history (the newest ones) learn where their
// flows start.
static void settle(struct vmt_conv *c, struct vmt_proc *p, const struct vmt_flow_src *src)
{
  for (uint32 i = p ? p->shares : 0; i && c->share[i].state == VMT_SHARE_PENDING;
       i = c->share[i].next) {
    c->share[i].src = *src;
    c->share[i].state = src->pid ? VMT_SHARE_FLOW : VMT_SHARE_NOFLOW;
  }
}

// The fork slice [first share, FORK] on the parent's track; returns where flows start.
static struct vmt_flow_src write_fork(struct vmt_conv *c, struct vmt_track *t,
                                      const struct vmt_forking *f, const struct vmt_record *r,
                                      uint64 ns)
{
  uint64 start = f->first_ns < c->o.from_ns ? c->o.from_ns : f->first_ns;
  uint64 dur = ns - start;
  vmt_conv_untouch(t, &start, &dur);
  vmt_conv_use(c, t);
  te_open(&c->te, 'X', "proc", "fork", t->pid, t->tid, start);
  te_dur(&c->te, dur);
  te_arg_u64(&c->te, "child", r->arg);
  te_arg_u64(&c->te, "shared_pages", f->pages);
  te_arg_u64(&c->te, "cow_pages", f->cow);
  te_arg_u64(&c->te, "readonly_pages", f->pages - f->cow);
  te_arg_u64(&c->te, "runs", f->runs);
  te_close(&c->te);
  return (struct vmt_flow_src){ .pid = t->pid, .ns = start + dur / 2 };
}

int vmt_share_fork(struct vmt_conv *c, struct vmt_track *t, struct vmt_proc *p,
                   const struct vmt_record *r, uint64 ns)
{
  if (!p || p->forking.child != r->arg || !p->forking.runs)
    return 0;
  struct vmt_forking f = p->forking;
  struct vmt_flow_src src = { 0, 0 };
  p->forking = (struct vmt_forking){ 0 };
  int shown = vmt_filter_shows(&c->o, VMT_FORK, r->pid, ns) && (c->o.types >> VMT_SHARE & 1);
  if (shown)
    src = write_fork(c, t, &f, r, ns);
  settle(c, procs_find(&c->procs, r->arg), &src);
  settle(c, p, &src);
  return shown;
}

void vmt_share_source(struct vmt_conv *c, uint32 pid, uint64 va, struct vmt_flow_src *src)
{
  struct vmt_proc *p = procs_find(&c->procs, pid);
  src->pid = 0;
  for (uint32 i = p ? p->shares : 0; i; i = c->share[i].next) {
    const struct vmt_share *s = &c->share[i];
    if (va >= s->va && (va - s->va) / c->h.page_size < s->pages) {
      if (s->state == VMT_SHARE_FLOW)
        *src = s->src;
      return;
    }
  }
}
