// What memstat() reports about a process's memory. Shared by the kernel and user programs.
#ifndef FAULTLINE_MEMSTAT_H
#define FAULTLINE_MEMSTAT_H

#include "kernel/types.h"

struct memstat {
  uint64 vsz;          // bytes of address space: the break (p->sz)
  uint64 resident;     // user pages actually mapped (text, data, stack, touched heap)
  uint64 heap_base;    // where the heap starts; sbrk never goes below it
  uint64 stack_base;   // lowest stack address; the guard page is the page below
  int policy;          // MEMPOLICY_LAZY, _EAGER, _FAULTAROUND or _DEFAULT (kernel/mempolicy.h)
  int pid;
  // This process's copy-on-write faults since fork made it (exec keeps the counts, so a
  // program exec'd by a child can read what happened between the fork and the exec):
  uint64 cow_copied;   // pages copied into a frame of its own
  uint64 cow_taken;    // pages taken over in place (it held the frame's last reference)
};

#endif
