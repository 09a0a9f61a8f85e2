// Tracks, slices and flows collected while reading, and the checks that can only be made
// once every event is known: strict nesting per track, flows matched, v1 flow events
// inside slices, B events left open.
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/check/pcheck_int.h"

void pc_violation(struct pcheck *pc, size_t index, const char *fmt, ...)
{
  if (pc->violations++ >= pc->max_report)
    return;
  va_list ap;
  fprintf(stderr, "perfetto_check: %s: event %zu: ", pc->name, index);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int pc_grow(struct pcheck *pc, void **arr, size_t *cap, size_t n, size_t sz)
{
  if (n < *cap)
    return 0;
  size_t ncap = *cap ? *cap * 2 : 64;
  void *p = realloc(*arr, ncap * sz);
  if (!p) {
    pc->oom = 1;
    return -1;
  }
  *arr = p;
  *cap = ncap;
  return 0;
}

static size_t mix(uint64_t k)
{
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  return (size_t)(k ^ (k >> 33));
}

static int rehash_tracks(struct pcheck *pc)
{
  size_t cap = pc->thashcap ? pc->thashcap * 2 : 256;
  unsigned *h = calloc(cap, sizeof *h);
  if (!h) {
    pc->oom = 1;
    return -1;
  }
  for (size_t i = 0; i < pc->ntrack; i++) {
    size_t j = mix((uint64_t)pc->track[i].pid << 32 | pc->track[i].tid) & (cap - 1);
    while (h[j])
      j = (j + 1) & (cap - 1);
    h[j] = (unsigned)i + 1;
  }
  free(pc->thash);
  pc->thash = h;
  pc->thashcap = cap;
  return 0;
}

unsigned pc_track(struct pcheck *pc, uint32_t pid, uint32_t tid)
{
  if (pc->ntrack * 2 >= pc->thashcap && rehash_tracks(pc) < 0)
    return 0;
  size_t j = mix((uint64_t)pid << 32 | tid) & (pc->thashcap - 1);
  for (; pc->thash[j]; j = (j + 1) & (pc->thashcap - 1)) {
    struct pc_track *t = &pc->track[pc->thash[j] - 1];
    if (t->pid == pid && t->tid == tid)
      return pc->thash[j] - 1;
  }
  if (pc_grow(pc, (void **)&pc->track, &pc->captrack, pc->ntrack, sizeof *pc->track) < 0)
    return 0;
  memset(&pc->track[pc->ntrack], 0, sizeof *pc->track);
  pc->track[pc->ntrack].pid = pid;
  pc->track[pc->ntrack].tid = tid;
  pc->track[pc->ntrack].last_be_ts = INT64_MIN;
  pc->thash[j] = (unsigned)++pc->ntrack;
  return (unsigned)pc->ntrack - 1;
}

void pc_add_slice(struct pcheck *pc, unsigned track, int64_t start, int64_t end, size_t index)
{
  if (pc_grow(pc, (void **)&pc->slice, &pc->capslice, pc->nslice, sizeof *pc->slice) < 0)
    return;
  pc->slice[pc->nslice++] = (struct pc_slice){ track, start, end, index };
  pc->track[track].slices++;
}

static struct pc_flow *flow_find(struct pc_flow *table, size_t cap, int version, uint64_t id)
{
  size_t j = mix(id * 2 + (uint64_t)version) & (cap - 1);
  while (table[j].used && (table[j].id != id || table[j].version != version))
    j = (j + 1) & (cap - 1);
  return &table[j];
}

// The slot of a flow id, growing the table (kept at most half full) when needed.
static struct pc_flow *flow_slot(struct pcheck *pc, int version, uint64_t id)
{
  if (pc->nflow * 2 >= pc->capflow) {
    size_t cap = pc->capflow ? pc->capflow * 2 : 256;
    struct pc_flow *t = calloc(cap, sizeof *t);
    if (!t) {
      pc->oom = 1;
      return NULL;
    }
    for (size_t i = 0; i < pc->capflow; i++)
      if (pc->flow[i].used)
        *flow_find(t, cap, pc->flow[i].version, pc->flow[i].id) = pc->flow[i];
    free(pc->flow);
    pc->flow = t;
    pc->capflow = cap;
  }
  return flow_find(pc->flow, pc->capflow, version, id);
}

void pc_add_flow(struct pcheck *pc, int version, uint64_t id, int start, int end, int64_t ts,
                 size_t index)
{
  struct pc_flow *f = flow_slot(pc, version, id);
  if (!f)
    return;
  if (!f->used) {
    *f = (struct pc_flow){ .id = id, .used = 1, .version = version, .index = index,
                           .start_ts = INT64_MAX, .end_ts = INT64_MIN };
    pc->nflow++;
  }
  if (start && !end) {
    f->starts++;
    f->start_ts = ts < f->start_ts ? ts : f->start_ts;
  }
  if (end && !start) {
    f->ends++;
    f->end_ts = ts > f->end_ts ? ts : f->end_ts;
  }
}

void pc_add_point(struct pcheck *pc, unsigned track, int64_t ts, size_t index)
{
  if (pc_grow(pc, (void **)&pc->point, &pc->cappoint, pc->npoint, sizeof *pc->point) < 0)
    return;
  pc->point[pc->npoint++] = (struct pc_point){ track, ts, index };
}

static int by_track_then_time(const void *a, const void *b)
{
  const struct pc_slice *x = a, *y = b;
  if (x->track != y->track)
    return x->track < y->track ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;      // the longer one is the parent
  return x->index < y->index ? -1 : x->index > y->index;
}

// One sweep per track with a stack of enclosing slices.
static void check_nesting(struct pcheck *pc)
{
  struct pc_slice **stack = NULL;
  size_t n = 0, cap = 0;
  if (pc->nslice)
    qsort(pc->slice, pc->nslice, sizeof *pc->slice, by_track_then_time);
  for (size_t i = 0; i < pc->nslice; i++) {
    struct pc_slice *s = &pc->slice[i];
    if (i == 0 || s->track != pc->slice[i - 1].track)
      n = 0;
    while (n && s->start >= stack[n - 1]->end)
      n--;
    if (n && s->end > stack[n - 1]->end) {
      struct pc_track *t = &pc->track[s->track];
      pc_violation(pc, s->index, "slice overlaps event %zu on track pid %u tid %u without "
                   "nesting in it", stack[n - 1]->index, t->pid, t->tid);
      continue;
    }
    if (pc_grow(pc, (void **)&stack, &cap, n, sizeof *stack) < 0)
      break;
    stack[n++] = s;
  }
  free(stack);
}

static void check_flows(struct pcheck *pc)
{
  for (size_t i = 0; i < pc->capflow; i++) {
    struct pc_flow *f = &pc->flow[i];
    if (!f->used)
      continue;
    if (f->starts != 1 || f->ends != 1)
      pc_violation(pc, f->index, "flow (v%d) id %llu has %zu starts and %zu ends, not 1 and 1",
                   f->version, (unsigned long long)f->id, f->starts, f->ends);
    else if (f->start_ts > f->end_ts)
      pc_violation(pc, f->index, "flow (v%d) id %llu ends before it starts", f->version,
                   (unsigned long long)f->id);
  }
}

static int inside_some_slice(const struct pcheck *pc, const struct pc_point *p)
{
  for (size_t i = 0; i < pc->nslice; i++) {
    const struct pc_slice *s = &pc->slice[i];
    if (s->track == p->track && s->start <= p->ts && p->ts <= s->end)
      return 1;
  }
  return 0;
}

void pcheck_finish(struct pcheck *pc)
{
  for (size_t i = 0; i < pc->ntrack; i++) {
    struct pc_track *t = &pc->track[i];
    for (size_t k = 0; k < t->nopen; k++)
      pc_violation(pc, t->open[k].index, "B on pid %u tid %u has no matching E", t->pid, t->tid);
  }
  check_nesting(pc);
  check_flows(pc);
  for (size_t i = 0; i < pc->npoint; i++)
    if (!inside_some_slice(pc, &pc->point[i]))
      pc_violation(pc, pc->point[i].index, "flow event is not inside any slice of its track");
  if (pc->oom)
    pc_violation(pc, pc->events, "out of memory: checks are incomplete");
}

static int by_pid_tid(const void *a, const void *b)
{
  const struct pc_track *x = *(struct pc_track *const *)a, *y = *(struct pc_track *const *)b;
  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  return x->tid < y->tid ? -1 : x->tid > y->tid;
}

void pcheck_report(const struct pcheck *pc, FILE *out)
{
  struct pc_track **order = malloc((pc->ntrack + 1) * sizeof *order);
  size_t n = 0;
  for (size_t i = 0; order && i < pc->ntrack; i++)
    if (pc->track[i].slices)
      order[n++] = &pc->track[i];
  if (n)
    qsort(order, n, sizeof *order, by_pid_tid);
  for (size_t i = 0; out && i < n; i++)
    fprintf(out, "slices pid=%u tid=%u count=%zu\n", order[i]->pid, order[i]->tid,
            order[i]->slices);
  fprintf(out ? out : stdout, "%s: %zu events, %zu slices on %zu tracks, %zu flows, %zu counter samples, "
          "%zu violations\n", pc->name, pc->events, pc->nslice, n, pc->nflow, pc->counters,
          pc->violations);
  free(order);
}

void pcheck_free(struct pcheck *pc)
{
  for (size_t i = 0; i < pc->ntrack; i++) {
    for (size_t k = 0; k < pc->track[i].nopen; k++)
      free(pc->track[i].open[k].name);
    free(pc->track[i].open);
  }
  free(pc->track);
  free(pc->thash);
  free(pc->slice);
  free(pc->flow);
  free(pc->point);
}
