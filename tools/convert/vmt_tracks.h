// The converter's internals: its state, and the track helpers every part uses
// (vmt_tracks.c). Above them, one file per part of the timeline, none calling another:
// vmt_faults.c, vmt_pairs.c, vmt_counters.c, vmt_cpus.c, vmt_shares.c. On top, vmt_records.c (one
// handler per record type, calling the parts) and vmt_perfetto.c (starting and finishing
// a conversion). Nothing calls upwards. Callers outside the converter use vmt_perfetto.h.
#ifndef FAULTLINE_VMT_TRACKS_H
#define FAULTLINE_VMT_TRACKS_H

#include "kernel/param.h"
#include "tools/convert/trace_events.h"
#include "tools/convert/vmt_filter.h"
#include "tools/convert/vmt_space.h"
#include "tools/convert/vmt_procs.h"
#include "tools/convert/vmt_thin.h"
#include "tracing/vmtrace_format.h"

#define VMT_KPID        0x80000000u
#define VMT_RUN_TID(c)  (VMT_KPID + 1 + (c))
#define VMT_KCTX_TID(c) (VMT_KPID + 16 + (c))
// Events held per open fault: a lazy fault has 2 (kalloc, map), a fault-around fault 2 per
// page for up to VMT_AROUND_MAX + 1 pages, and a page-table page per 2 MiB it crosses.
#define VMT_FAULT_KIDS  (2 * (VMT_AROUND_MAX + 1) + 4)
#define VMT_OPEN_FAULTS 128     // open faults at once (the kernel has NPROC = 64 procs)
#define VMT_MARKER_MAX  256     // bytes of one marker's text kept

struct vmt_kid {                // an event held inside an open fault
  uint64 ns, a, b;
  uint32 arg;
  uint16 type;
  uint8 flags;
};

struct vmt_chain {              // a fault's VMT_FAULT_CHAIN (vmt_attrib.h)
  uint32 ra[VMT_CHAIN_MAX];     // return addresses, innermost first
  uint8 n, truncated, seen;
};

struct vmt_fault {
  uint8 used;
  uint8 cpu;                    // for pid 0: whose kernel track
  struct vmt_record begin;
  uint64 begin_ns;
  struct vmt_kid kid[VMT_FAULT_KIDS];
  unsigned nkid;
  struct vmt_chain chain;
};

// Where a flow starts: a point inside a slice on process pid's track.
struct vmt_flow_src {
  uint32 pid;            // 0: no flow
  uint64 ns;
};

// One run of pages a fork shared copy-on-write, in the history of one process (the
// child's, and the parent's: its pages became COW at that fork too), newest first.
struct vmt_share {
  uint64 va, pages;
  struct vmt_flow_src src;      // the fork's slice; pid 0 while its FORK is not yet seen
  uint32 next;                  // the process's next older run, or the next free entry
  uint8 state;                  // VMT_SHARE_PENDING, _FLOW or _NOFLOW
};
#define VMT_SHARE_PENDING 1
#define VMT_SHARE_FLOW    2     // its fork is on the timeline: COW faults flow from it
#define VMT_SHARE_NOFLOW  3     // its fork was filtered out
#define VMT_SHARES_MAX    (1u << 16)   // runs remembered at once (2.5 MiB)

struct vmt_marker {
  uint8 open;
  uint32 pid;
  uint64 ns;
  size_t len;
  char text[VMT_MARKER_MAX];
};

struct vmt_cpu {
  struct vmt_track run;         // what ran
  struct vmt_track kctx;        // events with pid 0
  uint32 running;               // pid on the CPU, 0 when idle
  uint64 run_start;             // ns
  uint64 lost;                  // records lost so far
  struct vmt_marker marker;     // text being assembled from VMT_MORE pieces
};

struct vmt_conv {
  struct te te;
  struct vmt_header h;
  struct vmt_filter o;
  struct vmt_procs procs;
  struct vmt_space space;       // which user pages each process maps
  struct vmt_share *share;      // VMT_SHARES_MAX entries; entry 0 is unused
  uint32 share_free, share_used;// free list head; entries never used yet start here
  struct vmt_fault *fault;      // VMT_OPEN_FAULTS slots
  struct vmt_cpu cpu[NCPU];
  struct vmt_track orphan;      // stand-in track when the process table is full
  long long free_pages;
  struct vmt_thin free_thin;    // what the free pages track holds back
  uint64 ns_per_tick;           // 0 when 1e9 / timer_hz is not whole
  uint64 last_ns;               // time of the latest record
  uint64 next_flow;
  uint64 records;
  uint8 primed;                 // free pages written at the window's start
};

// What every handler uses (vmt_tracks.c).
void vmt_track_init(struct vmt_track *t, uint32 pid, uint32 tid);
uint64 vmt_conv_ns(const struct vmt_conv *c, uint64 ts);
void vmt_conv_use(struct vmt_conv *c, struct vmt_track *t);
void vmt_conv_instant(struct vmt_conv *c, struct vmt_track *t, const char *cat,
                      const char *name, uint64 ns);
void vmt_conv_page_args(struct vmt_conv *c, unsigned type, unsigned flags, uint64 a, uint64 b,
                        uint32 arg);
void vmt_conv_untouch(struct vmt_track *t, uint64 *start, uint64 *dur);
struct vmt_track *vmt_conv_track(struct vmt_conv *c, uint32 pid, unsigned cpu);

#endif
