// Tracing control: the state set through /dev/vmtracectl, shared by the emitters and
// the devices.
#ifndef FAULTLINE_TRACE_CONTROL_H
#define FAULTLINE_TRACE_CONTROL_H

#include "kernel/types.h"

#define TRACE_MARKER_MAX 128   // longest marker text; a longer write is a short write

// Record only events of this pid (0: every process). Context switches are always kept,
// so CPU tracks stay whole.
extern int trace_pid_filter;

#ifdef FAULTLINE_NO_TRACE
static inline void trace_init(void) { }   // no trace devices at all
static inline void vmtrace_tick(void) { }
static inline int vmtrace_kick(void) { return 0; }
static inline void vmtrace_backoff(void) { }
static inline int trace_emit_interrupted(uint64 pc) { return 0; }
static inline int trace_emit_busy(void) { return 0; }
#else
void trace_init(void);        // boot, before tracing can be enabled
// Wait until no CPU is inside trace_emit. Caller has already cleared trace_mask.
void trace_quiesce(void);
// Whether an interrupt at pc on this CPU came in the middle of an emit, which runs with
// interrupts as its caller had them and must not be switched out mid-record: kerneltrap
// does not preempt there. Caller has interrupts off.
int trace_emit_interrupted(uint64 pc);
// Whether this CPU is inside an emit, between claiming its ring and releasing it (an
// interrupt handler asking about the code it interrupted). Caller has interrupts off.
int trace_emit_busy(void);
// Called on every timer tick of hart 0: wakes the reader if a ring passed its watermark.
void vmtrace_tick(void);
// The software interrupt a ring raises when it reaches its watermark: wake the reader.
// Returns 1 if there is a reader to run: then call vmtrace_backoff.
int vmtrace_kick(void);
// After vmtrace_kick, where the current process may be switched out (no spinlock
// held): yield to the reader, or wait for it if this CPU's ring is nearly full.
void vmtrace_backoff(void);
#endif

#endif
