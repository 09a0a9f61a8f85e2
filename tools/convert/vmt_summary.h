// Counts of a recording's records (per type and CPU, faults by outcome, page events
// inside faults, records lost), and their printout: what vmtcheck reports and what the
// converter's --summary prints instead of JSON.
#ifndef FAULTLINE_VMT_SUMMARY_H
#define FAULTLINE_VMT_SUMMARY_H

#include <stdio.h>

#include "kernel/param.h"
#include "tracing/vmtrace_format.h"

#define VMT_SUMMARY_OPEN 128    // faults tracked open at once, as in the converter

struct vmt_summary {
  struct vmt_header h;
  uint64 records, first_ts, last_ts;   // records as written (implied ones: below)
  uint64 implied;               // records a written one implied (counted by type too)
  uint64 count[VMT_NTYPES][NCPU];
  uint64 outcome[VMT_OUT_SPURIOUS + 2];   // FAULT_END by outcome; the last: unknown ones
  uint64 around;                // pages fault-around mapped after the faulting ones
  uint64 in_fault[VMT_NTYPES];  // page events while their process had a fault open
                                // (kalloc and kfree: data pages only)
  uint64 ptpages_in_fault;      // page-table pages allocated inside faults
  uint64 dropped[NCPU];         // sum of VMT_LOST counts
  long long free_delta;         // KFREE records minus KALLOC records
  uint32 open[VMT_SUMMARY_OPEN];// processes (or 0x80000000 | cpu for pid 0) in a fault
  unsigned nopen;
};

void vmt_summary_init(struct vmt_summary *s, const struct vmt_header *h);
// implied: r was implied by a written record (vmt_stream's implied).
void vmt_summary_add(struct vmt_summary *s, const struct vmt_record *r, int implied);
uint64 vmt_summary_total(const struct vmt_summary *s, unsigned type);
uint64 vmt_summary_dropped(const struct vmt_summary *s);
// Free pages after the counted records: the header's count, -1 per KALLOC, +1 per KFREE.
long long vmt_summary_free_end(const struct vmt_summary *s);
void vmt_summary_print(const struct vmt_summary *s, FILE *out);

#endif
