// The one fault path for user memory: page faults from user mode and accesses by the
// kernel on a process's behalf (copyin, copyout, copyinstr) both end up here.
#ifndef FAULTLINE_VMFAULT_H
#define FAULTLINE_VMFAULT_H

#include "kernel/types.h"

enum fault_access { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };
enum fault_source { FAULT_FROM_USER, FAULT_FROM_KERNEL };

// What became of a fault. Anything but FAULT_MAPPED means the access must not proceed.
enum fault_outcome {
  FAULT_MAPPED,        // a lazy heap page was allocated, zeroed and mapped (or already was)
  FAULT_ILLEGAL,       // no mapping may exist there (above the break, below the heap, ...)
  FAULT_PROTECTION,    // a mapping exists but forbids this access (guard page, text write)
  FAULT_NOMEM,         // a lazy page, but no physical memory for it
};

// Resolve a fault by the current process at user address va. Never panics and never
// kills: the caller decides what a failure means (usertrap kills, copyin returns -1).
enum fault_outcome vm_fault(uint64 va, enum fault_access access, enum fault_source source);

// usertrap's entry: handle page-fault scause at stval; kills the process (with one
// console line saying why) if the fault cannot be resolved.
void vm_fault_user(uint64 scause, uint64 stval);

#endif
