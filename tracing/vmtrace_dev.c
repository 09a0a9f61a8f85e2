// The tracing devices.
//
// /dev/vmtrace (major VMTRACE)
//   read   whole records (struct vmt_record) from the per-CPU rings, CPU after CPU,
//          unmerged. A buffer smaller than one record is an error (-1). While tracing is
//          on and nothing is buffered, read blocks until a ring reaches its watermark (a
//          quarter full: the ring raises a software interrupt, see emit.c), the timer
//          tick finds records waiting, or tracing is switched off; off and empty, it
//          returns 0 (EOF).
//          Only one reader may have the device open.
//   write  a line of text becomes a VMT_MARKER event (like ftrace's trace_marker); at
//          most TRACE_MARKER_MAX bytes are taken, so a longer write is a short write.
//
// /dev/vmtracectl (major VMTRACECTL)
//   write  one command per write:
//            enable            start recording the selected events
//            disable           stop; wakes the reader so it can drain and see EOF
//            reset             discard buffered records, restart sequence numbers
//            events HEXMASK    select event types: bit (1 << type), enum vmt_type
//            pid N             record only pid N's events (0: all)
//            bufsize N         records per CPU ring, 16 .. TRACE_RING_MAX, rounded down
//                              to a power of two (also resets)
//            block N           when a CPU's ring is three quarters full, the process
//                              running there waits up to N ticks (0.1 s each) for the
//                              reader to drain it, instead of losing events; 0: never
//                              wait, drop (default TRACE_BLOCK_TICKS)
//          An unknown command or bad number fails the write (-1) and changes nothing.
//   read   status text, "name value" lines: enabled, events, pid, reader (1 while
//          /dev/vmtrace is open for reading), bufsize, block, held (processes that
//          waited for the reader since boot), ncpu, timer_hz, page_size, record_size,
//          then per CPU "cpuN fill F lost L".
//
// Back-pressure. A ring raises its CPU's software interrupt at a quarter full (wake the
// reader) and again at three quarters (the reader is falling behind). trap.c then calls
// vmtrace_backoff where the interrupted process may be switched out: it yields, so the
// reader can run on this CPU at once, and past three quarters it waits (up to `block`
// ticks) until the reader has drained the ring to a quarter. A traced fault storm
// slows down instead of losing events. The reader itself is never held back, and the
// time limit keeps a reader that depends on a waiting process (say, one writing to a
// file while the process holds the log) from deadlocking: it only costs drops.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/kstring.h"
#include "kernel/usercopy.h"
#include "kernel/trap.h"
#include "tracing/ring.h"
#include "tracing/control.h"
#include "tracing/trace.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: tracing/trace.h makes every trace point empty

#define TIMER_HZ 10000000   // QEMU virt's time CSR
#define ALL_EVENTS (((1u << VMT_NTYPES) - 1) & ~1u)

int trace_pid_filter;

#define TRACE_BLOCK_TICKS 5

static struct {
  struct spinlock lock;   // reader open/close, sleeping for data, control commands
  int reader_open;
  struct proc *reader;    // the process that last read /dev/vmtrace: never held back
  uint32 events;          // mask that "enable" switches on
  uint32 bufsize;
  uint32 block_ticks;     // longest wait for the reader; 0: drop instead
  uint64 held;            // processes held back, since boot
  int waiting;            // processes held back now
} vt;

static int wake_chan;    // the reader sleeps here
static int room_chan;    // processes held back by vmtrace_backoff sleep here

static int tracing_on(void)
{
  return __atomic_load_n(&trace_mask, __ATOMIC_ACQUIRE) != 0;
}

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
  acquire(&vt.lock);
  int busy = vt.reader_open;
  vt.reader_open = 1;
  release(&vt.lock);
  return busy ? -1 : 0;
}

static void vmtrace_close(int readable, int writable)
{
  if (!readable)
    return;
  acquire(&vt.lock);
  vt.reader_open = 0;
  vt.reader = 0;
  wakeup(&room_chan);
  release(&vt.lock);
}

// Caller holds vt.lock and tracing is off: control() quiesced the producers when it
// disabled, and cannot re-enable while we hold the lock.
static void flush_lost(void)
{
  for (int cpu = 0; cpu < NCPU; cpu++)
    ring_flush_lost(cpu);
}

