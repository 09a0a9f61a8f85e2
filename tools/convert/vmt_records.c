// One handler per record type: each updates the converter's state from every record and
// writes events only for what the filters show.
#include <stdint.h>

#include "tools/convert/vmt_attrib.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_counters.h"
#include "tools/convert/vmt_cpus.h"
#include "tools/convert/vmt_faults.h"
#include "tools/convert/vmt_pairs.h"
#include "tools/convert/vmt_perfetto.h"
#include "tools/convert/vmt_shares.h"

// A system-wide instant: filtered by type and time, never by pid.
static int shows_any_pid(const struct vmt_conv *c, unsigned type, uint64 ns)
{
  return (c->o.types >> type & 1) && ns >= c->o.from_ns && ns <= c->o.to_ns;
}

static uint64 pages(const struct vmt_conv *c, uint64 bytes)
{
  return bytes / c->h.page_size + (bytes % c->h.page_size != 0);
}

// The track of a record's pid, creating the process on first sight; *pp is NULL for the
// kernel and for a process the full table could not take (it gets the orphan track).
static struct vmt_track *resolve(struct vmt_conv *c, const struct vmt_record *r,
                                 struct vmt_proc **pp)
{
  int created;
  *pp = NULL;
  if (r->pid == 0)
    return &c->cpu[r->cpu].kctx;
  *pp = procs_get(&c->procs, r->pid, &created);
  if (*pp)
    return &(*pp)->track;
  c->orphan.pid = c->orphan.tid = r->pid;
  return &c->orphan;
}

static void on_page(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                    uint64 ns)
{
  vmt_ctr_pages(c, r, ns);
  if (vmt_fault_hold(c, t, r, ns) || !vmt_filter_shows(&c->o, r->type, r->pid, ns) ||
      vmt_pair_page(c, t, r, ns))
    return;
  vmt_conv_instant(c, t, NULL, vmt_type_name(r->type), ns);
  vmt_conv_page_args(c, r->type, r->flags, r->a, r->b, r->arg);
  te_close(&c->te);
}

// A copy-on-write fault that copied its page or took it over leaves the page the
// process's own: no longer COW. (One out of memory leaves it shared.)
static void on_fault_end(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                         uint64 ns)
{
  struct vmt_flow_src src = { 0, 0 };
  unsigned out = r->arg & VMT_END_OUTCOME;
  if (r->arg & VMT_END_COW) {
    vmt_share_source(c, r->pid, r->a, &src);
    if (out == VMT_OUT_COPIED || out == VMT_OUT_TAKEN)
      vmt_ctr_cow_end(c, r, ns);
  }
  vmt_fault_end(c, t, r, ns, &src);
}

static void on_fault(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                     uint64 ns)
{
  if (t != &c->orphan) {
    if (r->type == VMT_FAULT_BEGIN)
      vmt_fault_begin(c, t, r, ns);
    else
      on_fault_end(c, t, r, ns);
  } else if (vmt_filter_shows(&c->o, r->type, r->pid, ns)) {
    vmt_conv_instant(c, t, NULL, vmt_type_name(r->type), ns);
    te_arg_hex(&c->te, "va", r->a);
    te_close(&c->te);
  }
}

static void on_sbrk(struct vmt_conv *c, struct vmt_track *t, struct vmt_proc *p,
                    const struct vmt_record *r, uint64 ns)
{
  if (p) {
    if (!p->vknown && p->exec_ts)      // the size EXEC left (if it did not say), learnt now
      vmt_ctr_virtual(c, p, (long long)pages(c, r->a), p->exec_ts);
    p->vpages = pages(c, r->b);
    p->vknown = 1;
    vmt_ctr_virtual(c, p, (long long)p->vpages, ns);
  }
  if (!vmt_filter_shows(&c->o, VMT_SBRK, r->pid, ns))
    return;
  vmt_conv_instant(c, t, "proc", "sbrk", ns);
  te_arg_hex(&c->te, "old_break", r->a);
  te_arg_hex(&c->te, "new_break", r->b);
  te_arg_i64_safe(&c->te, "delta", (long long)(r->b - r->a));
  te_arg_lit(&c->te, "policy", vmt_policy_name(r->arg));
  te_close(&c->te);
}

// The child starts as a copy of its parent's name and size. The parent's state is read
// before the child is looked up: adding the child may rebuild the process table. Its
// resident pages restart at 0 only if the pid belonged to an exited process: a live
// entry is this child, whose copy of the parent's memory the kernel records under the
// child's pid before the FORK record, and those pages are the child's.
static void on_fork(struct vmt_conv *c, struct vmt_track *t, struct vmt_proc *p,
                    const struct vmt_record *r, uint64 ns)
{
  struct vmt_proc parent = p ? *p : (struct vmt_proc){ 0 };
  if (!vmt_share_fork(c, t, p, r, ns) && vmt_filter_shows(&c->o, VMT_FORK, r->pid, ns)) {
    vmt_conv_instant(c, t, "proc", "fork", ns);
    te_arg_u64(&c->te, "child", r->arg);
    te_close(&c->te);
  }
  int created;
  struct vmt_proc *k = r->arg && r->arg < VMT_KPID
                           ? procs_get(&c->procs, r->arg, &created) : NULL;
  if (!k)
    return;
  vmt_fault_abandon(c, &k->track, ns);
  memcpy(k->name, parent.name, VMT_NAME_MAX);
  k->named = parent.named;
  k->announced = 0;
  if (k->dead)
    k->resident = k->cow = 0;
  procs_set_dead(&c->procs, k, 0);
  k->vpages = parent.vpages;
  k->vknown = parent.vknown;
  k->image_size = parent.image_size;
  k->exec_ts = ns;                      // its image, if of unknown size, dates from now
  // The child's track exists from its fork on, if the fork is inside the window: a
  // per-test timeline names only the processes that appear in that test.
  if (vmt_filter_pid(&c->o, k->pid) && ns >= c->o.from_ns && ns <= c->o.to_ns)
    vmt_conv_use(c, &k->track);
  if (k->vknown)
    vmt_ctr_virtual(c, k, (long long)k->vpages, ns);
}

