// Page faults as slices. A fault is held open from FAULT_BEGIN until its FAULT_END, with
// the page events of its process that happen meanwhile, and is written as one X slice
// followed by its children: the whole group at once, parent first, because an X slice
// needs its duration up front and because importers that sort by time keep the file
// order for equal timestamps, so a child in the same tick as its fault still nests.
// Memory is bounded by VMT_OPEN_FAULTS groups of VMT_FAULT_KIDS events.
#include <string.h>

#include "tools/convert/vmt_attrib.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_faults.h"

static struct vmt_fault *open_fault(struct vmt_conv *c, struct vmt_track *t)
{
  return t->fault >= 0 ? &c->fault[t->fault] : NULL;
}

static void release(struct vmt_fault *f, struct vmt_track *t)
{
  f->used = 0;
  t->fault = -1;
}

// The map that installed the fault's page gets the flow arrow: the one whose pa is the
// pa FAULT_END reports, else the first map. -1 when no map is held or maps are hidden.
static int flow_kid(const struct vmt_conv *c, const struct vmt_fault *f,
                    const struct vmt_record *end)
{
  int first = -1;
  if (!(c->o.types >> VMT_MAP & 1))
    return -1;
  for (unsigned i = 0; i < f->nkid; i++) {
    if (f->kid[i].type != VMT_MAP)
      continue;
    if (end && f->kid[i].b == end->b)
      return (int)i;
    if (first < 0)
      first = (int)i;
  }
  return first;
}

// Whether a fault end with this outcome names a frame in b.
static int names_page(unsigned out)
{
  return out == VMT_OUT_MAPPED || out == VMT_OUT_SPURIOUS || out == VMT_OUT_COPIED ||
         out == VMT_OUT_TAKEN;
}

// The raw scause and outcome codes are written only when their names cannot say them
// ("other", "unknown"); the fault's latency is the slice's duration, not an arg.
static void fault_args(struct vmt_conv *c, const struct vmt_fault *f,
                       const struct vmt_record *end)
{
  struct te *te = &c->te;
  const char *cause = vmt_cause_name(f->begin.arg);
  te_arg_hex(te, "va", f->begin.a);
  te_arg_hex(te, "epc", f->begin.b);
  te_arg_lit(te, "cause", cause);
  if (strcmp(cause, "other") == 0)
    te_arg_u64(te, "scause", f->begin.arg);
  te_arg_lit(te, "source", vmt_source_name(f->begin.flags & 0xf));
  te_arg_lit(te, "access", vmt_access_name(f->begin.flags >> 4));
  vmt_attrib_args(c, f);
  if (!end) {
    te_arg_lit(te, "outcome", "unfinished");
    return;
  }
  unsigned out = end->arg & VMT_END_OUTCOME;
  te_arg_lit(te, "outcome", out == VMT_OUT_NOMEM && (end->arg & VMT_END_COW)
                                ? "out of memory" : vmt_outcome_name(out));
  if (out > VMT_OUT_TAKEN)
    te_arg_u64(te, "outcome_code", out);
  if (names_page(out))
    te_arg_hex(te, "pa", end->b);
  if (end->arg & VMT_END_COW)
    te_arg_u64(te, "refs", end->arg >> VMT_END_REFS_SHIFT);
  if (end->flags >> VMT_AROUND_SHIFT)   // fault-around's extra pages, mapped inside
    te_arg_u64(te, "around_pages", end->flags >> VMT_AROUND_SHIFT);
}

// A held event of a fault that is not shown (filtered out) stands alone as an instant.
static void kid_instant(struct vmt_conv *c, struct vmt_track *t, const struct vmt_fault *f,
                        const struct vmt_kid *k)
{
  if (!vmt_filter_shows(&c->o, k->type, f->begin.pid, k->ns))
    return;
  vmt_conv_instant(c, t, NULL, vmt_type_name(k->type), k->ns);
  vmt_conv_page_args(c, k->type, k->flags, k->a, k->b, k->arg);
  te_close(&c->te);
}

// A held event inside its shown fault [start, start + dur]: a zero-length slice, clamped
// into the fault in case the fault's start moved by vmt_conv_untouch's nanosecond.
static void kid_slice(struct vmt_conv *c, struct vmt_track *t, const struct vmt_kid *k,
                      uint64 start, uint64 dur, uint64 flow)
{
  uint64 ns = k->ns < start ? start : k->ns > start + dur ? start + dur : k->ns;
  te_open(&c->te, 'X', NULL, vmt_type_name(k->type), t->pid, t->tid, ns);
  te_dur(&c->te, 0);
  if (flow)
    te_flow(&c->te, flow, 0);
  vmt_conv_page_args(c, k->type, k->flags, k->a, k->b, k->arg);
  te_close(&c->te);
}

