// Merges the per-CPU streams of a recording into one stream in time order.
//
// Records of one CPU arrive in time order (the reader enforces it), but the recorder
// drains the CPUs' buffers in turns, so a record of CPU 1 may arrive after later records
// of CPU 0. The merge keeps a FIFO per CPU and releases the oldest head once no CPU can
// still send anything older: a CPU with an empty FIFO will never send a record older
// than the last one it sent. A CPU that stays silent would hold everything back, so the
// records held are bounded by a window: when more than `window` records are held, the
// oldest is released anyway.
//
// The bound: memory is at most window * sizeof(struct vmt_merge_item) (56 bytes), whatever
// the size of the recording. If a record then arrives that is older than one already
// released, the recorder delivered it more than `window` records late; the merge reports
// an error naming its offset (rather than silently reordering time) and the fix is a
// larger window. The window only needs to exceed the records that can sit in all the
// kernel's ring buffers at once.
#ifndef FAULTLINE_VMT_MERGE_H
#define FAULTLINE_VMT_MERGE_H

#include "kernel/param.h"
#include "tracing/vmtrace_format.h"

// The kernel's rings hold 32K records per CPU; 8 CPUs' full rings fit in half the default.
#define VMT_MERGE_WINDOW_DEFAULT (1u << 19)  // 524,288 records: about 29 MiB held at most
#define VMT_MERGE_WINDOW_MAX     (1u << 20)  // about 59 MiB held

struct vmt_merge_item {
  struct vmt_record rec;
  uint64 off;
  uint32 next;              // index of the next item in the same FIFO, or the free list
};

struct vmt_merge {
  unsigned ncpu;
  uint32 window;
  struct vmt_merge_item *pool;
  uint32 cap, used, held, free_list;
  struct { uint32 head, tail, n; uint64 last_ts; } q[NCPU];
  uint64 out_ts;            // timestamp of the last record released
  uint32 max_held;          // most records held at once (for --summary and tests)
  char err[256];
};

int vmt_merge_init(struct vmt_merge *m, unsigned ncpu, uint64 start_ts, uint32 window);
// Adds a record. 0, or -1 with m->err set if it is older than a released record.
int vmt_merge_push(struct vmt_merge *m, const struct vmt_record *rec, uint64 off);
// Releases the oldest record if that is safe (or `draining`, at the end of input).
// 1 with *rec and *off set, 0 if nothing may be released now.
int vmt_merge_pop(struct vmt_merge *m, int draining, struct vmt_record *rec, uint64 *off);
void vmt_merge_free(struct vmt_merge *m);

#endif
