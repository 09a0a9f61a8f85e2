// A fault's user call chain, for fault attribution (VMT_FAULT_CHAIN): see
// tracing/callchain.c.
#ifndef FAULTLINE_CALLCHAIN_H
#define FAULTLINE_CALLCHAIN_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

struct proc;

// Fill ret[] with up to VMT_CHAIN_MAX return addresses of p's user call chain,
// innermost first, leaving the slots after them as they are; returns the
// VMT_FAULT_CHAIN flags (count | VMT_CHAIN_TRUNCATED). from_ra: the pc in p's trapframe
// lies where no frame was built (a system call's usys stub, or a jump to a bad address),
// so the chain starts at the trapframe's ra. The caller guarantees p is the current
// process and is in the kernel (so nothing else changes its page table or trapframe
// meanwhile).
static inline int callchain_user(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX]);

// callchain_user's two halves (tracing/callchain.c): the walk, a leaf that keeps its
// state in registers, which returns -1 while p's stack tables are not known yet (the
// first walk of an image), and the first walk, which finds them and walks.
int callchain_walk(const struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX]);
int callchain_walk_first(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX]);

static inline int callchain_user(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX])
{
  int flags = callchain_walk(p, from_ra, ret);
  return __builtin_expect(flags >= 0, 1) ? flags : callchain_walk_first(p, from_ra, ret);
}

#endif
