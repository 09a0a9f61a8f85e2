// Open addressing with linear probing, at most half full so probes stay short. Growing,
// and removing exited processes, rebuild the table (probing leaves no holes to patch).
#include <stdlib.h>
#include <string.h>

#include "tools/convert/vmt_procs.h"

int procs_init(struct vmt_procs *t)
{
  memset(t, 0, sizeof *t);
  t->cap = VMT_PROCS_MIN;
  t->slot = calloc(t->cap, sizeof *t->slot);
  return t->slot ? 0 : -1;
}

void procs_free(struct vmt_procs *t)
{
  free(t->slot);
  t->slot = NULL;
}

static uint32 hash(uint32 pid)
{
  return (pid * 2654435761u) >> 16;   // Knuth's multiplicative hash, top 16 bits
}

static struct vmt_proc *probe(struct vmt_proc *slot, uint32 cap, uint32 pid)
{
  uint32 i = hash(pid) & (cap - 1);
  while (slot[i].pid && slot[i].pid != pid)
    i = (i + 1) & (cap - 1);
  return &slot[i];
}

struct vmt_proc *procs_find(struct vmt_procs *t, uint32 pid)
{
  struct vmt_proc *p = probe(t->slot, t->cap, pid);
  return p->pid ? p : NULL;
}

// Rebuilds the table with cap slots, leaving out exited processes if `forget` (their
// open faults were closed at EXIT, so nothing else points at them).
static void rebuild(struct vmt_procs *t, uint32 cap, int forget)
{
  struct vmt_proc *old = t->slot;
  struct vmt_proc *fresh = calloc(cap, sizeof *fresh);
  if (!fresh)
    return;
  uint32 oldcap = t->cap;
  t->n = 0;
  t->ndead = 0;
  for (uint32 i = 0; i < oldcap; i++) {
    if (!old[i].pid)
      continue;
    if (forget && old[i].dead) {
      if (t->on_forget)
        t->on_forget(t->ctx, &old[i]);
      t->forgotten++;
      continue;
    }
    *probe(fresh, cap, old[i].pid) = old[i];
    t->n++;
    t->ndead += old[i].dead;
  }
  free(old);
  t->slot = fresh;
  t->cap = cap;
}

// Room for one more entry: grow while allowed, then forget exited processes.
static int make_room(struct vmt_procs *t)
{
  if (t->n < t->cap / 2)
    return 1;
  // Mostly exited processes (the usual case: a kernel has few live ones): forget them
  // rather than grow, so memory follows the live processes, not the recording's length.
  if (t->ndead && (t->ndead >= t->n / 2 || t->cap == VMT_PROCS_SLOTS))
    rebuild(t, t->cap, 1);
  else if (t->cap < VMT_PROCS_SLOTS)
    rebuild(t, t->cap * 2, 0);
  return t->n < t->cap / 2;
}

struct vmt_proc *procs_get(struct vmt_procs *t, uint32 pid, int *created)
{
  struct vmt_proc *p = probe(t->slot, t->cap, pid);
  *created = 0;
  if (p->pid)
    return p;
  if (t->n >= t->cap / 2) {
    if (!make_room(t))
      return NULL;
    p = probe(t->slot, t->cap, pid);
  }
  memset(p, 0, sizeof *p);
  p->pid = pid;
  p->track.pid = p->track.tid = pid;
  p->track.fault = -1;
  t->n++;
  *created = 1;
  return p;
}

void procs_set_dead(struct vmt_procs *t, struct vmt_proc *p, int dead)
{
  if (p->dead != !!dead)
    t->ndead += dead ? 1 : -1;
  p->dead = (uint8)!!dead;
}
