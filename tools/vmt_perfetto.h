// The mapping from merged vmtrace records (in time order) to Chrome trace events that
// ui.perfetto.dev and Chrome DevTools load. Timeline layout:
//
//   process pid (named after its program; renamed at EXEC; a FORK child starts with its
//     parent's name), one thread track tid = pid:
//       "page fault" slices (X) from FAULT_BEGIN to FAULT_END with va, epc, cause,
//       source, access, outcome and pa (the latency is the slice's duration); the
//       kalloc/kfree/map/unmap that happen while the fault is open are zero-length
//       slices nested in it, and a flow arrow goes from the fault to the map that
//       installed its page. Outside a fault, a KALLOC followed on its track by the MAP of
//       that page is one "kalloc+map" slice, an UNMAP followed by the KFREE of that page
//       one "unmap+kfree" slice, and a run of such pairs with nothing else between them
//       on the track, same permissions, page after page upwards, one slice with the
//       first va and the number of pages (vmt_pairs.c); other page events are instants
//       (I), as are sbrk, fork, exec, exit, kill and markers.
//       Counters "resident pages" (user pages mapped: +1 per MAP with PTE_U, -1 per UNMAP
//       with PTE_U, taken off the process that mapped that physical page; see
//       vmt_pages.h) and "virtual pages" (image size / page size at EXEC, then break /
//       page size after each SBRK).
//   process VMT_KPID "kernel":
//       thread cpuN (tid VMT_KPID+1+N): what ran, one slice per stretch between switches;
//         lost-event instants.
//       thread "cpuN kernel" (tid VMT_KPID+16+N): events recorded with pid 0.
//       Counters "free pages" (header free_pages, -1 per KALLOC, +1 per KFREE) and
//       "lost events cpuN" (cumulative VMT_LOST counts).
//   Counter samples are thinned to about one per o.counter_ns per track (vmt_thin.h),
//   except lost events.
//
// Perfetto's importer rules kept here: ts and dur in microseconds (at most 3 decimals)
// relative to start_ts; pid and tid below 2^32 (kernel pids are below 2^31, so the
// kernel's tracks above it never collide); every X has dur; slices on one track nest
// strictly; bind_id/flow_in/flow_out are top-level keys; counter args are numbers;
// 64-bit values that may pass 2^53 (addresses, start_ts) are strings.
//
// Every event costs bytes a whole-run JSON has millions of, so nothing is written that
// a reader gets anyway: no category where the name says it all (faults, page events,
// counters), no instant scope (thread scope is the importers' default), no tid on
// counters (they belong to the process), no trailing zeros in times, no arg that
// repeats another or the duration.
#ifndef FAULTLINE_VMT_PERFETTO_H
#define FAULTLINE_VMT_PERFETTO_H

#include "kernel/param.h"
#include "tools/trace_events.h"
#include "tools/vmt_filter.h"
#include "tools/vmt_pages.h"
#include "tools/vmt_procs.h"
#include "tracing/vmtrace_format.h"

#define VMT_TOOLS_VERSION "1.0.0"
#define VMT_KPID        0x80000000u
#define VMT_RUN_TID(c)  (VMT_KPID + 1 + (c))
#define VMT_KCTX_TID(c) (VMT_KPID + 16 + (c))
#define VMT_FAULT_KIDS  16      // events held per open fault (a lazy fault has 2)
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
  struct vmt_pages pages;       // who each user page is charged to
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

int vmt_conv_init(struct vmt_conv *c, struct jw *w, const struct vmt_header *h,
                  const struct vmt_filter *o);   // writes the JSON prologue
void vmt_conv_record(struct vmt_conv *c, const struct vmt_record *r);
// Closes what is still open and writes the metadata; source names the input.
void vmt_conv_finish(struct vmt_conv *c, const char *source);
void vmt_conv_free(struct vmt_conv *c);

// Internal to the converter (vmt_perfetto.c and vmt_faults.c).
uint64 vmt_conv_ns(const struct vmt_conv *c, uint64 ts);
int vmt_conv_pid_shown(const struct vmt_conv *c, uint32 pid);
int vmt_conv_shows(const struct vmt_conv *c, unsigned type, uint32 pid, uint64 ns);
void vmt_conv_use(struct vmt_conv *c, struct vmt_track *t);
void vmt_conv_instant(struct vmt_conv *c, struct vmt_track *t, const char *cat,
                      const char *name, uint64 ns);
void vmt_conv_page_args(struct vmt_conv *c, unsigned type, unsigned flags, uint64 a, uint64 b,
                        uint32 arg);
void vmt_conv_untouch(struct vmt_track *t, uint64 *start, uint64 *dur);
struct vmt_track *vmt_conv_track(struct vmt_conv *c, uint32 pid, unsigned cpu);

void vmt_fault_begin(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                     uint64 ns);
void vmt_fault_end(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                   uint64 ns);
// Holds a kalloc/kfree/map/unmap in the open fault of t; 0 if t has no open fault.
int vmt_fault_hold(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                   uint64 ns);
// Closes t's open fault, if any, as unfinished at ns (lost FAULT_END, exit, end of input).
void vmt_fault_abandon(struct vmt_conv *c, struct vmt_track *t, uint64 ns);

// Counter tracks (vmt_counters.c). vmt_ctr_pages follows a KALLOC, KFREE, MAP or UNMAP.
void vmt_ctr_prime(struct vmt_conv *c, uint64 ns);
void vmt_ctr_pages(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
void vmt_ctr_virtual(struct vmt_conv *c, struct vmt_proc *p, long long pages, uint64 ns);
void vmt_ctr_lost(struct vmt_conv *c, unsigned cpu, uint64 ns);
void vmt_ctr_flush_proc(struct vmt_conv *c, struct vmt_proc *p);   // safe from on_forget
void vmt_ctr_finish(struct vmt_conv *c);               // writes every held sample

// Page events paired into one slice, runs of pairs into one (vmt_pairs.c).
// vmt_pair_settle runs first for every record on t: it writes t's held event alone
// unless r is its partner, and t's run unless r may start the run's next pair.
// vmt_pair_page then takes a shown page event outside a fault: returns 1 if it
// completed a pair or is now held, 0 if the caller writes it as an instant.
void vmt_pair_settle(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r);
int vmt_pair_page(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                  uint64 ns);
// Writes t's run and held event; needs no lookup in the process table (safe from
// on_forget).
void vmt_pair_flush(struct vmt_conv *c, struct vmt_track *t);
void vmt_pair_finish(struct vmt_conv *c);                      // ... on every track

// Per-CPU tracks (vmt_cpus.c): what ran, markers assembled from VMT_MORE pieces.
void vmt_cpu_switch(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
void vmt_cpu_marker(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
void vmt_cpu_flush_marker(struct vmt_conv *c, unsigned cpu);
void vmt_cpu_finish(struct vmt_conv *c);   // ends runs and markers at the last record
#endif
