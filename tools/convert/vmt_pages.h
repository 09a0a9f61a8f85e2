// Which process each mapped user page is charged to, so that an unmap is taken off the
// process that mapped the page. The kernel records every map and unmap under the pid of
// the page table's owner (kernel/proc.c, charge_to: fork's copy into a child and wait's
// teardown of one are the child's), so in a whole recording the owner is the
// UNMAP record's pid; the table keeps each process's count right where the two differ
// (a record lost in between: a page mapped again while still charged to another process
// is taken off that one first). An unmap of a page the table never saw (mapped before
// the recording started) is charged to the record's pid. A physical page is mapped at
// most once at a time (no sharing in xv6), so its address identifies the mapping.
//
// Bounded: the table grows from VMT_PAGES_MIN slots up to VMT_PAGES_MAX (16 MiB), at most
// half full; past that, new mappings go untracked and their unmaps are charged to the
// record's pid as a fallback.
#ifndef FAULTLINE_VMT_PAGES_H
#define FAULTLINE_VMT_PAGES_H

#include "kernel/types.h"

#define VMT_PAGES_MIN (1u << 12)
#define VMT_PAGES_MAX (1u << 20)     // 524,288 mapped pages: 2 GiB of 4 KiB pages

struct vmt_page {
  uint64 pa;
  uint32 pid;                        // 0: empty slot
};

struct vmt_pages {
  struct vmt_page *slot;
  uint32 cap, n;
  uint64 untracked;                  // mappings that found the table full
};

int pages_init(struct vmt_pages *t);           // 0, or -1 if out of memory
void pages_free(struct vmt_pages *t);
// Charges page pa to pid (nonzero); returns the pid it was charged to before, or 0.
uint32 pages_map(struct vmt_pages *t, uint64 pa, uint32 pid);
// Forgets page pa; returns the pid it was charged to, or 0 if it was not tracked.
uint32 pages_unmap(struct vmt_pages *t, uint64 pa);

#endif