// EXEC's name: 16 bytes, the first 8 in a and the next 8 in b, both little-endian.
static void exec_name(const struct vmt_record *r, char *name)
{
  for (int i = 0; i < 8; i++) {
    name[i] = (char)(r->a >> 8 * i);
    name[8 + i] = (char)(r->b >> 8 * i);
  }
}

static void on_exec(struct vmt_conv *c, struct vmt_track *t, struct vmt_proc *p,
                    const struct vmt_record *r, uint64 ns)
{
  char name[VMT_NAME_MAX];
  exec_name(r, name);
  if (p) {
    vmt_share_forget(c, p);
    memcpy(p->name, name, VMT_NAME_MAX);
    p->named = 1;
    p->announced = 0;
    p->vknown = r->arg != 0;            // the new image's size; 0 from kernels without it
    p->vpages = pages(c, r->arg);
    p->image_size = r->arg;
    p->exec_ts = ns ? ns : 1;
    if (p->vknown)
      vmt_ctr_virtual(c, p, (long long)p->vpages, ns);
  }
  if (!vmt_filter_shows(&c->o, VMT_EXEC, r->pid, ns))
    return;
  vmt_conv_instant(c, t, "proc", "exec", ns);
  te_arg_str(&c->te, "name", name, strnlen(name, VMT_NAME_MAX));
  if (r->arg)
    te_arg_hex(&c->te, "size", r->arg);
  te_close(&c->te);
}

static void on_exit(struct vmt_conv *c, struct vmt_track *t, struct vmt_proc *p,
                    const struct vmt_record *r, uint64 ns)
{
  if (t != &c->orphan)
    vmt_fault_abandon(c, t, ns);
  if (vmt_filter_shows(&c->o, VMT_EXIT, r->pid, ns)) {
    vmt_conv_instant(c, t, "proc", "exit", ns);
    te_arg_i64(&c->te, "status", (int32_t)r->arg);
    te_close(&c->te);
  }
  if (p) {
    vmt_share_forget(c, p);
    procs_set_dead(&c->procs, p, 1);
    if (p->vknown && p->vpages)        // the address space is gone
      vmt_ctr_virtual(c, p, 0, ns);
    p->vpages = 0;
  }
}

// A share's pages count in the child at once; the fork shows them with its FORK.
static void on_share(struct vmt_conv *c, struct vmt_proc *p, const struct vmt_record *r,
                     uint64 ns)
{
  vmt_ctr_share(c, r, ns);
  vmt_share_record(c, p, r, ns);
}

static void on_kill(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                    uint64 ns)
{
  if (!vmt_filter_shows(&c->o, VMT_KILL, r->pid, ns))
    return;
  vmt_conv_instant(c, t, "proc", "kill", ns);
  te_arg_u64(&c->te, "target", r->arg);
  te_close(&c->te);
}

static void on_lost(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  struct vmt_cpu *k = &c->cpu[r->cpu];
  k->lost += r->a;                      // each at most 2^32 (the reader checks)
  if (k->lost > (1ull << 53))
    k->lost = 1ull << 53;               // a counter must stay an exact JSON number
  if (!shows_any_pid(c, VMT_LOST, ns))
    return;
  vmt_conv_instant(c, &k->run, "lost", "lost events", ns);
  te_arg_u64(&c->te, "count", r->a);
  te_close(&c->te);
  vmt_ctr_lost(c, r->cpu, ns);
}

void vmt_conv_record(struct vmt_conv *c, const struct vmt_record *r)
{
  uint64 ns = vmt_conv_ns(c, r->ts);
  struct vmt_proc *p;
  c->records++;
  c->last_ns = ns;
  space_credit(&c->space);
  vmt_ctr_prime(c, ns);
  if (r->type != VMT_MARKER)
    vmt_cpu_flush_marker(c, r->cpu);
  struct vmt_track *t = resolve(c, r, &p);
  vmt_pair_settle(c, t, r);
  switch (r->type) {
  case VMT_FAULT_BEGIN: case VMT_FAULT_END: on_fault(c, t, r, ns); break;
  case VMT_KALLOC: case VMT_KFREE: case VMT_MAP: case VMT_UNMAP: on_page(c, t, r, ns); break;
  case VMT_SBRK: on_sbrk(c, t, p, r, ns); break;
  case VMT_FORK: on_fork(c, t, p, r, ns); break;
  case VMT_EXEC: on_exec(c, t, p, r, ns); break;
  case VMT_EXIT: on_exit(c, t, p, r, ns); break;
  case VMT_KILL: on_kill(c, t, r, ns); break;
  case VMT_SWITCH: vmt_cpu_switch(c, r, ns); break;
  case VMT_MARKER: vmt_cpu_marker(c, r, ns); break;
  case VMT_LOST: on_lost(c, r, ns); break;
  case VMT_FAULT_CHAIN: if (t != &c->orphan) vmt_attrib_chain(c, t, r); break;
  case VMT_SHARE: on_share(c, p, r, ns); break;
  }
}
