// The kernel's trace points: one inline function per event, each a single test (a byte
// load and a branch, trace_on) when tracing is off. Build with TRACE=0 (FAULTLINE_NO_TRACE) and every trace
// point compiles to nothing.
#ifndef FAULTLINE_TRACE_H
#define FAULTLINE_TRACE_H

#include "kernel/types.h"
#include "kernel/riscv.h"
#include "tracing/vmtrace_format.h"
#include "tracing/emit.h"
#include "tracing/callchain.h"

struct proc;

// For a small function on a hot path that holds a trace point: inlined into its callers
// whether tracing is compiled in or not. The trace point's call to trace_emit, never
// taken while tracing is off, is still enough for GCC to keep such a function out of
// line, and that call and stack frame cost more than the trace point's own test
// (compiled in but off against compiled out).
#define TRACED_INLINE inline __attribute__((always_inline))

#ifdef FAULTLINE_NO_TRACE

#define TRACE(type, flags, arg, a, b) do { } while (0)

#else

// Raise this CPU's supervisor software interrupt; its handler wakes the reader
// (vmtrace_kick) and makes the interrupted process give way (vmtrace_backoff). Raised
// after trace_emit has returned, so that the handler may switch the process out.
static inline void trace_wake_reader(void)
{
  asm volatile("csrs sip, %0" : : "r"(SIP_SSIP) : "memory");
}

#define TRACE(type, flags, arg, a, b)                                   \
  do {                                                                  \
    if (__builtin_expect(trace_on[(type)], 0) &&                        \
        __builtin_expect(trace_emit((type), (flags), (arg), (a), (b)), 0)) \
      trace_wake_reader();                                              \
  } while (0)

#endif

// Whether events of type are being recorded (always 0 when compiled out): for a caller
// that decides once for many trace points.
static inline int trace_wanted(int type)
{
#ifdef FAULTLINE_NO_TRACE
  return 0;
#else
  return trace_on[type];
#endif
}

