// Building trace records, and the state every trace point tests (the event mask, the
// pid filter). Everything on the emit path runs on the emitting CPU and touches only
// that CPU's ring: no lock, no allocation, no printf, no wakeup (a ring at its
// watermark asks the caller to raise a software interrupt, whose handler wakes the
// reader; tracing/vmtrace_dev.c).
//
// Interrupts stay as the caller had them. Under QEMU's TCG every CSR access ends a
// translation block, and turning interrupts off and on again cost two of them per
// record, more than all the rest of the emit. What interrupts-off would guarantee is
// had another way:
//   - no migration mid-record: the emit code lives in its own text section and marks
//     its ring busy while it writes, and kerneltrap never switches a process out when
//     the interrupted pc lies in that section or the CPU's ring is busy
//     (trace_emit_interrupted); so the CPU read at the start is the CPU to the end;
//   - no second producer on the ring: interrupt handlers record nothing (they only
//     wake sleepers), and the switch that preemption would record cannot happen. A
//     nested emit would be a kernel bug, and panics (emit_begin).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/usercopy.h"
#include "tracing/ring.h"
#include "tracing/trace.h"
#include "tracing/emit.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: tracing/trace.h makes every trace point empty

uint32 trace_mask;
uint8 trace_on[VMT_NTYPES];
static int trace_pid_filter;   // 0: every process

// trace_on follows trace_mask, a byte per bit. Its readers only skip or enter the emit
// path, which tests trace_mask again, so the two need not change at one instant.
static void set_trace_on(uint32 mask)
{
  for (int type = 0; type < VMT_NTYPES; type++)
    __atomic_store_n(&trace_on[type], (mask >> type) & 1, __ATOMIC_RELAXED);
}

int trace_enabled(void)
{
  return __atomic_load_n(&trace_mask, __ATOMIC_ACQUIRE) != 0;
}

void trace_set_mask(uint32 mask)
{
  __atomic_store_n(&trace_mask, mask, __ATOMIC_RELEASE);
  set_trace_on(mask);
}

static void quiesce(void);

uint32 trace_stop(void)
{
  uint32 mask = __atomic_exchange_n(&trace_mask, 0, __ATOMIC_SEQ_CST);
  set_trace_on(0);
  quiesce();
  return mask;
}

void trace_set_pid(int pid)
{
  trace_pid_filter = pid;
}

int trace_pid(void)
{
  return trace_pid_filter;
}

// The emit path's own text section; kernel/kernel.ld brackets it with these symbols.
#define EMIT_TEXT __attribute__((section(".text.trace_emit"), noinline))
extern char trace_emit_text[], trace_emit_text_end[];

int trace_emit_busy(void)
{
  return LOAD_ACQUIRE(ring_of(cpuid())->busy) != 0;
}

// Two tests, because neither alone covers the whole path: the pc covers trace_emit and
// emit_slow before they mark the ring busy and after they clear it (the CPU has been
// read but not yet claimed), and the busy flag covers whatever they call meanwhile,
// which lies outside the section (ring_put_slow; found by the oom stress, where timer
// ticks landed there, the process was switched out and the scheduler's own switch
// record found the ring busy).
int trace_emit_interrupted(uint64 pc)
{
  return (pc >= (uint64)trace_emit_text && pc < (uint64)trace_emit_text_end) ||
         trace_emit_busy();
}

void trace_running(const int *trace_pid)
{
  ring_of(cpuid())->pidp = trace_pid ? trace_pid : &ring_no_pid;
}

// Entering and leaving the emit path on this CPU: the ring is marked busy so that
// trace_stop can wait for us.
static inline struct trace_ring *emit_begin(int *cpu)
{
  uint64 hart = r_tp();
  struct trace_ring *r = ring_of(hart);
  *cpu = hart;
  if (r->busy)
    panic("trace_emit: re-entered on one CPU (an interrupt handler recorded an event?)");
  r->busy = 1;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);   // pairs with quiesce
  return r;
}

