#include <stdio.h>
#include <string.h>

#include "tools/check/vmt_cowcheck.h"

void cow_init(struct cow_check *k, const struct vmt_header *h)
{
  memset(k, 0, sizeof *k);
  k->page_size = h->page_size;
}

static struct cow_fault *find(struct cow_check *k, uint32 pid)
{
  for (unsigned i = 0; i < COW_OPEN; i++)
    if (k->open[i].pid == pid)
      return &k->open[i];
  return NULL;
}

static void begin(struct cow_check *k, const struct vmt_record *r)
{
  struct cow_fault *f = find(k, r->pid);
  if (!f)
    f = find(k, 0);
  if (f)
    *f = (struct cow_fault){ .pid = r->pid, .page = r->a & ~(uint64)(k->page_size - 1) };
}

static void page_event(struct cow_check *k, const struct vmt_record *r)
{
  struct cow_fault *f = find(k, r->pid);
  if (!f)
    return;
  if (r->type == VMT_KALLOC && r->flags == VMT_PAGE_DATA)
    f->kalloc++;
  else if (r->type == VMT_KFREE)
    f->kfree++;
  else if (r->type == VMT_MAP || r->type == VMT_UNMAP) {
    *(r->type == VMT_MAP ? &f->map : &f->unmap) += 1;
    f->other_page += (r->a & ~(uint64)(k->page_size - 1)) != f->page;
  }
}

// A fault's records break a rule; judged at the end (records lost anywhere may have
// taken a fault's begin or end, so its records joined the wrong fault).
static void suspect(struct cow_check *k, const char *what, uint32 pid, uint64 off)
{
  if (!k->suspect_off)
    snprintf(k->suspect, sizeof k->suspect, "offset %llu: pid %u %s",
             (unsigned long long)off, pid, what);
  k->suspect_off = off;
}

static int end(struct cow_check *k, const struct vmt_record *r, uint64 off, char *msg, size_t n)
{
  msg[0] = 0;
  struct cow_fault *f = find(k, r->pid), g = f ? *f : (struct cow_fault){ 0 };
  unsigned out = r->arg & VMT_END_OUTCOME, refs = r->arg >> VMT_END_REFS_SHIFT;
  if (f)
    f->pid = 0;
  if (!(r->arg & VMT_END_COW))
    return 0;
  if (out == VMT_OUT_TAKEN && refs != 1)
    snprintf(msg, n, "offset %llu: pid %u took a shared page over with %u references",
             (unsigned long long)off, r->pid, refs);
  else if (out == VMT_OUT_COPIED && refs < 1)
    snprintf(msg, n, "offset %llu: pid %u copied a shared page no one held",
             (unsigned long long)off, r->pid);
  else if (f && out == VMT_OUT_TAKEN && g.kalloc + g.kfree + g.map + g.unmap)
    suspect(k, "took a page over but allocated, freed, mapped or unmapped pages inside "
            "that fault", r->pid, off);
  else if (f && out == VMT_OUT_COPIED && (g.map > 1 || g.unmap > 1 || g.other_page))
    suspect(k, "copied a page but mapped or unmapped more than that page once inside the "
            "fault", r->pid, off);
  else
    return 0;
  return msg[0] ? -1 : 0;
}

// A share for another child while the parent's last one still waits for its fork: that
// fork never came. Noted, and judged at the end, once it is known whether records were
// lost (the LOST record of a dropped fork may come later in time order).
static void share(struct cow_check *k, const struct vmt_record *r, uint64 off)
{
  for (unsigned i = 0; i < k->nshare; i++)
    if (k->share[i].parent == r->arg && k->share[i].child != r->pid) {
      if (!k->unforked.parent)
        k->unforked = k->share[i];
      k->share[i] = (struct cow_share){ r->arg, r->pid, off };
      return;
    } else if (k->share[i].parent == r->arg) {
      return;
    }
  if (k->nshare < COW_SHARES)
    k->share[k->nshare++] = (struct cow_share){ r->arg, r->pid, off };
}

static void fork_seen(struct cow_check *k, const struct vmt_record *r)
{
  for (unsigned i = 0; i < k->nshare; i++)
    if (k->share[i].parent == r->pid && k->share[i].child == r->arg) {
      k->share[i] = k->share[--k->nshare];
      return;
    }
}

// An exit ends its process's open fault unchecked: the fault never finished.
static void abandon(struct cow_check *k, const struct vmt_record *r)
{
  struct cow_fault *f = find(k, r->pid);
  if (f)
    f->pid = 0;
}

int cow_record(struct cow_check *k, const struct vmt_record *r, uint64 off, char *msg, size_t n)
{
  if (r->pid == 0 && r->type != VMT_LOST)   // kernel work: no process, no fork, no share
    return 0;
  switch (r->type) {
  case VMT_FAULT_BEGIN: begin(k, r); return 0;
  case VMT_FAULT_END: return end(k, r, off, msg, n);
  case VMT_KALLOC: case VMT_KFREE: case VMT_MAP: case VMT_UNMAP: page_event(k, r); return 0;
  case VMT_EXIT: abandon(k, r); return 0;
  case VMT_SHARE: share(k, r, off); return 0;
  case VMT_FORK: fork_seen(k, r); return 0;
  case VMT_LOST: k->lost = 1; return 0;
  default: return 0;
  }
}

int cow_finish(struct cow_check *k, char *msg, size_t n)
{
  const struct cow_share *s = k->unforked.parent ? &k->unforked : &k->share[0];
  if (k->lost)
    return 0;
  if (k->suspect_off) {
    snprintf(msg, n, "%s", k->suspect);
    return -1;
  }
  if (!k->unforked.parent && !k->nshare)
    return 0;
  snprintf(msg, n, "offset %llu: pid %u shared pages with child %u but never forked it",
           (unsigned long long)s->off, s->parent, s->child);
  return -1;
}
