// What the user asked to see: record types, pids and a time window, and for the
// converter how finely counters are sampled. Shared by the converter (what it writes),
// its --summary and vmtcheck (what they count).
#ifndef FAULTLINE_VMT_FILTER_H
#define FAULTLINE_VMT_FILTER_H

#include "tracing/vmtrace_format.h"

struct vmt_syms;

#define VMT_MAX_PIDS 64               // --pid options

struct vmt_filter {
  unsigned types;                     // bit t set: show records of type t
  uint32 pids[VMT_MAX_PIDS];          // show only these pids (none: all)
  unsigned npids;
  uint64 from_ns, to_ns;              // show only what starts in [from, to] (ns after start)
  uint64 counter_ns;                  // counter samples about this far apart (vmt_thin.h);
                                      // 0: every change
  struct vmt_syms *syms;              // where the converter names pcs (vmt_symbols.h);
                                      // NULL: no `at`, hex stacks
};

#define VMT_COUNTER_NS_DEFAULT 250000 // the converter's: 250 us

void vmt_filter_all(struct vmt_filter *f);     // shows everything, every counter change
int vmt_filter_pid(const struct vmt_filter *f, uint32 pid);
int vmt_filter_shows(const struct vmt_filter *f, unsigned type, uint32 pid, uint64 ns);

#endif
