// The counter tracks: free pages (the kernel's), resident, virtual and copy-on-write
// pages (each process's) and lost events (each CPU's). Values follow every record; samples are
// written for what the filters show, thinned (vmt_thin.h) to about one per
// o.counter_ns per track. Lost events are not thinned: they are rare, and each one
// says the recording has a gap.
#include <stdio.h>

#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_counters.h"

static void write_sample(struct vmt_conv *c, uint32 pid, const char *name,
                         struct vmt_sample s)
{
  te_counter(&c->te, name, pid, s.ns);
  te_arg_i64(&c->te, "pages", s.v);
  te_close(&c->te);
}

static void thinned(struct vmt_conv *c, struct vmt_thin *t, uint32 pid, const char *name,
                    long long v, uint64 ns)
{
  struct vmt_sample out[2];
  unsigned n = thin_update(t, v, ns, c->o.counter_ns, out);
  for (unsigned i = 0; i < n; i++)
    write_sample(c, pid, name, out[i]);
}

static void flush(struct vmt_conv *c, struct vmt_thin *t, uint32 pid, const char *name)
{
  struct vmt_sample s;
  if (thin_flush(t, &s))
    write_sample(c, pid, name, s);
}

// A system-wide counter: filtered by type and time, never by pid.
static int shows_any_pid(const struct vmt_conv *c, unsigned type, uint64 ns)
{
  return (c->o.types >> type & 1) && ns >= c->o.from_ns && ns <= c->o.to_ns;
}

static void proc_counter(struct vmt_conv *c, struct vmt_proc *p, unsigned type,
                         struct vmt_thin *t, const char *name, long long v, uint64 ns)
{
  if (!vmt_filter_shows(&c->o, type, p->pid, ns))
    return;
  vmt_conv_use(c, &p->track);
  thinned(c, t, p->pid, name, v, ns);
}

void vmt_ctr_virtual(struct vmt_conv *c, struct vmt_proc *p, long long pages, uint64 ns)
{
  proc_counter(c, p, VMT_SBRK, &p->virtual_thin, "virtual", pages, ns);
}

// The free pages counter starts at the window's start with the value it has there.
void vmt_ctr_prime(struct vmt_conv *c, uint64 ns)
{
  if (c->primed || ns < c->o.from_ns)
    return;
  c->primed = 1;
  if (c->o.types & (1u << VMT_KALLOC | 1u << VMT_KFREE))
    thinned(c, &c->free_thin, VMT_KPID, "free", c->free_pages, c->o.from_ns);
}

// Adds d to the resident pages of process pid, if the converter knows it.
static void charge(struct vmt_conv *c, uint32 pid, long long d, unsigned type, uint64 ns)
{
  struct vmt_proc *p = pid && d ? procs_find(&c->procs, pid) : NULL;
  if (!p)
    return;
  p->resident += d;
  proc_counter(c, p, type, &p->resident_thin, "resident", p->resident, ns);
}

// Adds d to the copy-on-write pages of process pid. Only version 4 has a counter for
// them: older recordings convert as they always did.
static void charge_cow(struct vmt_conv *c, uint32 pid, long long d, unsigned type, uint64 ns)
{
  struct vmt_proc *p = pid && d && c->h.version >= 4 ? procs_find(&c->procs, pid) : NULL;
  if (!p)
    return;
  p->cow += d;
  proc_counter(c, p, type, &p->cow_thin, "cow shared", p->cow, ns);
}

// A user page counts in every process that maps it (vmt_space.h says whose an unmap is).
static void resident_pages(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  int cow = (r->arg & VMT_PTE_COW) != 0;
  struct vmt_space_delta d = r->type == VMT_MAP
                                 ? space_map(&c->space, r->pid, r->a, r->b, cow)
                                 : space_unmap(&c->space, r->pid, r->a, r->b, r->arg);
  if (!d.pid)
    return;
  charge(c, d.pid, d.resident, r->type, ns);
  charge_cow(c, d.pid, d.cow, r->type, ns);
}

void vmt_ctr_pages(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  if (r->type == VMT_KALLOC || r->type == VMT_KFREE) {
    c->free_pages += r->type == VMT_KFREE ? 1 : -1;
    if (shows_any_pid(c, r->type, ns))
      thinned(c, &c->free_thin, VMT_KPID, "free", c->free_pages, ns);
  } else if (r->type == VMT_UNMAP || (r->arg & VMT_PTE_U)) {
    resident_pages(c, r, ns);
  }
}

void vmt_ctr_share(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  int cow = (r->flags & VMT_SHARE_COW) != 0;
  struct vmt_share_delta d = space_share(&c->space, r->pid, r->arg, r->a, r->b, cow);
  charge(c, r->pid, d.resident, VMT_SHARE, ns);
  charge_cow(c, r->pid, d.cow, VMT_SHARE, ns);
  charge_cow(c, r->arg, d.parent_cow, VMT_SHARE, ns);
}

void vmt_ctr_cow_end(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  charge_cow(c, r->pid, space_cow_done(&c->space, r->pid, r->a, r->b), VMT_SHARE, ns);
}

void vmt_ctr_lost(struct vmt_conv *c, unsigned cpu, uint64 ns)
{
  char key[8];
  snprintf(key, sizeof key, "cpu%u", cpu);
  te_counter(&c->te, "lost events", VMT_KPID, ns);
  te_arg_i64(&c->te, key, (long long)c->cpu[cpu].lost);
  te_close(&c->te);
}

// Writes what a process's counter tracks hold back: at the end, and before the process
// table forgets it. Touches nothing but p and the output, because the table may be in the
// middle of a rebuild. (A pid reused by FORK needs nothing: its counters restart at 0,
// so the next sample turns around and writes what was held.)
void vmt_ctr_flush_proc(struct vmt_conv *c, struct vmt_proc *p)
{
  flush(c, &p->resident_thin, p->pid, "resident");
  flush(c, &p->virtual_thin, p->pid, "virtual");
  flush(c, &p->cow_thin, p->pid, "cow shared");
}

void vmt_ctr_finish(struct vmt_conv *c)
{
  flush(c, &c->free_thin, VMT_KPID, "free");
  for (uint32 i = 0; i < c->procs.cap; i++)
    if (c->procs.slot[i].pid)
      vmt_ctr_flush_proc(c, &c->procs.slot[i]);
}
