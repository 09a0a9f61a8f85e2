// The converter's interface: merged vmtrace records (in time order) in, Chrome trace
// events that ui.perfetto.dev and Chrome DevTools load out. Its state and the handlers
// behind it are internal (vmt_tracks.h and the files it lists). Timeline layout:
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
//       Copy-on-write fork (version 4, vmt_shares.c): a fork with shares is one "fork"
//       slice from its first VMT_SHARE to its FORK (pages shared, COW and read-only,
//       runs, child); a fault whose end has VMT_END_COW is a "cow fault" slice (outcome,
//       refs, pa), with a v1 flow ("s" in the fork slice, "f" bound to the fault) from
//       the fork that last shared its page, in the child and in the parent.
//       Counters "resident" (user pages mapped in its page table: a shared frame counts
//       in each process; see vmt_space.h), "virtual" (image size / page size at EXEC,
//       then break / page size after each SBRK) and, version 4, "cow shared" (its
//       copy-on-write pages).
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
// strictly; bind_id/flow_in/flow_out are top-level keys; a v1 flow event (s, f) lies
// inside a slice of its track; counter args are numbers;
// 64-bit values that may pass 2^53 (addresses, start_ts) are strings.
//
// Every event costs bytes a whole-run JSON has millions of, so nothing is written that
// a reader gets anyway: no category where the name says it all (faults, page events,
// counters), no instant scope (thread scope is the importers' default), no tid on
// counters (they belong to the process), no trailing zeros in times, no arg that
// repeats another or the duration.
#ifndef FAULTLINE_VMT_PERFETTO_H
#define FAULTLINE_VMT_PERFETTO_H

#include "tools/convert/json_writer.h"
#include "tools/convert/vmt_filter.h"
#include "tracing/vmtrace_format.h"

#define VMT_TOOLS_VERSION "1.0.0"

struct vmt_conv;                // the converter's state (vmt_tracks.h)

// Writes the JSON prologue to w; NULL if out of memory. w must outlive the converter.
struct vmt_conv *vmt_conv_new(struct jw *w, const struct vmt_header *h,
                              const struct vmt_filter *o);
// One record, in time order (vmt_records.c).
void vmt_conv_record(struct vmt_conv *c, const struct vmt_record *r);
// Closes what is still open and writes the metadata; source names the input.
void vmt_conv_finish(struct vmt_conv *c, const char *source);
void vmt_conv_free(struct vmt_conv *c);   // c may be NULL
#endif
