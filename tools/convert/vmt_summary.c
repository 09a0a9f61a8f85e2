#include <string.h>

#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_summary.h"

void vmt_summary_init(struct vmt_summary *s, const struct vmt_header *h)
{
  memset(s, 0, sizeof *s);
  s->h = *h;
}

static uint32 fault_key(const struct vmt_record *r)
{
  return r->pid ? r->pid : 0x80000000u | r->cpu;
}

static int find_open(const struct vmt_summary *s, uint32 key)
{
  for (unsigned i = 0; i < s->nopen; i++)
    if (s->open[i].key == key)
      return (int)i;
  return -1;
}

// A fault's page events go to the lazy or the copy-on-write counts once its end says
// which it was (a fault that never ends, at EXIT or evicted, counts as lazy).
static void commit(struct vmt_summary *s, const struct vmt_summary_open *o, int cow)
{
  uint64 *to = cow ? s->in_cow_fault : s->in_fault;
  for (unsigned t = VMT_KALLOC; t <= VMT_UNMAP; t++)
    to[t] += o->n[t];
  s->ptpages_in_fault += o->ptpages;
}

// Tracks which processes are inside a fault, the way the converter nests events.
static void track_faults(struct vmt_summary *s, const struct vmt_record *r)
{
  uint32 key = fault_key(r);
  int i = find_open(s, key);
  if (r->type == VMT_FAULT_BEGIN && i < 0) {
    if (s->nopen == VMT_SUMMARY_OPEN) {
      commit(s, &s->open[0], 0);
      memmove(s->open, s->open + 1, --s->nopen * sizeof s->open[0]);
    }
    s->open[s->nopen++] = (struct vmt_summary_open){ .key = key };
  } else if ((r->type == VMT_FAULT_END || r->type == VMT_EXIT) && i >= 0) {
    commit(s, &s->open[i], r->type == VMT_FAULT_END && (r->arg & VMT_END_COW));
    s->open[i] = s->open[--s->nopen];
  } else if (r->type == VMT_KALLOC && r->flags == VMT_PAGE_TABLE && i >= 0) {
    s->open[i].ptpages++;
  } else if (r->type >= VMT_KALLOC && r->type <= VMT_UNMAP && i >= 0) {
    s->open[i].n[r->type]++;
  }
}

static void count_end(struct vmt_summary *s, const struct vmt_record *r)
{
  unsigned out = r->arg & VMT_END_OUTCOME;
  unsigned k = out <= VMT_OUT_TAKEN ? out : VMT_OUT_TAKEN + 1;
  s->outcome[k]++;
  if (r->arg & VMT_END_COW)
    s->cow_faults[k]++;
  s->around += r->flags >> VMT_AROUND_SHIFT;
}

void vmt_summary_add(struct vmt_summary *s, const struct vmt_record *r, int implied)
{
  if (implied)
    s->implied++;
  else if (s->records++ == 0)
    s->first_ts = r->ts;
  s->last_ts = r->ts;
  s->count[r->type][r->cpu]++;
  if (r->type == VMT_FAULT_END)
    count_end(s, r);
  if (r->type == VMT_SHARE) {
    s->share_pages += r->b;
    s->share_cow_pages += r->flags & VMT_SHARE_COW ? r->b : 0;
  }
  if (r->type == VMT_LOST)
    s->dropped[r->cpu] += r->a;
  if (r->type == VMT_KALLOC || r->type == VMT_KFREE)
    s->free_delta += r->type == VMT_KFREE ? 1 : -1;
  track_faults(s, r);
}

uint64 vmt_summary_total(const struct vmt_summary *s, unsigned type)
{
  uint64 n = 0;
  for (unsigned c = 0; c < NCPU; c++)
    n += s->count[type][c];
  return n;
}

uint64 vmt_summary_dropped(const struct vmt_summary *s)
{
  uint64 n = 0;
  for (unsigned c = 0; c < NCPU; c++)
    n += s->dropped[c];
  return n;
}

long long vmt_summary_free_end(const struct vmt_summary *s)
{
  return (long long)s->h.free_pages + s->free_delta;
}

