// Counts of a recording's records (per type and CPU, faults by outcome, copy-on-write
// faults and shared pages, page events inside faults, records lost), and their printout: what vmtcheck reports and what the
// converter's --summary prints instead of JSON.
#ifndef FAULTLINE_VMT_SUMMARY_H
#define FAULTLINE_VMT_SUMMARY_H

#include <stdio.h>

#include "kernel/param.h"
#include "tracing/vmtrace_format.h"

#define VMT_SUMMARY_OPEN 128    // faults tracked open at once, as in the converter

// Page events of one open fault, counted when its end says what kind of fault it was.
struct vmt_summary_open {
  uint32 key;                   // pid, or 0x80000000 | cpu for pid 0
  uint32 n[VMT_UNMAP + 1];      // kalloc (data pages), kfree, map, unmap so far
  uint32 ptpages;               // page-table pages allocated so far
};

struct vmt_summary {
  struct vmt_header h;
  uint64 records, first_ts, last_ts;   // records as written (implied ones: below)
  uint64 implied;               // records a written one implied (counted by type too)
  uint64 count[VMT_NTYPES][NCPU];
  uint64 outcome[VMT_OUT_TAKEN + 2];   // FAULT_END by outcome; the last: unknown ones
  uint64 cow_faults[VMT_OUT_TAKEN + 2];// of those, copy-on-write ones (VMT_END_COW)
  uint64 around;                // pages fault-around mapped after the faulting ones
  uint64 in_fault[VMT_NTYPES];  // page events while their process had a fault open that
                                // was not copy-on-write (kalloc and kfree: data pages)
  uint64 in_cow_fault[VMT_NTYPES];   // the same inside copy-on-write faults
  uint64 ptpages_in_fault;      // page-table pages allocated inside faults
  uint64 share_pages, share_cow_pages;   // pages VMT_SHARE records name; COW ones
  uint64 dropped[NCPU];         // sum of VMT_LOST counts
  long long free_delta;         // KFREE records minus KALLOC records
  struct vmt_summary_open open[VMT_SUMMARY_OPEN];   // processes inside a fault
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
