// The per-CPU side of the timeline: a slice for each stretch a process ran (VMT_SWITCH to
// the next VMT_SWITCH), and markers, whose text arrives in 16-byte pieces on one CPU.
#include <stdio.h>

#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_cpus.h"

// Writes the run of k's current process over [start, ns], clipped to the window.
static void end_run(struct vmt_conv *c, struct vmt_cpu *k, uint64 ns)
{
  uint32 pid = k->running;
  k->running = 0;
  if (!pid || !(c->o.types >> VMT_SWITCH & 1) || k->run_start > c->o.to_ns ||
      ns < c->o.from_ns || !vmt_filter_pid(&c->o, pid))
    return;
  uint64 start = k->run_start > c->o.from_ns ? k->run_start : c->o.from_ns;
  uint64 end = ns < c->o.to_ns ? ns : c->o.to_ns;
  uint64 dur = end - start;
  struct vmt_proc *p = procs_find(&c->procs, pid);
  char name[32];
  size_t n;
  if (p && p->named) {
    n = strnlen(p->name, VMT_NAME_MAX);
    memcpy(name, p->name, n);
  } else {
    n = (size_t)snprintf(name, sizeof name, "pid %u", pid);
  }
  vmt_conv_untouch(&k->run, &start, &dur);
  te_open_str(&c->te, 'X', "sched", name, n, k->run.pid, k->run.tid, start);
  te_dur(&c->te, dur);
  te_arg_u64(&c->te, "pid", pid);
  te_close(&c->te);
}

void vmt_cpu_switch(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  struct vmt_cpu *k = &c->cpu[r->cpu];
  end_run(c, k, ns);
  k->running = r->pid;
  k->run_start = ns;
}

void vmt_cpu_flush_marker(struct vmt_conv *c, unsigned cpu)
{
  struct vmt_marker *m = &c->cpu[cpu].marker;
  if (!m->open)
    return;
  m->open = 0;
  if (!vmt_filter_shows(&c->o, VMT_MARKER, m->pid, m->ns))
    return;
  struct vmt_track *t = vmt_conv_track(c, m->pid, cpu);
  if (!t)
    return;                     // the process left the table meanwhile
  vmt_conv_use(c, t);
  if (m->len)
    te_open_str(&c->te, 'I', "marker", m->text, m->len, t->pid, t->tid, m->ns);
  else
    te_open(&c->te, 'I', "marker", "marker", t->pid, t->tid, m->ns);
  te_arg_str(&c->te, "text", m->text, m->len);
  te_close(&c->te);
}

void vmt_cpu_marker(struct vmt_conv *c, const struct vmt_record *r, uint64 ns)
{
  struct vmt_marker *m = &c->cpu[r->cpu].marker;
  if (!m->open) {
    m->open = 1;
    m->pid = r->pid;
    m->ns = ns;
    m->len = 0;
  }
  for (int i = 0; i < 16; i++) {
    char ch = (char)((i < 8 ? r->a : r->b) >> 8 * (i % 8));
    if (ch == 0)
      break;
    if (m->len < VMT_MARKER_MAX)
      m->text[m->len++] = ch;
  }
  if (!(r->flags & VMT_MORE))
    vmt_cpu_flush_marker(c, r->cpu);
}

void vmt_cpu_finish(struct vmt_conv *c)
{
  for (unsigned i = 0; i < c->h.ncpu; i++) {
    vmt_cpu_flush_marker(c, i);
    end_run(c, &c->cpu[i], c->last_ns);
  }
}