static void print_table(const struct vmt_summary *s, FILE *out)
{
  fprintf(out, "%-12s", "type");
  for (unsigned c = 0; c < s->h.ncpu; c++)
    fprintf(out, " %9s%u", "cpu", c);
  fprintf(out, " %10s\n", "total");
  for (unsigned t = 1; t < VMT_NTYPES; t++) {
    fprintf(out, "%-12s", vmt_type_name(t));
    for (unsigned c = 0; c < s->h.ncpu; c++)
      fprintf(out, " %10llu", (unsigned long long)s->count[t][c]);
    fprintf(out, " %10llu\n", (unsigned long long)vmt_summary_total(s, t));
  }
}

// Version 4's copy-on-write counts: what forks shared, what the writes to shared pages
// did, and the page events inside those faults (apart, so that the lines above keep
// meaning what they meant for lazy faults).
static void print_cow(const struct vmt_summary *s, FILE *out)
{
  fprintf(out, "shares: runs %llu, pages %llu, copy-on-write %llu, read-only %llu\n",
          (unsigned long long)vmt_summary_total(s, VMT_SHARE), (unsigned long long)s->share_pages,
          (unsigned long long)s->share_cow_pages,
          (unsigned long long)(s->share_pages - s->share_cow_pages));
  fprintf(out, "copy-on-write faults: copied %llu, taken %llu, nomem %llu\n",
          (unsigned long long)s->cow_faults[VMT_OUT_COPIED],
          (unsigned long long)s->cow_faults[VMT_OUT_TAKEN],
          (unsigned long long)s->cow_faults[VMT_OUT_NOMEM]);
  fprintf(out, "inside copy-on-write faults: kalloc %llu, kfree %llu, map %llu, unmap %llu\n",
          (unsigned long long)s->in_cow_fault[VMT_KALLOC],
          (unsigned long long)s->in_cow_fault[VMT_KFREE],
          (unsigned long long)s->in_cow_fault[VMT_MAP],
          (unsigned long long)s->in_cow_fault[VMT_UNMAP]);
}

void vmt_summary_print(const struct vmt_summary *s, FILE *out)
{
  const struct vmt_header *h = &s->h;
  uint64 span = s->last_ts - s->first_ts;
  fprintf(out, "header: version %u, ncpu %u, timer_hz %llu, page_size %u, free_pages %llu, "
          "start_ts %llu\n", h->version, h->ncpu, (unsigned long long)h->timer_hz,
          h->page_size, (unsigned long long)h->free_pages, (unsigned long long)h->start_ts);
  fprintf(out, "records: %llu over %.3f ms, implying %llu more\n",
          (unsigned long long)s->records, (double)span * 1000.0 / (double)h->timer_hz,
          (unsigned long long)s->implied);
  print_table(s, out);
  fprintf(out, "faults: mapped %llu, illegal %llu, protection %llu, nomem %llu, "
          "spurious %llu, copied %llu, taken %llu, other %llu, around %llu\n",
          (unsigned long long)s->outcome[0], (unsigned long long)s->outcome[1],
          (unsigned long long)s->outcome[2], (unsigned long long)s->outcome[3],
          (unsigned long long)s->outcome[4], (unsigned long long)s->outcome[5],
          (unsigned long long)s->outcome[6], (unsigned long long)s->outcome[7],
          (unsigned long long)s->around);
  fprintf(out, "inside faults: kalloc %llu, kfree %llu, map %llu, unmap %llu, "
          "page-table pages %llu\n",
          (unsigned long long)s->in_fault[VMT_KALLOC], (unsigned long long)s->in_fault[VMT_KFREE],
          (unsigned long long)s->in_fault[VMT_MAP], (unsigned long long)s->in_fault[VMT_UNMAP],
          (unsigned long long)s->ptpages_in_fault);
  if (h->version >= 4)
    print_cow(s, out);
  fprintf(out, "free pages: start %llu, end %lld\n", (unsigned long long)s->h.free_pages,
          vmt_summary_free_end(s));
  fprintf(out, "dropped:");
  for (unsigned c = 0; c < h->ncpu; c++)
    fprintf(out, " cpu%u %llu,", c, (unsigned long long)s->dropped[c]);
  fprintf(out, " total %llu\n", (unsigned long long)vmt_summary_dropped(s));
}
