// The reader device, /dev/vmtrace (major VMTRACE). Its control device,
// /dev/vmtracectl, is tracing/control.c.
//
//   read   whole records (struct vmt_record) from the per-CPU rings, ring after ring,
//          unmerged, each read starting one ring further on than the last (so that a
//          ring refilled as fast as it drains cannot keep the reader from the others).
//          A buffer smaller than one record is an error (-1). While tracing is on and
//          nothing is buffered, read blocks until a ring reaches its watermark
//          (RING_WAKE_LEVEL: the ring raises a software interrupt, see emit.c), the
//          timer tick finds records waiting, or tracing is switched off; off and empty,
//          it returns 0 (EOF).
//          Only one reader may have the device open.
//   write  a line of text becomes a VMT_MARKER event (like ftrace's trace_marker); at
//          most TRACE_MARKER_MAX bytes are taken, so a longer write is a short write.
//
// Back-pressure. A ring raises its CPU's software interrupt at RING_WAKE_LEVEL (wake the
// reader) and again at RING_HOLD_LEVEL (the reader is falling behind). trap.c then calls
// vmtrace_backoff where the interrupted process may be switched out: it yields, so the
// reader can run on this CPU at once, and past RING_HOLD_LEVEL it waits until the reader
// has drained the ring to RING_WAKE_LEVEL.
//   - However slow the reader, a traced fault storm slows down instead of losing events.
//     The wait ends early only when the reader has taken nothing for `block` ticks (set
//     through /dev/vmtracectl): a stuck reader, not a slow one. A limit on the wait
//     itself would let released producers refill the ring, and a full ring drops
//     without asking for back-pressure.
//   - The stall limit keeps a reader that depends on a waiting process (say, one writing
//     to a file while that process holds the log) from deadlocking: it only costs drops.
//   - A reader woken at a watermark runs next on the first hart that picks
//     (vmtrace_run_first, which the scheduler asks before each pick); in the round robin
//     it would wait behind every busy process, up to a tick each.
//   - The reader itself is never held back.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/usercopy.h"
#include "kernel/trap.h"
#include "tracing/ring.h"
#include "tracing/emit.h"
#include "tracing/control.h"
#include "tracing/vmtrace_dev.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: tracing/trace.h makes every trace point empty

#define TRACE_BLOCK_TICKS (TICK_HZ / 2)   // the default longest stall of the reader

// Under trace_lock (tracing/control.h).
static struct {
  int reader_open;
  struct proc *reader;    // the process that last read /dev/vmtrace: never held back
  uint32 block_ticks;     // longest the reader may take nothing before a held process
                          // gives up; 0: drop instead of holding
  uint64 last_take;       // ticks when the reader last took records
  uint64 held;            // processes held back, since boot
  int waiting;            // processes held back now
} vt;

static int wake_chan;    // the reader sleeps here
static int room_chan;    // processes held back by vmtrace_backoff sleep here

static uint64 total_fill(void)
{
  uint64 n = 0;
  for (int i = 0; i < NCPU; i++)
    n += ring_fill(i);
  return n;
}

// ---- /dev/vmtrace ---------------------------------------------------------------------

static int vmtrace_open(int readable, int writable)
{
  if (!readable)
    return 0;
  acquire(&trace_lock);
  int busy = vt.reader_open;
  vt.reader_open = 1;
  release(&trace_lock);
  return busy ? -1 : 0;
}

static void vmtrace_close(int readable, int writable)
{
  if (!readable)
    return;
  acquire(&trace_lock);
  vt.reader_open = 0;
  vt.reader = 0;
  wakeup(&room_chan);
  release(&trace_lock);
}

// Caller holds trace_lock and tracing is off: the disable stopped the producers
// (trace_stop), and no command can re-enable while we hold the lock.
static void flush_lost(void)
{
  for (int cpu = 0; cpu < NCPU; cpu++)
    ring_flush_lost(cpu);
}

// Copy as many whole records as fit in n bytes, ring by ring, starting one ring further
// on at each call (see "Back-pressure"). Returns bytes or -1. Caller holds trace_lock.
static int drain(int user_dst, uint64 dst, int n)
{
  static int first;
  uint64 max = n / sizeof(struct vmt_record), got = 0;
  first = (first + 1) % NCPU;
  for (int i = 0; i < NCPU && got < max; i++) {
    int cpu = (first + i) % NCPU;
    long k = ring_take(cpu, user_dst, dst + got * sizeof(struct vmt_record), max - got);
    if (k < 0)
      return got ? got * sizeof(struct vmt_record) : -1;
    got += k;
  }
  return got * sizeof(struct vmt_record);
}

static int vmtrace_read(int user_dst, uint64 dst, int n, uint off)
{
  if (n < (int)sizeof(struct vmt_record))
    return -1;
  acquire(&trace_lock);
  while (total_fill() == 0 && trace_enabled()) {
    if (killed(myproc())) {
      release(&trace_lock);
      return -1;
    }
    sleep(&wake_chan, &trace_lock);
  }
  // Disabled and quiesced: report the last drops before end of file. After the wait,
  // not before it: a reader asleep on empty rings when tracing went off would otherwise
  // return end of file with drops still pending (found by make stress).
  if (!trace_enabled())
    flush_lost();
  // Drain under the lock so that a reset cannot move the rings under the copy.
  vt.reader = myproc();
  int r = drain(user_dst, dst, n);
  if (r > 0)
    vt.last_take = ticks;
  if (vt.waiting)
    wakeup(&room_chan);
  release(&trace_lock);
  return r;
}

