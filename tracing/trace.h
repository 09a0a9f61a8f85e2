// The kernel's trace points: one inline function per event, each a single test of the
// event mask when tracing is off. Build with TRACE=0 (FAULTLINE_NO_TRACE) and every trace
// point compiles to nothing.
#ifndef FAULTLINE_TRACE_H
#define FAULTLINE_TRACE_H

#include "kernel/types.h"
#include "kernel/riscv.h"
#include "tracing/vmtrace_format.h"

#ifdef FAULTLINE_NO_TRACE

#define TRACE(type, flags, arg, a, b) do { } while (0)
static inline void trace_exec(const char *name, uint64 sz) { }
static inline int  trace_marker(int user_src, uint64 src, int n) { return -1; }

#else

// Bit (1 << type) set: events of that type are recorded. 0: tracing off.
extern uint32 trace_mask;

// Store one record on this CPU's ring (tracing/emit.c). Returns 1 when the ring wants
// its reader woken: the caller then calls trace_wake_reader, outside the emit path.
int trace_emit(int type, int flags, uint32 arg, uint64 a, uint64 b);

// Raise this CPU's supervisor software interrupt; its handler wakes the reader
// (vmtrace_kick) and makes the interrupted process give way (vmtrace_backoff). Raised
// after trace_emit has returned, so that the handler may switch the process out.
static inline void trace_wake_reader(void)
{
  asm volatile("csrs sip, %0" : : "r"(SIP_SSIP) : "memory");
}

#define TRACE(type, flags, arg, a, b)                                   \
  do {                                                                  \
    if (__builtin_expect((trace_mask >> (type)) & 1, 0) &&             \
        __builtin_expect(trace_emit((type), (flags), (arg), (a), (b)), 0)) \
      trace_wake_reader();                                              \
  } while (0)

void trace_exec(const char *name, uint64 sz);        // packs the name into a, b
void trace_fault_begin_chain(uint64 va, uint64 epc, uint64 scause, int source, int access);
int  trace_marker(int user_src, uint64 src, int n);  // /dev/vmtrace write()

#endif

static inline void trace_kalloc(uint64 pa, int page) { TRACE(VMT_KALLOC, page, 0, pa, 0); }
static inline void trace_kfree(uint64 pa, int page)  { TRACE(VMT_KFREE, page, 0, pa, 0); }
static inline void trace_map(uint64 va, uint64 pa, int perm)   { TRACE(VMT_MAP, 0, perm, va, pa); }
static inline void trace_unmap(uint64 va, uint64 pa, int perm) { TRACE(VMT_UNMAP, 0, perm, va, pa); }
// With VMT_FAULT_CHAIN on too, the user call chain follows the begin (tracing/emit.c).
static inline void trace_fault_begin(uint64 va, uint64 epc, uint64 scause, int source, int access)
{
#ifndef FAULTLINE_NO_TRACE
  if (__builtin_expect((trace_mask >> VMT_FAULT_BEGIN) & 1, 0) &&
      ((trace_mask >> VMT_FAULT_CHAIN) & 1)) {
    trace_fault_begin_chain(va, epc, scause, source, access);
    return;
  }
#endif
  TRACE(VMT_FAULT_BEGIN, source | (access << 4), scause, va, epc);
}
static inline void trace_fault_end(uint64 va, uint64 pa, int outcome, int source)
{
  TRACE(VMT_FAULT_END, source, outcome, va, pa);
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
