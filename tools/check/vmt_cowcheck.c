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

static int end(struct cow_check *k, const struct vmt_record *r, uint64 off, char *msg, size_t n)
{
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
    snprintf(msg, n, "offset %llu: pid %u took a page over but allocated, freed, mapped or "
             "unmapped pages inside that fault", (unsigned long long)off, r->pid);
  else if (f && out == VMT_OUT_COPIED && (g.map > 1 || g.unmap > 1 || g.other_page))
    snprintf(msg, n, "offset %llu: pid %u's copying fault at 0x%llx mapped or unmapped "
             "more than its own page once", (unsigned long long)off, r->pid,
             (unsigned long long)g.page);
  else
    return 0;
  return -1;
}

static int share(struct cow_check *k, const struct vmt_record *r, uint64 off, char *msg,
                 size_t n)
{
  for (unsigned i = 0; i < k->nshare; i++)
    if (k->share[i].parent == r->arg && k->share[i].child != r->pid) {
      snprintf(msg, n, "offset %llu: pid %u shares pages with child %u before forking "
               "child %u", (unsigned long long)off, r->arg, r->pid, k->share[i].child);
      return -1;
    } else if (k->share[i].parent == r->arg) {
      return 0;
    }
  if (k->nshare < COW_SHARES)
    k->share[k->nshare++] = (struct cow_share){ r->arg, r->pid, off };
  return 0;
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
  case VMT_SHARE: return share(k, r, off, msg, n);
  case VMT_FORK: fork_seen(k, r); return 0;
  case VMT_LOST: k->lost = 1; return 0;
  default: return 0;
  }
}

int cow_finish(struct cow_check *k, char *msg, size_t n)
{
  if (k->lost || !k->nshare)
    return 0;
  snprintf(msg, n, "offset %llu: pid %u shared pages with child %u but never forked it",
           (unsigned long long)k->share[0].off, k->share[0].parent, k->share[0].child);
  return -1;
}