static inline void emit_end(struct trace_ring *r)
{
  STORE_RELEASE(r->busy, 0);
}

// Whether a record of this type and pid is wanted. Checked again inside the emit path:
// a disable may have raced the trace point's own test.
static inline int pid_wanted(int pid)
{
  return trace_pid_filter == 0 || pid == trace_pid_filter;
}

static inline int emit_wanted(int type, int pid)
{
  return ((trace_mask >> type) & 1) && (pid_wanted(pid) || type == VMT_SWITCH);
}

// The ring is full or has drops to report: build the record and let the ring decide.
// Out of line, so that trace_emit's fast path needs no stack frame.
static int EMIT_TEXT emit_slow(int type, int flags, uint32 arg, uint64 a, uint64 b)
{
  int cpu, wake = 0;
  struct trace_ring *r = emit_begin(&cpu);
  int pid = *r->pidp;
  if (emit_wanted(type, pid)) {
    struct vmt_record rec = {
      .ts = r_time(), .pid = pid, .type = type, .cpu = cpu, .flags = flags, .arg = arg,
      .a = a, .b = b,
    };
    wake = ring_put_slow(r, &rec);
  }
  emit_end(r);
  return wake;
}

// A record's fields, but its seq (the ring's to give), into a claimed slot.
static inline void fill_slot(struct vmt_record *slot, uint64 ts, int pid, int cpu, int type,
                             int flags, uint32 arg, uint64 a, uint64 b)
{
  slot->ts = ts;
  slot->pid = pid;
  slot->type = type;
  slot->cpu = cpu;
  slot->flags = flags;
  slot->arg = arg;
  slot->a = a;
  slot->b = b;
}

// The fast path: the record goes straight into its slot, no copy through the stack.
int EMIT_TEXT trace_emit(int type, int flags, uint32 arg, uint64 a, uint64 b)
{
  int cpu, wake = 0, slow = 0;
  struct trace_ring *r = emit_begin(&cpu);
  int pid = *r->pidp;
  if (emit_wanted(type, pid)) {
    if (__builtin_expect(ring_has_room(r), 1)) {
      // The time is read after the slot is claimed, so that no stack frame keeps it.
      fill_slot(ring_next_slot(r), r_time(), pid, cpu, type, flags, arg, a, b);
      wake = ring_commit(r);
    } else {
      slow = 1;
    }
  }
  emit_end(r);
  if (__builtin_expect(slow, 0))
    return emit_slow(type, flags, arg, a, b);   // starts over
  return wake;
}

// Records built by the caller, put one after the other with the ring claimed once: no
// switch or other record of this CPU can come between them. Each gets the same
// timestamp, this CPU and the running process's pid; those of an unwanted type are left
// out. Returns 1 if the reader should be woken.
static int EMIT_TEXT emit_run(struct vmt_record *recs, int n)
{
  int cpu, wake = 0;
  struct trace_ring *r = emit_begin(&cpu);
  int pid = *r->pidp;
  uint64 ts = r_time();
  for (int i = 0; i < n; i++) {
    struct vmt_record *rec = &recs[i];
    if (!emit_wanted(rec->type, pid))
      continue;
    rec->ts = ts;
    rec->pid = pid;
    rec->cpu = cpu;
    wake |= ring_put(r, rec);
  }
  emit_end(r);
  return wake;
}

// The chain record's fields from the return addresses of a chain (ret: VMT_CHAIN_MAX of
// them, unused ones 0), in the slots tracing/vmtrace_format.h lays out.
static inline void chain_fields(const uint32 *ret, uint32 *arg, uint64 *a, uint64 *b)
{
  *arg = ret[0];
  *a = ret[1] | (uint64)ret[2] << 32;
  *b = ret[3] | (uint64)ret[4] << 32;
}