static inline void trace_kalloc(uint64 pa, int page) { TRACE(VMT_KALLOC, page, 0, pa, 0); }
static inline void trace_kfree(uint64 pa, int page)  { TRACE(VMT_KFREE, page, 0, pa, 0); }
// The map of a data page allocated for it untraced (kalloc_*_untraced): one record that
// says both when both types are recorded (VMT_MAP_ALLOCATED), else the one recorded.
static inline void trace_map_new(uint64 va, uint64 pa, int perm)
{
  if (trace_wanted(VMT_MAP))
    TRACE(VMT_MAP, trace_wanted(VMT_KALLOC) ? VMT_MAP_ALLOCATED : 0, perm, va, pa);
  else
    trace_kalloc(pa, VMT_PAGE_DATA);
}
// The map of a frame that is already allocated and stays shared (copy-on-write fork).
static inline void trace_map(uint64 va, uint64 pa, int perm)
{
  TRACE(VMT_MAP, 0, perm, va, pa);
}
// npages pages from va, mapped into a child by copy-on-write fork from parent's table;
// cow: they are copy-on-write now (else read-only, shared as they are).
static inline void trace_share(uint64 va, uint64 npages, int cow, int parent)
{
  TRACE(VMT_SHARE, cow ? VMT_SHARE_COW : 0, parent, va, npages);
}
// freed: VMT_UNMAP_FREED, the caller frees pa untraced (kfree_untraced) because kfrees
// are recorded too and this record says so; else 0.
static inline void trace_unmap(uint64 va, uint64 pa, int perm, int freed)
{
  TRACE(VMT_UNMAP, freed, perm, va, pa);
}
// n (1 .. VMT_UNMAP_PAGES_MAX) pages in a row, packed into arg, a and b as
// tracing/vmtrace_format.h lays them out (VMT_UNMAP_PUT); freed: the caller frees every
// frame untraced because kfrees are recorded too and this record says so.
static inline void trace_unmap_pages(uint64 a, uint64 b, uint32 arg, int n, int freed)
{
  TRACE(VMT_UNMAP, VMT_UNMAP_PAGES | n << VMT_UNMAP_COUNT_SHIFT | (freed ? VMT_UNMAP_FREED : 0),
        arg, a, b);
}
// VMT_FAULT_BEGIN's flags.
static inline int fault_begin_flags(int source, int access) { return source | access << 4; }
// With VMT_FAULT_CHAIN on too, the user call chain follows the begin in the same claim
// of the ring (tracing/callchain.c), out of line: inlined here, its registers would be
// saved by every fault, traced or not.
// p: the faulting process, the one running here (its stack is walked).
static inline void trace_fault_begin(struct proc *p, uint64 va, uint64 epc, uint64 scause,
                                     int source, int access)
{
#ifndef FAULTLINE_NO_TRACE
  if (__builtin_expect(trace_on[VMT_FAULT_BEGIN], 0) && trace_on[VMT_FAULT_CHAIN]) {
    uint32 ret[VMT_CHAIN_MAX];
    int from_ra = source == VMT_SRC_KERNEL || access == VMT_ACC_EXEC;
    if (trace_fault_begin_chain(fault_begin_flags(source, access), scause, va, epc, p, from_ra,
                                ret))
      trace_wake_reader();
    return;
  }
#endif
  TRACE(VMT_FAULT_BEGIN, fault_begin_flags(source, access), scause, va, epc);
}
// VMT_FAULT_END's arg (trace_fault_end): evaluated only when the end is recorded.
static inline uint32 fault_end_arg(int outcome, int own_perm, int cow_refs)
{
  uint32 arg = outcome;
  if (cow_refs)
    arg |= VMT_END_COW |
           (uint32)(cow_refs < VMT_END_REFS_MAX ? cow_refs : VMT_END_REFS_MAX) << VMT_END_REFS_SHIFT;
  if (own_perm)
    arg |= (trace_wanted(VMT_KALLOC) ? VMT_END_KALLOC : 0) |
           (trace_wanted(VMT_MAP) ? VMT_END_MAP | own_perm << VMT_END_PERM_SHIFT : 0);
  return arg;
}
// around: pages mapped after va by fault-around (0 .. VMT_AROUND_MAX). own_perm: 0, or
// the fault allocated and mapped its own page pa with these permission bits, untraced
// (uvmmap_zeroed_untraced, or a copy-on-write copy): the end record then says so for
// each of the two whose type is recorded, or if ends are not recorded, they go out as
// records of their own. cow_refs: 0, or the fault was a write to a copy-on-write page
// whose frame had that many references.
static inline void trace_fault_end(uint64 va, uint64 pa, int outcome, int source, int around,
                                   int own_perm, int cow_refs)
{
#ifndef FAULTLINE_NO_TRACE
  if (__builtin_expect(trace_on[VMT_FAULT_END], 0)) {
    if (trace_emit(VMT_FAULT_END, source | around << VMT_AROUND_SHIFT,
                   fault_end_arg(outcome, own_perm, cow_refs), va, pa))
      trace_wake_reader();
    return;
  }
  if (own_perm)
    trace_map_new(PGROUNDDOWN(va), pa, own_perm);
#endif
}
static inline void trace_sbrk(uint64 oldsz, uint64 newsz, int policy)
{
  TRACE(VMT_SBRK, 0, policy, oldsz, newsz);
}
static inline void trace_fork(int child) { TRACE(VMT_FORK, 0, child, 0, 0); }
static inline void trace_exit(int status) { TRACE(VMT_EXIT, 0, (uint32)status, 0, 0); }
// by_kernel: the kernel killed it (a fault), not kill().
static inline void trace_kill(int pid, int by_kernel) { TRACE(VMT_KILL, by_kernel, pid, 0, 0); }
static inline void trace_switch(void) { TRACE(VMT_SWITCH, 0, 0, 0, 0); }
#endif