static int vmtrace_write(int user_src, uint64 src, int n)
{
  return trace_marker(user_src, src, n);
}

// The interrupt handlers below must not take trace_lock when they interrupted an emit
// (trace_emit_busy): a reset or disable holding it waits in trace_stop for this very
// emit to finish, and both CPUs would spin forever with interrupts off (found by
// `tracebench resets`; a disable at the end of a recording hung the machine this way when
// a tick hit an emit on CPU 0). Waking is left to a later tick.

int vmtrace_run_first_flag;   // a watermark woke the reader: the scheduler runs it next, once

// Wake the reader. At a watermark (urgent) it also goes ahead of the scheduler's round.
static void wake_reader(int urgent)
{
  acquire(&trace_lock);
  wakeup(&wake_chan);
  release(&trace_lock);
  if (urgent)
    __atomic_store_n(&vmtrace_run_first_flag, 1, __ATOMIC_RELEASE);
}

struct proc *vmtrace_take_run_first(void)
{
  if (__atomic_exchange_n(&vmtrace_run_first_flag, 0, __ATOMIC_ACQUIRE) == 0)
    return 0;   // another hart took it first
  // Read without trace_lock: a stale pointer still points into procs[], and the
  // scheduler runs it only if it is RUNNABLE.
  return *(struct proc *volatile *)&vt.reader;
}

// Wake the reader once some ring reaches RING_WAKE_LEVEL, so it drains well before
// drops; and at least twice a second while anything is buffered, so small traces flow
// too. Called from the timer interrupt.
void vmtrace_tick(void)
{
  static uint ticks_since_wake;
  if (!vt.reader_open || trace_emit_busy())
    return;
  if (vt.waiting) {   // they watch the clock for a stuck reader
    acquire(&trace_lock);
    wakeup(&room_chan);
    release(&trace_lock);
  }
  ticks_since_wake++;
  int full = 0, waited = 0;
  for (int i = 0; i < NCPU; i++) {
    uint64 fill = ring_fill(i);
    full |= fill >= RING_WAKE_LEVEL(ring_size());
    waited |= fill > 0 && ticks_since_wake >= TICK_HZ / 2;
  }
  if (full || waited) {
    ticks_since_wake = 0;
    wake_reader(full);
  }
}

// Called from the software interrupt a ring raises after an emit; never inside one as
// things stand, but the same rule as vmtrace_tick holds.
int vmtrace_kick(void)
{
  if (!vt.reader_open || trace_emit_busy())
    return 0;
  wake_reader(1);
  return 1;
}

// Whether the reader has taken nothing for block ticks, counted from since at the
// earliest. Caller holds trace_lock.
static int reader_stuck(uint64 since)
{
  uint64 last = vt.last_take > since ? vt.last_take : since;
  return ticks - last >= vt.block_ticks;
}

// Whether a process held back by ring cpu since tick `since` may go on. Caller holds
// trace_lock.
static int may_go_on(struct proc *p, int cpu, uint64 since)
{
  return !vt.reader_open || !trace_enabled() || ring_fill(cpu) <= RING_WAKE_LEVEL(ring_size()) ||
         reader_stuck(since) || killed(p);
}

// See "Back-pressure" at the top. Caller: trap.c, after vmtrace_kick said there is a
// reader, at a point where the current process may sleep (no spinlock held).
void vmtrace_backoff(void)
{
  struct proc *p = myproc();
  int cpu = cpuid();
  if (p == vt.reader)
    return;   // it is the one draining; yielding would only add switch records
  if (vt.block_ticks == 0 || ring_fill(cpu) < RING_HOLD_LEVEL(ring_size())) {
    yield();
    return;
  }
  acquire(&trace_lock);
  uint64 since = ticks;
  vt.held++;
  vt.waiting++;
  while (!may_go_on(p, cpu, since))
    sleep(&room_chan, &trace_lock);
  vt.waiting--;
  release(&trace_lock);
}

// ---- For the control device (tracing/control.c) -------------------------------------

void vmtrace_wake_all(void)
{
  wakeup(&wake_chan);
  wakeup(&room_chan);
}

void vmtrace_set_block(uint32 ticks)
{
  vt.block_ticks = ticks;
  wakeup(&room_chan);   // a shorter limit may free a held process now
}

uint32 vmtrace_block(void)
{
  return vt.block_ticks;
}

int vmtrace_reader_open(void)
{
  return vt.reader_open;
}

uint64 vmtrace_held(void)
{
  return vt.held;
}

void vmtrace_dev_init(void)
{
  vt.block_ticks = TRACE_BLOCK_TICKS;
  devsw[VMTRACE].read = vmtrace_read;
  devsw[VMTRACE].write = vmtrace_write;
  devsw[VMTRACE].open = vmtrace_open;
  devsw[VMTRACE].close = vmtrace_close;
}

#endif // FAULTLINE_NO_TRACE
