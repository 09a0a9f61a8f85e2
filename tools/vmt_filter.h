// What the user asked to see: record types, pids and a time window. Shared by the
// converter (what it writes), its --summary and vmtcheck (what they count).
#ifndef FAULTLINE_VMT_FILTER_H
#define FAULTLINE_VMT_FILTER_H

#include "tracing/vmtrace_format.h"

#define VMT_MAX_PIDS 64               // --pid options

struct vmt_filter {
  unsigned types;                     // bit t set: show records of type t
  uint32 pids[VMT_MAX_PIDS];          // show only these pids (none: all)
  unsigned npids;
  uint64 from_ns, to_ns;              // show only what starts in [from, to] (ns after start)
};

void vmt_filter_all(struct vmt_filter *f);     // shows everything
int vmt_filter_pid(const struct vmt_filter *f, uint32 pid);
int vmt_filter_shows(const struct vmt_filter *f, unsigned type, uint32 pid, uint64 ns);

#endif
