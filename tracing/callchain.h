// A user call chain for fault attribution (VMT_FAULT_CHAIN): see tracing/callchain.c.
#ifndef FAULTLINE_CALLCHAIN_H
#define FAULTLINE_CALLCHAIN_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

struct proc;

// Fill ret[] with up to VMT_CHAIN_MAX return addresses of p's user call chain,
// innermost first; returns the VMT_FAULT_CHAIN flags (count | VMT_CHAIN_TRUNCATED).
// from_ra: the pc in p's trapframe lies where no frame was built (a system call's usys
// stub, or a jump to a bad address), so the chain starts at the trapframe's ra.
// The caller guarantees p is the current process and is in the kernel (so nothing else
// changes its page table or trapframe meanwhile).
int callchain_user(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX]);

#endif
