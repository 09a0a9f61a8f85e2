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

// Entering and leaving the emit path on this CPU: interrupts off, and the ring marked
// busy so that trace_quiesce can wait for us. emit_end raises the software interrupt
// if the ring asked for it (wake): waking the reader here would take locks; its
// handler (vmtrace_kick) does the wakeup once interrupts are back on.
static inline struct trace_ring *emit_begin(uint64 *was_on, int *cpu)
{
  *was_on = irq_save();
  *cpu = r_tp();
  struct trace_ring *r = &trace_rings[*cpu];
  r->busy = 1;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);   // pairs with trace_quiesce
  return r;
}

static inline void emit_end(struct trace_ring *r, uint64 was_on, int wake)
{
  __atomic_store_n(&r->busy, 0, __ATOMIC_RELEASE);
  if (__builtin_expect(wake, 0))
    asm volatile("csrs sip, %0" : : "r"(SIP_SSIP));
  irq_restore(was_on);
}

// Whether a record of this type and pid is wanted. Checked again inside the emit path:
// a disable may have raced the trace point's own test.
static inline int emit_wanted(int type, int pid)
{
  return ((trace_mask >> type) & 1) &&
         (trace_pid_filter == 0 || pid == trace_pid_filter || type == VMT_SWITCH);
}

// The ring is full or has drops to report: build the record and let the ring decide.
// Out of line, so that trace_emit's fast path needs no stack frame.
static void __attribute__((noinline)) emit_slow(int type, int flags, uint32 arg, uint64 a,
                                                uint64 b)
{
  uint64 was_on;
  int cpu, wake = 0;
  struct trace_ring *r = emit_begin(&was_on, &cpu);
  int pid = record_pid(cpu);
  if (emit_wanted(type, pid)) {
    struct vmt_record rec = {
      .ts = r_time(), .pid = pid, .type = type, .cpu = cpu, .flags = flags, .arg = arg,
      .a = a, .b = b,
    };
    wake = ring_put_slow(r, &rec);
  }
  emit_end(r, was_on, wake);
}

// The fast path: the record goes straight into its slot, no copy through the stack.
void trace_emit(int type, int flags, uint32 arg, uint64 a, uint64 b)
{
  uint64 was_on;
  int cpu, wake = 0, slow = 0;
  struct trace_ring *r = emit_begin(&was_on, &cpu);
  int pid = record_pid(cpu);
  if (emit_wanted(type, pid)) {
    if (__builtin_expect(ring_has_room(r), 1)) {
      struct vmt_record *slot = ring_next_slot(r);
      slot->ts = r_time();
      slot->pid = pid;
      slot->type = type;
      slot->cpu = cpu;
      slot->flags = flags;
      slot->arg = arg;
      slot->a = a;
      slot->b = b;
      wake = ring_commit(r);
    } else {
      slow = 1;
    }
  }
  emit_end(r, was_on, wake);
  if (__builtin_expect(slow, 0))
    emit_slow(type, flags, arg, a, b);   // starts over: this CPU may have changed
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
