// Building trace records. Everything here runs on the emitting CPU with interrupts off
// and touches only that CPU's ring: no lock, no allocation, no printf, no wakeup (the
// reader is woken from the timer tick, tracing/vmtrace_dev.c).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/kstring.h"
#include "kernel/usercopy.h"
#include "tracing/ring.h"
#include "tracing/control.h"
#include "tracing/trace.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: tracing/trace.h makes every trace point empty

#ifndef FAULTLINE_NO_TRACE
uint32 trace_mask;
#endif

// Non-zero while a CPU is inside trace_emit; trace_quiesce waits for all to leave.
static volatile int in_emit[NCPU];

static int current_pid(int cpu)
{
  struct proc *p = cpus[cpu].proc;
  return p ? p->pid : 0;
}

static void emit_record(int type, int flags, uint32 arg, uint64 a, uint64 b)
{
  int cpu = r_tp();
  int pid = current_pid(cpu);
  if (trace_pid_filter && pid != trace_pid_filter && type != VMT_SWITCH)
    return;
  struct vmt_record rec = {
    .ts = r_time(), .pid = pid, .type = type, .cpu = cpu,
    .flags = flags, .arg = arg, .a = a, .b = b,
  };
  // Waking the reader here would take locks. Instead, raise a software interrupt on
  // this CPU: it is taken once interrupts are back on, and its handler
  // (vmtrace_kick) does the wakeup, long before the next timer tick would.
  if (ring_put(cpu, &rec))
    w_sip(r_sip() | SIP_SSIP);
}

// Interrupts off; returns whether they were on. One csrrci, and on the way out one csrsi
// only if they were on, instead of r_sstatus + intr_off + w_sstatus: under QEMU's TCG
// every CSR access ends a translation block, and those exits were most of an emit's cost
// on the host clock (5 CSR accesses per emit before, 3 now with rdtime, 2 when the
// caller already had interrupts off).
static inline uint64 irq_save(void)
{
  uint64 old;
  asm volatile("csrrci %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
  return old & SSTATUS_SIE;
}

static inline void irq_restore(uint64 was_on)
{
  if (was_on)
    asm volatile("csrsi sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}

void trace_emit(int type, int flags, uint32 arg, uint64 a, uint64 b)
{
  uint64 was_on = irq_save();
  int cpu = r_tp();
  in_emit[cpu] = 1;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);   // pairs with trace_quiesce
  if ((trace_mask >> type) & 1)              // re-check: a disable may have raced us
    emit_record(type, flags, arg, a, b);
  __atomic_store_n(&in_emit[cpu], 0, __ATOMIC_RELEASE);
  irq_restore(was_on);
}

void trace_quiesce(void)
{
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  for (int i = 0; i < NCPU; i++)
    while (__atomic_load_n(&in_emit[i], __ATOMIC_ACQUIRE))
      ;
}

// Pack up to 16 bytes of s into the record's a and b fields.
static void pack16(const char *s, int n, uint64 *a, uint64 *b)
{
  char buf[16];
  memset(buf, 0, sizeof(buf));
  memmove(buf, s, n > 16 ? 16 : n);
  memmove(a, buf, 8);
  memmove(b, buf + 8, 8);
}

void trace_exec(const char *name, uint64 sz)
{
  if (!((trace_mask >> VMT_EXEC) & 1))
    return;
  uint64 a, b;
  pack16(name, strlen(name), &a, &b);
  trace_emit(VMT_EXEC, 0, sz, a, b);
}

// A user marker: split into 16-byte records, each but the last flagged VMT_MORE. A
// trailing newline is dropped (echo adds one). Returns n, or -1 if src is bad.
int trace_marker(int user_src, uint64 src, int n)
{
  char text[TRACE_MARKER_MAX];
  int len = n < TRACE_MARKER_MAX ? n : TRACE_MARKER_MAX;
  if (len < 0 || either_copyin(text, user_src, src, len) < 0)
    return -1;
  if (len > 0 && text[len - 1] == '\n')
    len--;
  if (!((trace_mask >> VMT_MARKER) & 1))
    return n;
  // The pieces must be consecutive on one CPU (VMT_MORE's promise): no interrupt, and
  // so no preemption or other event, may come between them (found by tracefuzz).
  push_off();
  for (int off = 0; off == 0 || off < len; off += 16) {
    uint64 a, b;
    int chunk = len - off < 16 ? len - off : 16;
    pack16(text + off, chunk, &a, &b);
    trace_emit(VMT_MARKER, off + 16 < len ? VMT_MORE : 0, 0, a, b);
  }
  pop_off();
  return n;
}

#endif // FAULTLINE_NO_TRACE
