// Building trace records. Everything here runs on the emitting CPU with interrupts off
// and touches only that CPU's ring: no lock, no allocation, no printf, no wakeup (a
// ring at its watermark raises a software interrupt whose handler wakes the reader;
// tracing/vmtrace_dev.c).
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

uint32 trace_mask;

// The pid a record made on cpu carries: the running process's trace_pid, which is its
// own pid except while it works on another process's page table (kernel/proc.c).
static inline int record_pid(int cpu)
{
  struct proc *p = cpus[cpu].proc;
  return p ? p->trace_pid : 0;
}

// Interrupts off; returns whether they were on. One csrrci, and on the way out one csrsi
// only if they were on, instead of r_sstatus + intr_off + w_sstatus: under QEMU's TCG
// CSR accesses are the dear instructions of an emit.
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

// Store one record straight into this CPU's ring (no copy through the stack) when
// there is room; else take the ring's slow path. Caller has interrupts off and has
// marked the ring busy.
static inline void put_record(struct trace_ring *r, int cpu, int pid, int type, int flags,
                              uint32 arg, uint64 a, uint64 b)
{
  uint64 ts = r_time();
  int wake;
  if (__builtin_expect(ring_has_room(r), 1)) {
    struct vmt_record *slot = ring_next_slot(r);
    slot->ts = ts;
    slot->pid = pid;
    slot->type = type;
    slot->cpu = cpu;
    slot->flags = flags;
    slot->arg = arg;
    slot->a = a;
    slot->b = b;
    wake = ring_commit(r);
  } else {
    struct vmt_record rec = {
      .ts = ts, .pid = pid, .type = type, .cpu = cpu, .flags = flags, .arg = arg, .a = a, .b = b,
    };
    wake = ring_put_slow(r, &rec);
  }
  // Waking the reader here would take locks. Instead, raise a software interrupt on
  // this CPU: it is taken once interrupts are back on, and its handler
  // (vmtrace_kick) does the wakeup, long before the next timer tick would.
  if (__builtin_expect(wake, 0))
    asm volatile("csrs sip, %0" : : "r"(SIP_SSIP));
}

void trace_emit(int type, int flags, uint32 arg, uint64 a, uint64 b)
{
  uint64 was_on = irq_save();
  int cpu = r_tp();
  struct trace_ring *r = &trace_rings[cpu];
  r->busy = 1;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);   // pairs with trace_quiesce
  if ((trace_mask >> type) & 1) {            // re-check: a disable may have raced us
    int pid = record_pid(cpu);
    if (trace_pid_filter == 0 || pid == trace_pid_filter || type == VMT_SWITCH)
      put_record(r, cpu, pid, type, flags, arg, a, b);
  }
  __atomic_store_n(&r->busy, 0, __ATOMIC_RELEASE);
  irq_restore(was_on);
}

void trace_quiesce(void)
{
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  for (int i = 0; i < NCPU; i++)
    while (__atomic_load_n(&trace_rings[i].busy, __ATOMIC_ACQUIRE))
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