// trace_emit_begin_chain's records built in memory, through emit_run: the ring is full
// or has drops to report, or one of the two is not wanted. Out of line, so that the fast
// path keeps its registers.
static int EMIT_TEXT emit_begin_chain_slow(int begin_flags, uint32 scause, uint64 va,
                                           uint64 epc, int chain_flags, const uint32 *ret)
{
  struct vmt_record recs[2] = {
    { .type = VMT_FAULT_BEGIN, .flags = begin_flags, .arg = scause, .a = va, .b = epc },
    { .type = VMT_FAULT_CHAIN, .flags = chain_flags },
  };
  chain_fields(ret, &recs[1].arg, &recs[1].a, &recs[1].b);
  return emit_run(recs, 2);
}

// Both records straight into their slots, one claim of the ring and one publication,
// when both are wanted and fit; anything else through emit_begin_chain_slow, which
// starts over.
int EMIT_TEXT trace_emit_begin_chain(int begin_flags, uint32 scause, uint64 va, uint64 epc,
                                     int chain_flags, const uint32 *ret)
{
  int cpu, wake = 0;
  struct trace_ring *r = emit_begin(&cpu);
  int pid = *r->pidp;
  const uint32 both = 1u << VMT_FAULT_BEGIN | 1u << VMT_FAULT_CHAIN;
  int fast = (trace_mask & both) == both && pid_wanted(pid) &&
             __builtin_expect(ring_has_room_for(r, 2), 1);
  if (fast) {
    uint64 ts = r_time();
    struct vmt_record *begin = ring_slot_ahead(r, 0), *chain = ring_slot_ahead(r, 1);
    fill_slot(begin, ts, pid, cpu, VMT_FAULT_BEGIN, begin_flags, scause, va, epc);
    uint32 arg;
    uint64 a, b;
    chain_fields(ret, &arg, &a, &b);
    fill_slot(chain, ts, pid, cpu, VMT_FAULT_CHAIN, chain_flags, arg, a, b);
    wake = ring_commit_n(r, 2);
  }
  emit_end(r);
  if (__builtin_expect(fast, 1))
    return wake;
  return emit_begin_chain_slow(begin_flags, scause, va, epc, chain_flags, ret);
}

// Wait until no CPU is inside an emit. The caller has already cleared trace_mask, so
// an emit that starts now sees it clear (emit_wanted) and writes nothing.
static void quiesce(void)
{
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  for (int i = 0; i < NCPU; i++)
    while (__atomic_load_n(&ring_of(i)->busy, __ATOMIC_ACQUIRE))
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
  if (!trace_on[VMT_EXEC])
    return;
  uint64 a, b;
  pack16(name, strlen(name), &a, &b);
  if (trace_emit(VMT_EXEC, 0, sz, a, b))
    trace_wake_reader();
}

// A user marker: split into 16-byte records, each but the last flagged VMT_MORE. A
// trailing newline is dropped (echo adds one). Returns the bytes taken, at most
// TRACE_MARKER_MAX (a short write, as for any device that takes less: a writer that
// loops sends the rest as another marker), or -1 if src is bad.
int trace_marker(int user_src, uint64 src, int n)
{
  char text[TRACE_MARKER_MAX];
  int len = n < TRACE_MARKER_MAX ? n : TRACE_MARKER_MAX;
  if (len < 0 || either_copyin(text, user_src, src, len) < 0)
    return -1;
  int taken = len;
  if (len > 0 && text[len - 1] == '\n')
    len--;
  if (!trace_on[VMT_MARKER])
    return taken;
  // The pieces must be consecutive on one CPU (VMT_MORE's promise): no interrupt, and
  // so no preemption or other event, may come between them (found by tracefuzz).
  int wake = 0;
  push_off();
  for (int off = 0; off == 0 || off < len; off += 16) {
    uint64 a, b;
    int chunk = len - off < 16 ? len - off : 16;
    pack16(text + off, chunk, &a, &b);
    wake |= trace_emit(VMT_MARKER, off + 16 < len ? VMT_MORE : 0, 0, a, b);
  }
  if (wake)
    trace_wake_reader();
  pop_off();
  return taken;
}

#endif // FAULTLINE_NO_TRACE
