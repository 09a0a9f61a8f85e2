// The track helpers every handler of the converter uses: record time to trace time, the
// track a record goes on, naming a process's track, opening an instant, a page event's
// args, and keeping slices on one track from touching.
#include <string.h>

#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_reader.h"
#include "tools/convert/vmt_tracks.h"

#define NO_END (~(uint64)0)

// The common case (a timer whose tick is a whole number of ns) costs one multiply.
uint64 vmt_conv_ns(const struct vmt_conv *c, uint64 ts)
{
  if (c->ns_per_tick)
    return (ts - c->h.start_ts) * c->ns_per_tick;
  return vmt_ns(&c->h, ts);
}

// A track that has written nothing yet and has no open fault.
void vmt_track_init(struct vmt_track *t, uint32 pid, uint32 tid)
{
  t->pid = pid;
  t->tid = tid;
  t->last_end = NO_END;
  t->fault = -1;
}

// The track of an existing process (or of a CPU's kernel context for pid 0); NULL if
// the process is not in the table.
struct vmt_track *vmt_conv_track(struct vmt_conv *c, uint32 pid, unsigned cpu)
{
  if (pid == 0)
    return &c->cpu[cpu].kctx;
  struct vmt_proc *p = procs_find(&c->procs, pid);
  return p ? &p->track : NULL;
}

// DevTools computes a slice's end as ts + dur in floating point, which can land a hair
// past the start of a slice that begins exactly there; it then drops that slice as an
// overlap. Starting such a slice 1 ns later keeps every reader's nesting the same, and
// 1 ns is far below the 100 ns tick of QEMU's timer, so no information is lost.
void vmt_conv_untouch(struct vmt_track *t, uint64 *start, uint64 *dur)
{
  if (*dur > 0 && *start == t->last_end) {
    (*start)++;
    (*dur)--;
  }
  if (*dur > 0)
    t->last_end = *start + *dur;
}

// Names a process's track the first time it is used, and again after EXEC renamed it.
void vmt_conv_use(struct vmt_conv *c, struct vmt_track *t)
{
  if (t->pid >= VMT_KPID)
    return;
  struct vmt_proc *p = procs_find(&c->procs, t->pid);
  if (!p || !p->named || p->announced)
    return;
  size_t n = strnlen(p->name, VMT_NAME_MAX);
  te_meta_name(&c->te, "process_name", t->pid, t->pid, p->name, n);
  te_meta_name(&c->te, "thread_name", t->pid, t->tid, p->name, n);
  p->announced = 1;
}

// Opens an instant on t (thread-scoped: no "s" key needed); the caller adds args and
// closes it. cat may be NULL.
void vmt_conv_instant(struct vmt_conv *c, struct vmt_track *t, const char *cat,
                      const char *name, uint64 ns)
{
  vmt_conv_use(c, t);
  te_open(&c->te, 'I', cat, name, t->pid, t->tid, ns);
}

void vmt_conv_page_args(struct vmt_conv *c, unsigned type, unsigned flags, uint64 a, uint64 b,
                        uint32 arg)
{
  if (type == VMT_KALLOC || type == VMT_KFREE) {
    te_arg_hex(&c->te, "pa", a);
    te_arg_lit(&c->te, "use", vmt_page_use_name(flags));
    return;
  }
  char perm[5];
  vmt_perm_string(arg, perm);
  te_arg_hex(&c->te, "va", a);
  te_arg_hex(&c->te, "pa", b);
  te_arg_lit(&c->te, "perm", perm);
}