// Copy as many whole records as fit in n bytes, CPU by CPU. Returns bytes or -1.
static int drain(int user_dst, uint64 dst, int n)
{
  uint64 max = n / sizeof(struct vmt_record), got = 0;
  for (int cpu = 0; cpu < NCPU && got < max; cpu++) {
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
  acquire(&vt.lock);
  while (total_fill() == 0 && tracing_on()) {
    if (killed(myproc())) {
      release(&vt.lock);
      return -1;
    }
    sleep(&wake_chan, &vt.lock);
  }
  // Disabled and quiesced: report the last drops before end of file. After the wait,
  // not before it: a reader asleep on empty rings when tracing went off would otherwise
  // return end of file with drops still pending (found by make stress).
  if (!tracing_on())
    flush_lost();
  // Drain under the lock so that a reset cannot move the rings under the copy.
  vt.reader = myproc();
  int r = drain(user_dst, dst, n);
  if (vt.waiting)
    wakeup(&room_chan);
  release(&vt.lock);
  return r;
}

static int vmtrace_write(int user_src, uint64 src, int n)
{
  return trace_marker(user_src, src, n);
}

// The interrupt handlers below must not take vt.lock when they interrupted an emit
// (trace_emit_busy): a reset or disable holding it waits in trace_quiesce for this very
// emit to finish, and both CPUs would spin forever with interrupts off (found by
// `tracebench resets`; a disable at the end of a recording hung the machine this way when
// a tick hit an emit on CPU 0). Waking is left to a later tick.

// Wake the reader once a quarter of some ring is used, so it drains well before drops;
// and at least twice a second while anything is buffered, so small traces flow too.
// Called from the timer interrupt.
void vmtrace_tick(void)
{
  static uint ticks_since_wake;
  if (!vt.reader_open || trace_emit_busy())
    return;
  if (vt.waiting) {   // they count ticks for their time limit
    acquire(&vt.lock);
    wakeup(&room_chan);
    release(&vt.lock);
  }
  ticks_since_wake++;
  int wake = 0;
  for (int i = 0; i < NCPU; i++) {
    uint64 fill = ring_fill(i);
    if (fill >= vt.bufsize / 4 || (fill > 0 && ticks_since_wake >= 5))
      wake = 1;
  }
  if (!wake)
    return;
  ticks_since_wake = 0;
  acquire(&vt.lock);
  wakeup(&wake_chan);
  release(&vt.lock);
}

// Called from the software interrupt a ring raises after an emit; never inside one as
// things stand, but the same rule as vmtrace_tick holds.
int vmtrace_kick(void)
{
  if (!vt.reader_open || trace_emit_busy())
    return 0;
  acquire(&vt.lock);
  wakeup(&wake_chan);
  release(&vt.lock);
  return 1;
}

// Whether a process held back by ring cpu may go on. Caller holds vt.lock.
static int may_go_on(struct proc *p, int cpu, uint64 since)
{
  return !vt.reader_open || !tracing_on() || ring_fill(cpu) <= vt.bufsize / 4 ||
         ticks - since >= vt.block_ticks || killed(p);
}

// See "Back-pressure" at the top. Caller: trap.c, after vmtrace_kick said there is a
// reader, at a point where the current process may sleep (no spinlock held).
void vmtrace_backoff(void)
{
  struct proc *p = myproc();
  int cpu = cpuid();
  if (p == vt.reader)
    return;   // it is the one draining; yielding would only add switch records
  if (vt.block_ticks == 0 || ring_fill(cpu) < 3 * (vt.bufsize / 4)) {
    yield();
    return;
  }
  acquire(&vt.lock);
  uint64 since = ticks;
  vt.held++;
  vt.waiting++;
  while (!may_go_on(p, cpu, since))
    sleep(&room_chan, &vt.lock);
  vt.waiting--;
  release(&vt.lock);
}

// ---- /dev/vmtracectl ------------------------------------------------------------------

// Parse a decimal or 0x-prefixed hexadecimal number filling all of s; -1 if it is not one.
static long parse_number(const char *s)
{
  int base = 10;
  if (s[0] == '0' && s[1] == 'x') {
    base = 16;
    s += 2;
  }
  if (*s == 0)
    return -1;
  long v = 0;
  for (; *s; s++) {
    int d = (*s >= '0' && *s <= '9') ? *s - '0'
          : (base == 16 && *s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : -1;
    if (d < 0 || v > (1L << 40))
      return -1;
    v = v * base + d;
  }
  return v;
}

// Discard all buffered records, with cap slots per ring. Caller holds vt.lock.
static void reset_rings(uint32 cap)
{
  uint32 mask = __atomic_exchange_n(&trace_mask, 0, __ATOMIC_SEQ_CST);
  trace_quiesce();
  vt.bufsize = ring_reset(cap);
  __atomic_store_n(&trace_mask, mask, __ATOMIC_RELEASE);
}

// Apply one command (NUL-terminated, no newline). Caller holds vt.lock. 0 or -1.
static int control(char *cmd)
{
  char *arg = cmd;
  while (*arg && *arg != ' ')
    arg++;
  if (*arg == ' ')
    *arg++ = 0;
  long v = *arg ? parse_number(arg) : -1;

  if (strncmp(cmd, "enable", 7) == 0 && !*arg) {
    __atomic_store_n(&trace_mask, vt.events, __ATOMIC_RELEASE);
  } else if (strncmp(cmd, "disable", 8) == 0 && !*arg) {
    __atomic_store_n(&trace_mask, 0, __ATOMIC_SEQ_CST);
    trace_quiesce();   // from here no producer writes its ring (see flush_lost)
    wakeup(&wake_chan);
    wakeup(&room_chan);
  } else if (strncmp(cmd, "reset", 6) == 0 && !*arg) {
    reset_rings(vt.bufsize);
  } else if (strncmp(cmd, "events", 7) == 0 && v > 0 && ((uint64)v & ~(uint64)ALL_EVENTS) == 0) {
    vt.events = v;
    if (tracing_on())
      __atomic_store_n(&trace_mask, vt.events, __ATOMIC_RELEASE);
  } else if (strncmp(cmd, "pid", 4) == 0 && v >= 0) {
    trace_pid_filter = v;
  } else if (strncmp(cmd, "bufsize", 8) == 0 && v >= TRACE_RING_MIN && v <= TRACE_RING_MAX) {
    reset_rings(v);
  } else if (strncmp(cmd, "block", 6) == 0 && v >= 0 && v <= 100) {
    vt.block_ticks = v;
    wakeup(&room_chan);
  } else {
    return -1;
  }
  return 0;
}

static int vmtracectl_write(int user_src, uint64 src, int n)
{
  char cmd[64];
  if (n <= 0 || n >= (int)sizeof(cmd) || either_copyin(cmd, user_src, src, n) < 0)
    return -1;
  cmd[n] = 0;
  if (cmd[n - 1] == '\n')
    cmd[n - 1] = 0;
  acquire(&vt.lock);
  int r = control(cmd);
  release(&vt.lock);
  return r < 0 ? -1 : n;
}

// ---- Status text ----------------------------------------------------------------------

struct text {
  char buf[768];
  int len;
};

static void put_str(struct text *t, const char *s)
{
  while (*s && t->len < (int)sizeof(t->buf))
    t->buf[t->len++] = *s++;
}

static void put_num(struct text *t, uint64 v, int base)
{
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (base == 16)
    put_str(t, "0x");
  while (n > 0 && t->len < (int)sizeof(t->buf))
    t->buf[t->len++] = digits[--n];
}

static void put_line(struct text *t, const char *name, uint64 v, int base)
{
  put_str(t, name);
  put_str(t, " ");
  put_num(t, v, base);
  put_str(t, "\n");
}

static void format_status(struct text *t)
{
  t->len = 0;
  put_line(t, "enabled", tracing_on(), 10);
  put_line(t, "events", vt.events, 16);
  put_line(t, "pid", trace_pid_filter, 10);
  put_line(t, "reader", vt.reader_open, 10);
  put_line(t, "bufsize", vt.bufsize, 10);
  put_line(t, "block", vt.block_ticks, 10);
  put_line(t, "held", vt.held, 10);
  put_line(t, "ncpu", nharts, 10);
  put_line(t, "timer_hz", TIMER_HZ, 10);
  put_line(t, "page_size", PGSIZE, 10);
  put_line(t, "record_size", sizeof(struct vmt_record), 10);
  for (int i = 0; i < nharts; i++) {
    put_str(t, "cpu");
    put_num(t, i, 10);
    put_str(t, " fill ");
    put_num(t, ring_fill(i), 10);
    put_str(t, " lost ");
    put_num(t, trace_rings[i].lost_total, 10);
    put_str(t, "\n");
  }
}

// The status text from byte off on, so that cat sees it once and then end of file.
static int vmtracectl_read(int user_dst, uint64 dst, int n, uint off)
{
  static struct text t;   // under vt.lock: too big for a kernel stack
  acquire(&vt.lock);
  format_status(&t);
  int len = off < t.len ? t.len - off : 0;
  if (len > n)
    len = n;
  if (len > 0 && either_copyout(user_dst, dst, t.buf + off, len) < 0)
    len = -1;
  release(&vt.lock);
  return len;
}

void trace_init(void)
{
  initlock(&vt.lock, "vmtrace");
  vt.events = ALL_EVENTS;
  vt.bufsize = ring_reset(TRACE_RING_DEFAULT);
  vt.block_ticks = TRACE_BLOCK_TICKS;
  devsw[VMTRACE].read = vmtrace_read;
  devsw[VMTRACE].write = vmtrace_write;
  devsw[VMTRACE].open = vmtrace_open;
  devsw[VMTRACE].close = vmtrace_close;
  devsw[VMTRACECTL].read = vmtracectl_read;
  devsw[VMTRACECTL].write = vmtracectl_write;
}

#endif // FAULTLINE_NO_TRACE
