// The one fault path for user memory: page faults from user mode and accesses by the
// kernel on a process's behalf (copyin, copyout, copyinstr) both end up here.
#ifndef FAULTLINE_VMFAULT_H
#define FAULTLINE_VMFAULT_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

// The values are the trace format's, so a fault's outcome goes into its trace record as is.
enum fault_access { ACCESS_READ = VMT_ACC_READ, ACCESS_WRITE = VMT_ACC_WRITE,
                    ACCESS_EXEC = VMT_ACC_EXEC };
enum fault_source { FAULT_FROM_USER = VMT_SRC_USER, FAULT_FROM_KERNEL = VMT_SRC_KERNEL };

// What became of a fault. Anything but FAULT_MAPPED means the access must not proceed.
enum fault_outcome {
  FAULT_MAPPED = VMT_OUT_MAPPED,         // a lazy heap page was allocated, zeroed and
                                         // mapped, or a copy-on-write page copied or
                                         // taken over (or the page was there already:
                                         // the trace records that as VMT_OUT_SPURIOUS)
  FAULT_ILLEGAL = VMT_OUT_ILLEGAL,       // no mapping may exist there (above the break,
                                         // below the heap, ...)
  FAULT_PROTECTION = VMT_OUT_PROTECTION, // a mapping exists but forbids this access
                                         // (guard page, write to text)
  FAULT_NOMEM = VMT_OUT_NOMEM,           // a lazy page or a copy-on-write copy, but no
                                         // physical memory for it
};

// Resolve a fault by the current process at user address va. Never panics and never
// kills: the caller decides what a failure means (usertrap kills, copyin returns -1).
enum fault_outcome vm_fault(uint64 va, enum fault_access access, enum fault_source source);

// End p's fault-around run: its next lazy fault maps its page alone and starts a new
// one. For whoever changes what a run assumes: the policy, the heap below the run's
// next page, or the whole address space (exec). Caller: p itself, or p's exclusive owner.
struct proc;
void vm_fault_end_run(struct proc *p);

// usertrap's entry: handle page-fault scause at stval; kills the process (with one
// console line saying why) if the fault cannot be resolved.
void vm_fault_user(uint64 scause, uint64 stval);

#endif
