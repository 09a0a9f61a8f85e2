// A fault's user call chain, for fault attribution (VMT_FAULT_CHAIN): see
// tracing/callchain.c.
#ifndef FAULTLINE_CALLCHAIN_H
#define FAULTLINE_CALLCHAIN_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

struct proc;

// VMT_FAULT_BEGIN, then p's user call chain (VMT_FAULT_CHAIN) right after it on this
// CPU, as one emit (trace_emit_begin_chain). Arguments as trace_fault_begin
// (tracing/trace.h). The caller guarantees p is the current process and is in the
// kernel (so nothing else changes its page table or trapframe meanwhile).
void trace_fault_begin_chain(struct proc *p, uint64 va, uint64 epc, uint64 scause, int source,
                             int access);

#endif