// The arrow from the fork that shared a copy-on-write fault's page (src, a point inside
// that fork's slice) to the fault's slice, which starts at ns on t: a v1 flow, because
// its start was written long ago and one fork starts the arrows of many faults.
static void fork_flow(struct vmt_conv *c, struct vmt_track *t, const struct vmt_flow_src *src,
                      uint64 ns)
{
  uint64 id = ++c->next_flow;
  te_open(&c->te, 's', "cow", "shared at fork", src->pid, src->pid, src->ns);
  te_flow_event(&c->te, id, 0);
  te_close(&c->te);
  te_open(&c->te, 'f', "cow", "shared at fork", t->pid, t->tid, ns);
  te_flow_event(&c->te, id, 1);
  te_close(&c->te);
}

// Writes a closed fault; end is NULL when the fault never saw its FAULT_END. A
// copy-on-write fault (its end says so) is a slice of its own name, with an arrow from
// the fork that shared its page when src names one.
static void emit_group(struct vmt_conv *c, struct vmt_track *t, const struct vmt_fault *f,
                       uint64 end_ns, const struct vmt_record *end,
                       const struct vmt_flow_src *src)
{
  uint64 start = f->begin_ns, dur = end_ns - f->begin_ns;
  if (!vmt_filter_shows(&c->o, VMT_FAULT_BEGIN, f->begin.pid, start)) {
    for (unsigned i = 0; i < f->nkid; i++)
      kid_instant(c, t, f, &f->kid[i]);
    return;
  }
  vmt_conv_untouch(t, &start, &dur);
  int map = flow_kid(c, f, end);
  uint64 flow = map >= 0 ? ++c->next_flow : 0;
  vmt_conv_use(c, t);
  int cow = end && (end->arg & VMT_END_COW);
  te_open(&c->te, 'X', NULL, cow ? "cow fault" : "page fault", t->pid, t->tid, start);
  te_dur(&c->te, dur);
  if (flow)
    te_flow(&c->te, flow, 1);
  fault_args(c, f, end);
  te_close(&c->te);
  if (src && src->pid && src->ns <= start)   // (a child may fault before its FORK record)
    fork_flow(c, t, src, start);
  for (unsigned i = 0; i < f->nkid; i++)
    if (c->o.types >> f->kid[i].type & 1)
      kid_slice(c, t, &f->kid[i], start, dur, (int)i == map ? flow : 0);
}

void vmt_fault_abandon(struct vmt_conv *c, struct vmt_track *t, uint64 ns)
{
  struct vmt_fault *f = open_fault(c, t);
  if (!f)
    return;
  emit_group(c, t, f, ns, NULL, NULL);
  release(f, t);
}

// A free slot, making one by giving up the fault open longest if all are taken.
static int take_slot(struct vmt_conv *c, uint64 ns)
{
  int oldest = 0;
  for (int i = 0; i < VMT_OPEN_FAULTS; i++) {
    if (!c->fault[i].used)
      return i;
    if (c->fault[i].begin_ns < c->fault[oldest].begin_ns)
      oldest = i;
  }
  struct vmt_fault *f = &c->fault[oldest];
  struct vmt_track *t = vmt_conv_track(c, f->begin.pid, f->cpu);
  if (t && t->fault == oldest)
    vmt_fault_abandon(c, t, ns);
  f->used = 0;
  return oldest;
}

void vmt_fault_begin(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                     uint64 ns)
{
  vmt_fault_abandon(c, t, ns);          // its FAULT_END was lost
  int i = take_slot(c, ns);
  struct vmt_fault *f = &c->fault[i];
  f->used = 1;
  f->cpu = r->cpu;
  f->begin = *r;
  f->begin_ns = ns;
  f->nkid = 0;
  f->chain = (struct vmt_chain){ 0 };
  t->fault = i;
}

void vmt_fault_end(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                   uint64 ns, const struct vmt_flow_src *src)
{
  struct vmt_fault *f = open_fault(c, t);
  if (f) {
    emit_group(c, t, f, ns, r, src);
    release(f, t);
    return;
  }
  if (!vmt_filter_shows(&c->o, VMT_FAULT_END, r->pid, ns))
    return;                             // its FAULT_BEGIN was lost or predates the start
  vmt_conv_instant(c, t, NULL, "fault end (begin not recorded)", ns);
  te_arg_hex(&c->te, "va", r->a);
  te_arg_lit(&c->te, "outcome", vmt_outcome_name(r->arg & VMT_END_OUTCOME));
  if (names_page(r->arg & VMT_END_OUTCOME))
    te_arg_hex(&c->te, "pa", r->b);
  te_close(&c->te);
}

int vmt_fault_hold(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                   uint64 ns)
{
  struct vmt_fault *f = open_fault(c, t);
  if (!f || f->nkid == VMT_FAULT_KIDS)
    return 0;
  f->kid[f->nkid++] = (struct vmt_kid){ .ns = ns, .a = r->a, .b = r->b, .arg = r->arg,
                                        .type = r->type, .flags = r->flags };
  return 1;
}
