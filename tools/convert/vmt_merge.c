// The held records live in one pool shared by all CPUs (FIFOs are index-linked lists
// through it) so that the total, not each CPU's share, is what the window bounds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert/vmt_merge.h"

#define NIL 0xffffffffu

int vmt_merge_init(struct vmt_merge *m, unsigned ncpu, uint64 start_ts, uint32 window)
{
  memset(m, 0, sizeof *m);
  m->ncpu = ncpu;
  m->window = window ? window : 1;
  m->free_list = NIL;
  m->out_ts = start_ts;
  for (unsigned c = 0; c < NCPU; c++) {
    m->q[c].head = m->q[c].tail = NIL;
    m->q[c].last_ts = start_ts;
  }
  return 0;
}

// An unused pool slot; the pool grows by doubling up to window + 1 slots.
static uint32 take_slot(struct vmt_merge *m)
{
  if (m->free_list != NIL) {
    uint32 i = m->free_list;
    m->free_list = m->pool[i].next;
    return i;
  }
  if (m->used == m->cap) {
    uint32 ncap = m->cap ? m->cap * 2 : 1024;
    if (ncap > m->window + 1)
      ncap = m->window + 1;
    struct vmt_merge_item *p = realloc(m->pool, (size_t)ncap * sizeof *p);
    if (!p)
      return NIL;
    m->pool = p;
    m->cap = ncap;
  }
  return m->used++;
}

int vmt_merge_push(struct vmt_merge *m, const struct vmt_record *rec, uint64 off)
{
  if (rec->ts < m->out_ts) {
    snprintf(m->err, sizeof m->err,
             "offset %llu: record of cpu %u arrived more than %u records late "
             "(older than records already merged); use a larger merge window",
             (unsigned long long)off, rec->cpu, m->window);
    return -1;
  }
  uint32 i = take_slot(m);
  if (i == NIL) {
    snprintf(m->err, sizeof m->err, "offset %llu: out of memory", (unsigned long long)off);
    return -1;
  }
  m->pool[i].rec = *rec;
  m->pool[i].off = off;
  m->pool[i].next = NIL;
  unsigned c = rec->cpu;
  if (m->q[c].tail == NIL)
    m->q[c].head = i;
  else
    m->pool[m->q[c].tail].next = i;
  m->q[c].tail = i;
  m->q[c].n++;
  m->q[c].last_ts = rec->ts;
  if (++m->held > m->max_held)
    m->max_held = m->held;
  return 0;
}

// The CPU whose head is oldest (lowest CPU on ties), or -1 if nothing is held.
static int oldest_cpu(const struct vmt_merge *m)
{
  int best = -1;
  for (unsigned c = 0; c < m->ncpu; c++)
    if (m->q[c].n && (best < 0 || m->pool[m->q[c].head].rec.ts <
                                      m->pool[m->q[best].head].rec.ts))
      best = (int)c;
  return best;
}

// Safe when every CPU with nothing held has already sent a record at least as new.
static int safe_to_release(const struct vmt_merge *m, uint64 ts)
{
  for (unsigned c = 0; c < m->ncpu; c++)
    if (m->q[c].n == 0 && m->q[c].last_ts < ts)
      return 0;
  return 1;
}

int vmt_merge_pop(struct vmt_merge *m, int draining, struct vmt_record *rec, uint64 *off)
{
  int c = oldest_cpu(m);
  if (c < 0)
    return 0;
  uint32 i = m->q[c].head;
  if (!draining && m->held <= m->window && !safe_to_release(m, m->pool[i].rec.ts))
    return 0;
  *rec = m->pool[i].rec;
  *off = m->pool[i].off;
  m->q[c].head = m->pool[i].next;
  if (m->q[c].head == NIL)
    m->q[c].tail = NIL;
  m->q[c].n--;
  m->held--;
  m->pool[i].next = m->free_list;
  m->free_list = i;
  m->out_ts = rec->ts;
  return 1;
}

void vmt_merge_free(struct vmt_merge *m)
{
  free(m->pool);
  m->pool = NULL;
}
