// The control device, /dev/vmtracectl (major VMTRACECTL): what is recorded and how.
//
//   write  one command per write:
//            enable            start recording the selected events
//            disable           stop; wakes the reader so it can drain and see EOF
//            reset             discard buffered records, restart sequence numbers
//            events HEXMASK    select event types: bit (1 << type), enum vmt_type, a
//                              subset of VMT_EVENTS_ALL
//            pid N             record only pid N's events (0: all)
//            bufsize N         records per CPU ring, TRACE_RING_MIN .. TRACE_RING_MAX,
//                              rounded down to a power of two (also resets)
//            block N           when a CPU's ring reaches RING_HOLD_LEVEL, the process
//                              running there waits for the reader to drain it, instead
//                              of losing events, unless the reader takes nothing for N
//                              ticks (TICK_HZ a second); 0: never wait, drop
//                              (tracing/vmtrace_dev.c, "Back-pressure")
//          An unknown command or bad number fails the write (-1) and changes nothing.
//   read   status text, "name value" lines: enabled, events, pid, reader (1 while
//          /dev/vmtrace is open for reading), bufsize, block, held (processes that
//          waited for the reader since boot), ncpu, timer_hz, page_size, record_size,
//          then per CPU "cpuN fill F lost L".
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/kstring.h"
#include "kernel/usercopy.h"
#include "tracing/ring.h"
#include "tracing/emit.h"
#include "tracing/control.h"
#include "tracing/vmtrace_dev.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: tracing/trace.h makes every trace point empty

struct spinlock trace_lock;

static uint32 events;   // the mask "enable" switches on; under trace_lock

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

// Discard all buffered records, with cap slots per ring. Caller holds trace_lock.
static void reset_rings(uint32 cap)
{
  uint32 mask = trace_stop();
  ring_reset(cap);
  trace_set_mask(mask);
}

// Apply one command (NUL-terminated, no newline). Caller holds trace_lock. 0 or -1.
static int control(char *cmd)
{
  char *arg = cmd;
  while (*arg && *arg != ' ')
    arg++;
  if (*arg == ' ')
    *arg++ = 0;
  long v = *arg ? parse_number(arg) : -1;

  if (strncmp(cmd, "enable", 7) == 0 && !*arg) {
    trace_set_mask(events);
  } else if (strncmp(cmd, "disable", 8) == 0 && !*arg) {
    trace_stop();   // from here no producer writes its ring (the reader flushes drops)
    vmtrace_wake_all();
  } else if (strncmp(cmd, "reset", 6) == 0 && !*arg) {
    reset_rings(ring_size());
  } else if (strncmp(cmd, "events", 7) == 0 && v > 0 && ((uint64)v & ~(uint64)VMT_EVENTS_ALL) == 0) {
    events = v;
    if (trace_enabled())
      trace_set_mask(events);
  } else if (strncmp(cmd, "pid", 4) == 0 && v >= 0) {
    trace_set_pid(v);
  } else if (strncmp(cmd, "bufsize", 8) == 0 && v >= TRACE_RING_MIN && v <= TRACE_RING_MAX) {
    reset_rings(v);
  } else if (strncmp(cmd, "block", 6) == 0 && v >= 0 && v <= 100) {
    vmtrace_set_block(v);
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
  acquire(&trace_lock);
  int r = control(cmd);
  release(&trace_lock);
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
  put_line(t, "enabled", trace_enabled(), 10);
  put_line(t, "events", events, 16);
  put_line(t, "pid", trace_pid(), 10);
  put_line(t, "reader", vmtrace_reader_open(), 10);
  put_line(t, "bufsize", ring_size(), 10);
  put_line(t, "block", vmtrace_block(), 10);
  put_line(t, "held", vmtrace_held(), 10);
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
    put_num(t, ring_lost(i), 10);
    put_str(t, "\n");
  }
}

// The status text from byte off on, so that cat sees it once and then end of file.
static int vmtracectl_read(int user_dst, uint64 dst, int n, uint off)
{
  static struct text t;   // under trace_lock: too big for a kernel stack
  acquire(&trace_lock);
  format_status(&t);
  int len = off < t.len ? t.len - off : 0;
  if (len > n)
    len = n;
  if (len > 0 && either_copyout(user_dst, dst, t.buf + off, len) < 0)
    len = -1;
  release(&trace_lock);
  return len;
}

void trace_init(void)
{
  initlock(&trace_lock, "vmtrace");
  events = VMT_EVENTS_ALL;
  ring_reset(TRACE_RING_DEFAULT);
  vmtrace_dev_init();
  devsw[VMTRACECTL].read = vmtracectl_read;
  devsw[VMTRACECTL].write = vmtracectl_write;
}

#endif // FAULTLINE_NO_TRACE
