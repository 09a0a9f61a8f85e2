// Starting and finishing a conversion: the converter's state, the JSON prologue (the
// kernel's process and CPU track names), and at the end whatever is still held open
// (runs, faults, pairs, counter samples) and the metadata. Records in between go to
// vmt_records.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert/vmt_counters.h"
#include "tools/convert/vmt_cpus.h"
#include "tools/convert/vmt_faults.h"
#include "tools/convert/vmt_pairs.h"
#include "tools/convert/vmt_perfetto.h"
#include "tools/convert/vmt_symbols.h"

// The process table is about to forget exited process p: what it holds back is written
// now, or never.
static void forget(void *conv, struct vmt_proc *p)
{
  vmt_pair_flush(conv, &p->track);
  vmt_ctr_flush_proc(conv, p);
}

struct vmt_conv *vmt_conv_new(struct jw *w, const struct vmt_header *h,
                              const struct vmt_filter *o)
{
  struct vmt_conv *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  te_init(&c->te, w);
  c->h = *h;
  c->o = *o;
  if (o->syms)                // the image size each ELF should have depends on it
    vmt_syms_page_size(o->syms, h->page_size);
  c->free_pages = (long long)h->free_pages;
  if (1000000000ull % h->timer_hz == 0)
    c->ns_per_tick = 1000000000ull / h->timer_hz;
  c->fault = calloc(VMT_OPEN_FAULTS, sizeof *c->fault);
  if (!c->fault || procs_init(&c->procs) < 0 || space_init(&c->space, h->page_size) < 0) {
    vmt_conv_free(c);
    return NULL;
  }
  c->procs.on_forget = forget;
  c->procs.ctx = c;
  vmt_track_init(&c->orphan, 0, 0);
  jw_lit(w, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  te_meta_name(&c->te, "process_name", VMT_KPID, VMT_KPID, "kernel", 6);
  for (unsigned i = 0; i < h->ncpu; i++) {
    char name[24];
    vmt_track_init(&c->cpu[i].run, VMT_KPID, VMT_RUN_TID(i));
    vmt_track_init(&c->cpu[i].kctx, VMT_KPID, VMT_KCTX_TID(i));
    te_meta_name(&c->te, "thread_name", VMT_KPID, VMT_RUN_TID(i), name,
                 (size_t)snprintf(name, sizeof name, "cpu%u", i));
    te_meta_name(&c->te, "thread_name", VMT_KPID, VMT_KCTX_TID(i), name,
                 (size_t)snprintf(name, sizeof name, "cpu%u kernel", i));
  }
  return c;
}

void vmt_conv_free(struct vmt_conv *c)
{
  if (!c)
    return;
  free(c->fault);
  procs_free(&c->procs);
  space_free(&c->space);
  free(c->share);
  free(c);
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
