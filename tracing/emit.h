// The emit path (tracing/emit.c): building records on the emitting CPU's ring, and the
// state every trace point tests: the event mask and the pid filter. Those two are
// written only here (through trace_set_mask, trace_stop and trace_set_pid); the control
// device (tracing/control.c) decides their values.
#ifndef FAULTLINE_TRACE_EMIT_H
#define FAULTLINE_TRACE_EMIT_H

#include "kernel/types.h"

#define TRACE_MARKER_MAX 128   // longest marker text; a longer write is a short write

#ifdef FAULTLINE_NO_TRACE
static inline void trace_running(const int *trace_pid) { }
static inline void trace_exec(const char *name, uint64 sz) { }
static inline int trace_emit_interrupted(uint64 pc) { return 0; }
static inline int trace_emit_busy(void) { return 0; }
#else

// Bit (1 << type) set: events of that type are recorded. 0: tracing off. The emit path's
// authority; written only by emit.c.
extern uint32 trace_mask;
// trace_on[type]: trace_mask's bit for type, as a byte, the test every trace point makes
// (tracing/trace.h): one load and a branch, where a bit costs a shift and a mask more.
// Written only by emit.c.
extern uint8 trace_on[];

// The records this CPU makes from now on carry *trace_pid: the running process's
// trace_pid (kernel/proc.h), which it changes while it works on another process's
// memory, or 0 (trace_pid null) while none runs. Called by the scheduler with
// interrupts off, whether tracing is on or not.
void trace_running(const int *trace_pid);
// Store one record on this CPU's ring. Returns 1 when the ring wants its reader woken:
// the caller then calls trace_wake_reader (tracing/trace.h), outside the emit path.
int trace_emit(int type, int flags, uint32 arg, uint64 a, uint64 b);
void trace_exec(const char *name, uint64 sz);        // packs the name into a, b
// A fault's VMT_FAULT_BEGIN (fields as trace_fault_begin gives them) and its
// VMT_FAULT_CHAIN right after it on this CPU, with one claim of the ring, so that no
// other record comes between them. ret: the chain's return addresses (VMT_CHAIN_MAX, the
// unused ones 0); chain_flags: the chain's flags. Returns as trace_emit.
int trace_emit_begin_chain(int begin_flags, uint32 scause, uint64 va, uint64 epc,
                           int chain_flags, const uint32 *ret);
// /dev/vmtrace write(): user text as VMT_MARKER records. Returns the bytes taken, at
// most TRACE_MARKER_MAX, or -1 if src is bad.
int trace_marker(int user_src, uint64 src, int n);

// Whether tracing is on (some event selected).
int trace_enabled(void);
// Select the events to record (0: none, tracing off). Producers see it at their next
// trace point; to be sure none is still writing, use trace_stop.
void trace_set_mask(uint32 mask);
// Switch tracing off and wait until no CPU is inside an emit: from then on no producer
// writes its ring. Returns the mask that was set.
uint32 trace_stop(void);
// Record only pid's events (0: every process). Context switches are always kept, so
// CPU tracks stay whole.
void trace_set_pid(int pid);
int trace_pid(void);

// Whether an interrupt at pc on this CPU came in the middle of an emit, which runs with
// interrupts as its caller had them and must not be switched out mid-record: kerneltrap
// does not preempt there. Caller has interrupts off.
int trace_emit_interrupted(uint64 pc);
// Whether this CPU is inside an emit, between claiming its ring and releasing it (an
// interrupt handler asking about the code it interrupted). Caller has interrupts off.
int trace_emit_busy(void);
#endif

#endif
