// A fault's user call chain, for fault attribution (VMT_FAULT_CHAIN): see
// tracing/callchain.c.
#ifndef FAULTLINE_CALLCHAIN_H
#define FAULTLINE_CALLCHAIN_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

struct proc;

// VMT_FAULT_BEGIN, then p's user call chain (VMT_FAULT_CHAIN) right after it on this
// CPU, as one emit (trace_emit_begin_chain, whose result it returns). The begin's fields
// as that emit takes them; from_ra: the pc in p's trapframe lies where no frame was
// built (a system call's usys stub, or a jump to a bad address), so the chain starts at
// the trapframe's ra; ret: room for the chain, the caller's (on its stack: this
// function ends in a tail call, so it keeps none of its own). The caller guarantees p is
// the current process and is in the kernel (so nothing else changes its page table or
// trapframe meanwhile).
int trace_fault_begin_chain(int begin_flags, uint32 scause, uint64 va, uint64 epc,
                            struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX]);

#endif
