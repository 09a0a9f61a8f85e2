// The reader device /dev/vmtrace (tracing/vmtrace_dev.c): draining the rings, waking
// the reader, and holding back producers when the reader falls behind.
#ifndef FAULTLINE_VMTRACE_DEV_H
#define FAULTLINE_VMTRACE_DEV_H

#include "kernel/types.h"

struct proc;

#ifdef FAULTLINE_NO_TRACE
static inline void vmtrace_tick(void) { }
static inline int vmtrace_kick(void) { return 0; }
static inline void vmtrace_backoff(void) { }
static inline struct proc *vmtrace_run_first(void) { return 0; }
#else
// Boot: the device's entry in devsw, the default hold-back limit.
void vmtrace_dev_init(void);
// Called on every timer tick of hart 0: wakes the reader if a ring passed its watermark.
void vmtrace_tick(void);
// The software interrupt a ring raises when it reaches its watermark: wake the reader.
// Returns 1 if there is a reader to run: then call vmtrace_backoff.
int vmtrace_kick(void);
// After vmtrace_kick, where the current process may be switched out (no spinlock
// held): yield to the reader, or wait for it if this CPU's ring is nearly full.
void vmtrace_backoff(void);
// For the scheduler, before each pick: the reader, once after a ring's watermark woke
// it (it should run next, ahead of the round robin), else 0. One-shot, so that a reader
// that spins instead of draining gets no more than its share of the CPU. The process
// returned may have changed state since: the caller checks under its lock. Inline down
// to its test of vmtrace_run_first_flag, because the scheduler asks once per process
// slot on every scan, tracing or not.
extern int vmtrace_run_first_flag;   // set by a watermark's wakeup; written by vmtrace_dev.c
struct proc *vmtrace_take_run_first(void);
static inline struct proc *vmtrace_run_first(void)
{
  if (__builtin_expect(__atomic_load_n(&vmtrace_run_first_flag, __ATOMIC_RELAXED) == 0, 1))
    return 0;
  return vmtrace_take_run_first();
}

// For the control device (tracing/control.c); the caller holds trace_lock.
// Tracing went off: the reader drains and sees end of file, held processes go on.
void vmtrace_wake_all(void);
// How long a held process waits for the reader, in ticks; 0: never hold, drop.
void vmtrace_set_block(uint32 ticks);
uint32 vmtrace_block(void);
int vmtrace_reader_open(void);   // 1 while /dev/vmtrace is open for reading
uint64 vmtrace_held(void);       // processes held back since boot
#endif

#endif
