// The copy-on-write rules of a version-4 recording that no single record can break, only
// the records around it (vmt_reader.c has the rules one record must keep):
//   - a fault that took its page over (TAKEN) found exactly one reference, and one that
//     copied its page (COPIED) at least one;
//   - a TAKEN fault did nothing to its process's pages between its begin and end: no
//     kalloc, kfree, map or unmap;
//   - a COPIED fault unmapped and mapped at most the faulting page, once each;
//   - every share is followed by its fork (VMT_FORK of the share's parent naming the
//     share's child): a share names no frames, so without its fork a reader cannot tell
//     whose pages the child got.
// The last three are judged at the end of the stream, and only if no records were lost
// (a lost begin, end or fork makes the records around it look wrong).
// Feed every record the stream hands out (implied ones too), in order, then call
// cow_finish. Memory is fixed; faults open at once beyond COW_OPEN and shares pending
// at once beyond COW_SHARES go unchecked.
#ifndef FAULTLINE_VMT_COWCHECK_H
#define FAULTLINE_VMT_COWCHECK_H

#include <stddef.h>

#include "tracing/vmtrace_format.h"

#define COW_OPEN   128
#define COW_SHARES 64

struct cow_fault {
  uint32 pid;                   // 0: free slot
  uint64 page;                  // the faulting va, rounded down to its page
  unsigned kalloc, kfree, map, unmap, other_page;   // page events inside; other_page:
                                // maps and unmaps of a page other than the fault's
};

struct cow_share {               // a share whose fork has not come yet
  uint32 parent, child;
  uint64 off;                   // of the first such share
};

struct cow_check {
  uint32 page_size;
  struct cow_fault open[COW_OPEN];
  struct cow_share share[COW_SHARES];
  unsigned nshare;
  struct cow_share unforked;    // the first share whose fork never came (parent 0: none)
  uint64 suspect_off;           // a fault that broke a rule (0: none), and the rule
  char suspect[160];
  int lost;                     // a VMT_LOST was seen: the fork may have been dropped
};

void cow_init(struct cow_check *k, const struct vmt_header *h);
// 0, or -1 with msg set to the rule r breaks (one line, naming off).
int cow_record(struct cow_check *k, const struct vmt_record *r, uint64 off, char *msg, size_t n);
// At the end of the stream: 0, or -1 with msg set.
int cow_finish(struct cow_check *k, char *msg, size_t n);

#endif
