// Records to trace events: per-record handlers, the process and CPU tracks, counters and
// markers. State is updated from every record; the filters (--events, --pid, --from/--to)
// only decide what is written, so counters stay right whatever is hidden.
#include <stdio.h>
#include <stdlib.h>

#include "tools/convert/vmt_symbols.h"
#include "tools/vmt_names.h"
#include "tools/vmt_perfetto.h"
#include "tools/vmt_reader.h"

#define NO_END (~(uint64)0)

// The common case (a timer whose tick is a whole number of ns) costs one multiply.
uint64 vmt_conv_ns(const struct vmt_conv *c, uint64 ts)
{
  if (c->ns_per_tick)
    return (ts - c->h.start_ts) * c->ns_per_tick;
  return vmt_ns(&c->h, ts);
}

int vmt_conv_pid_shown(const struct vmt_conv *c, uint32 pid)
{
  return vmt_filter_pid(&c->o, pid);
}

int vmt_conv_shows(const struct vmt_conv *c, unsigned type, uint32 pid, uint64 ns)
{
  return vmt_filter_shows(&c->o, type, pid, ns);
}

static void init_track(struct vmt_track *t, uint32 pid, uint32 tid)
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

// The process table is about to forget exited process p: what it holds back is written
// now, or never.
static void forget(void *conv, struct vmt_proc *p)
{
  vmt_pair_flush(conv, &p->track);
  vmt_ctr_flush_proc(conv, p);
}

int vmt_conv_init(struct vmt_conv *c, struct jw *w, const struct vmt_header *h,
                  const struct vmt_filter *o)
{
  memset(c, 0, sizeof *c);
  te_init(&c->te, w);
  c->h = *h;
  c->o = *o;
  if (o->syms)                // the image size each ELF should have depends on it
    vmt_syms_page_size(o->syms, h->page_size);
  c->free_pages = (long long)h->free_pages;
  if (1000000000ull % h->timer_hz == 0)
    c->ns_per_tick = 1000000000ull / h->timer_hz;
  c->fault = calloc(VMT_OPEN_FAULTS, sizeof *c->fault);
  if (!c->fault || procs_init(&c->procs) < 0 || pages_init(&c->pages) < 0)
    return -1;
  c->procs.on_forget = forget;
  c->procs.ctx = c;
  init_track(&c->orphan, 0, 0);
  jw_lit(w, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  te_meta_name(&c->te, "process_name", VMT_KPID, VMT_KPID, "kernel", 6);
  for (unsigned i = 0; i < h->ncpu; i++) {
    char name[24];
    init_track(&c->cpu[i].run, VMT_KPID, VMT_RUN_TID(i));
    init_track(&c->cpu[i].kctx, VMT_KPID, VMT_KCTX_TID(i));
    te_meta_name(&c->te, "thread_name", VMT_KPID, VMT_RUN_TID(i), name,
                 (size_t)snprintf(name, sizeof name, "cpu%u", i));
    te_meta_name(&c->te, "thread_name", VMT_KPID, VMT_KCTX_TID(i), name,
                 (size_t)snprintf(name, sizeof name, "cpu%u kernel", i));
  }
  return 0;
}

void vmt_conv_free(struct vmt_conv *c)
{
  free(c->fault);
  c->fault = NULL;
  procs_free(&c->procs);
  pages_free(&c->pages);
}

static void write_metadata(struct vmt_conv *c, const char *source)
{
  struct jw *w = c->te.w;
  jw_lit(w, "\n],\n\"metadata\":{\"vmtrace\":{\"version\":");
  jw_u64(w, c->h.version);
  jw_lit(w, ",\"ncpu\":");
  jw_u64(w, c->h.ncpu);
  jw_lit(w, ",\"timer_hz\":");
  jw_u64(w, c->h.timer_hz);
  jw_lit(w, ",\"page_size\":");
  jw_u64(w, c->h.page_size);
  jw_lit(w, ",\"free_pages\":");
  jw_u64(w, c->h.free_pages);
  jw_lit(w, ",\"start_ts\":\"");     // may pass 2^53: a string keeps every digit
  jw_u64(w, c->h.start_ts);
  jw_lit(w, "\"},\"converter\":\"vmtrace2perfetto " VMT_TOOLS_VERSION "\",\"source\":");
  jw_str(w, source, strlen(source));
  jw_lit(w, ",\"records\":");
  jw_u64(w, c->records);
  jw_lit(w, ",\"events\":");
  jw_u64(w, c->te.nevents);
  jw_lit(w, ",\"processes_forgotten\":");
  jw_u64(w, c->procs.forgotten);
  jw_lit(w, "}}\n");
}

void vmt_conv_finish(struct vmt_conv *c, const char *source)
{
  vmt_cpu_finish(c);
  for (int i = 0; i < VMT_OPEN_FAULTS; i++) {
    struct vmt_fault *f = &c->fault[i];
    struct vmt_track *t = f->used ? vmt_conv_track(c, f->begin.pid, f->cpu) : NULL;
    if (t && t->fault == i)
      vmt_fault_abandon(c, t, c->last_ns);
    f->used = 0;
  }
  vmt_pair_finish(c);
  vmt_ctr_finish(c);
  write_metadata(c, source);
}
