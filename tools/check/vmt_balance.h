// Page balance: a process can unmap no more pages than it mapped or was given by a share.
// Counted for each process whose birth the recording holds (its FORK, as the child; its
// shares or per-page maps come before that record, under its pid, and count too), over
// the records the stream hands out (implied maps and unmaps included, so a copying COW
// fault's unmap of the shared frame and map of its copy count). A child that unmaps
// pages it got by share would go below zero if shares were not counted. Judged at the
// end, and only if no records were lost. Bounded: BAL_PIDS processes; the rest are not
// counted.
#ifndef FAULTLINE_VMT_BALANCE_H
#define FAULTLINE_VMT_BALANCE_H

#include <stddef.h>

#include "tracing/vmtrace_format.h"

#define BAL_PIDS 4096

struct bal_proc {
  uint32 pid;                   // 0: free slot
  uint8 born;                   // its FORK was seen
  long long pages;              // maps + shared pages - unmaps since its first record
};

struct bal_check {
  struct bal_proc proc[BAL_PIDS];
  int lost;
  uint64 bad_off;               // the first unmap below zero (0: none)
  uint32 bad_pid;
};

void bal_init(struct bal_check *k);
void bal_record(struct bal_check *k, const struct vmt_record *r, uint64 off);
// At the end of the stream: 0, or -1 with msg set (one line).
int bal_finish(const struct bal_check *k, char *msg, size_t n);

#endif
