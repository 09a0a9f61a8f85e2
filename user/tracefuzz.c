// tracefuzz: abuse of the trace devices, /dev/vmtrace and /dev/vmtracectl.
//
//   tracefuzz [-s SEED] [-n ITERATIONS] [-p PROCS] [-m MARKERS]
//   tracefuzz -w      the small workload the final recording runs
//
// In order:
//   quiet checks   one process: a second reader is refused (in this process and in
//                  another); reads smaller than a record fail; bad control commands
//                  fail and change nothing; good ones do what they say; markers of odd
//                  lengths arrive whole, in order and cut at 128 bytes; with a full
//                  ring every marker arrives or is counted in a VMT_LOST record, and
//                  the counts agree with the status; markers from lazy memory and bad
//                  pointers; reads into lazy, read-only, unmapped and kernel buffers
//                  give -1 or whole records.
//   atomicity      three processes write 128-byte markers as fast as they can: on
//                  every CPU each marker's 8 records must come together, from one
//                  process, with VMT_MORE on all but the last.
//   storm          PROCS processes send random control commands (enable, disable,
//                  reset, events, pid, bufsize; good and bad), markers, memory and
//                  process churn (forks under either fork policy, whose children
//                  write to shared pages), status reads and second-reader attempts,
//                  while a reader drains into hostile buffers. Every read must be -1 or whole
//                  records, and from read to read each CPU's sequence numbers must run
//                  on without a gap that a VMT_LOST record does not explain (a reset
//                  starts them again at 0).
//   recording      tracing put back as it was; `vmtrace record` must still record:
//                  a header, then whole records, each CPU's sequence numbers contiguous
//                  from 0 except gaps explained by VMT_LOST, time never going back on a
//                  CPU, and the workload's markers there.
// At the end tracing is off, its settings are what they were, and the free page count
// is back where it started. Prints "tracefuzz: OK" or "tracefuzz: FAILED (...)".
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fcntl.h"
#include "kernel/memstat.h"
#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"
#include "tracing/vmtrace_format.h"
#include "tracing/ring.h"
#include "tracing/emit.h"

#define INT_MAX 0x7fffffff
#define INT_MIN (-INT_MAX - 1)

#define CTL "/dev/vmtracectl"
#define DEV "/dev/vmtrace"
#define REC ((int)sizeof(struct vmt_record))
#define RING_MAX TRACE_RING_MAX   // most records per CPU ring
#define LAZY_PAGES 4
#define ST_FAILED 99
#define WORKLOAD_MARKS 10

static struct {
  uint64 rng, seed;
  const char *phase;
  int ncpu;
  uint64 text_end, guard, stack_base, heap_base, sz;
  uint64 lazy;            // LAZY_PAGES of heap at the top, untouched until used
  char scratch[32];
} tf;

// Buffers live here, not on the one-page user stack.
static char big[3 * PGSIZE] __attribute__((aligned(PGSIZE)));
static char text[TRACE_MARKER_MAX * 40];
static char status0[640], status1[640];
static char cmdbuf[96];

// ---- Basics ----------------------------------------------------------------------------

static uint64 below(uint64 n)
{
  uint64 r = rng_next(&tf.rng);
  return n ? r % n : 0;
}

static void fail(const char *what, long a, long b)
{
  printf("tracefuzz: FAILED (%s, seed %ld, pid %d: %s [%ld %ld])\n", tf.phase, tf.seed,
         getpid(), what, a, b);
  exit(ST_FAILED);
}

static void check(int ok, const char *what, long a, long b)
{
  if (!ok)
    fail(what, a, b);
}

static int wait_status(void)
{
  int status = -1;
  if (wait(&status) < 0)
    return -1000;
  return status;
}

// ---- Control and status -----------------------------------------------------------------

// One raw write to the control device; its result.
static int ctl_raw(const void *cmd, int n)
{
  int fd = open(CTL, O_WRONLY);
  if (fd < 0)
    fail("cannot open " CTL, fd, 0);
  int r = write(fd, cmd, n);
  close(fd);
  return r;
}

static int ctl(const char *cmd)
{
  return ctl_raw(cmd, strlen(cmd));
}

static void ctl_ok(const char *cmd)
{
  int n = strlen(cmd);
  if (ctl(cmd) != n)
    fail(cmd, n, 0);
}

static void ctl_num(const char *word, uint64 v, int base)
{
  append_num(append_str(append_str(cmdbuf, word), " "), v, base);
  ctl_ok(cmdbuf);
}

static int read_status(char *buf, int max)
{
  int fd = open(CTL, O_RDONLY), len = 0, n;
  if (fd < 0)
    fail("cannot open " CTL, fd, 0);
  while (len < max - 1 && (n = read(fd, buf + len, max - 1 - len)) > 0)
    len += n;
  close(fd);
  buf[len] = 0;
  return len;
}

// The settings part of the status: enabled, events, pid, bufsize, block.
#define NSETTINGS 5
static void settings(const char *status, long *s)
{
  static const char *const names[] = { "enabled", "events", "pid", "bufsize", "block" };
  for (int i = 0; i < NSETTINGS; i++)
    s[i] = vmtrace_status_value(status, names[i]);
}

static int same_settings(const char *a, const char *b)
{
  long x[NSETTINGS], y[NSETTINGS];
  settings(a, x);
  settings(b, y);
  return memcmp(x, y, sizeof(x)) == 0;
}

// ---- Memory, as the kernel sees it --------------------------------------------------------

// The first page a copyout can write: text and read-only data end there (see sysfuzz).
static uint64 find_text_end(void)
{
  int p[2];
  char c;
  uint64 a;
  if (pipe(p) < 0)
    return 0;
  for (a = 0; a < tf.guard; a += PGSIZE) {
    c = peek(a);
    write(p[1], &c, 1);
    if (read(p[0], (char *)a, 1) == 1)
      break;
    read(p[0], &c, 1);
  }
  close(p[0]);
  close(p[1]);
  return a;
}

static void layout_init(void)
{
  static struct memstat ms;
  mempolicy(MEMPOLICY_LAZY);
  if (memstat(0, &ms) < 0)
    fail("memstat", 0, 0);
  tf.stack_base = ms.stack_base;
  tf.heap_base = ms.heap_base;
  tf.guard = ms.stack_base - PGSIZE;
  tf.text_end = find_text_end();
  uint64 sz = (uint64)sbrk(0);
  sbrk(PGROUNDUP(sz) - sz);   // a page-aligned break: nothing above it is mapped
  tf.lazy = PGROUNDUP(sz);
  sbrk(LAZY_PAGES * PGSIZE);
  tf.sz = tf.lazy + LAZY_PAGES * PGSIZE;
}

// Give the lazy pages back and take them again: untouched once more.
static void fresh_lazy(void)
{
  sbrk(-LAZY_PAGES * PGSIZE);
  sbrk(LAZY_PAGES * PGSIZE);
}

// How many of the n bytes at a the kernel can copy (into, if write).
static uint64 reach(uint64 a, uint64 n, int write)
{
  uint64 done = 0;
  while (done < n) {
    uint64 x = a + done, end;
    if (x >= MAXVA || (x >= tf.guard && x < tf.stack_base) || x >= tf.sz)
      break;
    if (x < tf.text_end) {
      if (write)
        break;
      end = tf.text_end;
    } else {
      end = x < tf.guard ? tf.guard : tf.sz;
    }
    done += end - x < n - done ? end - x : n - done;
  }
  return done;
}

enum { B_BIG, B_LAZY, B_TEXT, B_NULL, B_GUARD, B_KERNEL, B_MAXVA, B_ONES, B_TRAP, B_EDGE,
       B_STACK, B_N };

// A buffer of some class; for the kernel to write into, never our own data or stack.
static uint64 gen_buf(int for_write)
{
  switch (below(for_write ? B_STACK : B_N)) {
  case B_BIG:    return (uint64)big + below(64) * 8;
  case B_LAZY:   return tf.lazy + below(PGSIZE);
  case B_TEXT:   return below(tf.text_end);
  case B_NULL:   return 0;
  case B_GUARD:  return tf.guard + below(PGSIZE);
  case B_KERNEL: return KERNBASE + below(PHYSMAX - KERNBASE);
  case B_MAXVA:  return MAXVA - 8 + below(64);
  case B_ONES:   return ~0UL - below(64);
  case B_TRAP:   return TRAPFRAME + below(2 * PGSIZE);
  case B_EDGE:   return tf.sz - below(3 * REC);   // runs off the end of the heap
  default:       return tf.stack_base + below(64);
  }
}

static int gen_len(void)
{
  static const int lens[] = { 0, 1, 15, 16, 17, 39, 40, 41, 79, 80, 127, 128, 129, 4096,
                              8192, -1, INT_MIN, INT_MAX, 1 << 20 };
  return lens[below(sizeof(lens) / sizeof(lens[0]))];
}

// ---- Records ----------------------------------------------------------------------------

// Per-CPU sequence state while checking a stream.
struct seqstate {
  int seen;
  uint32 seq;
  uint64 ts;
};

// One record must be well-formed and, if its CPU has been seen, follow on: the next
// sequence number, or a VMT_LOST record whose count covers the gap; time never goes
// back on a CPU. Returns 0 or a reason.
static const char *follow(struct seqstate *cpus, const struct vmt_record *r)
{
  if (r->type == 0 || r->type >= VMT_NTYPES)
    return "record of no known type";
  if (r->cpu >= tf.ncpu)
    return "record from a CPU that does not exist";
  struct seqstate *s = &cpus[r->cpu];
  uint32 want = s->seq + 1 + (r->type == VMT_LOST ? r->a : 0);
  if (r->type == VMT_LOST && r->a == 0)
    return "VMT_LOST record of nothing";
  if (s->seen && r->seq != want)
    return "sequence gap not explained by a VMT_LOST record";
  if (s->seen && r->ts < s->ts)
    return "time went backwards on a CPU";
  s->seen = 1;
  s->seq = r->seq;
  s->ts = r->ts;
  return 0;
}

static void check_records(const struct vmt_record *r, int n, const char *what)
{
  static struct seqstate cpus[NCPU];
  memset(cpus, 0, sizeof(cpus));
  for (int i = 0; i < n; i++) {
    const char *why = follow(cpus, &r[i]);
    if (why)
      fail(why, i, r[i].seq);
  }
}

// Records across many reads, while others may reset the rings: each CPU's sequence
// numbers run on, except that a reset starts them again at 0 (or, if the first records
// after it were dropped, with a VMT_LOST record numbered by its count).
static struct seqstate stream[NCPU];

static void check_stream(const struct vmt_record *r, int n)
{
  for (int i = 0; i < n; i++) {
    const struct vmt_record *x = &r[i];
    int restart = x->type == VMT_LOST ? x->seq == x->a : x->seq == 0;
    if (restart && x->cpu < NCPU)
      stream[x->cpu].seen = 0;
    const char *why = follow(stream, x);
    if (why)
      fail(why, x->cpu, x->seq);
  }
}

// A read of the trace device into p: -1 or whole records, never more than the buffer
// could take; records that land where we can look are checked.
static int checked_read(int fd, uint64 p, int n)
{
  uint64 big_end = (uint64)big + sizeof(big);
  if (p >= (uint64)big && p < big_end && n > big_end - p)
    n = big_end - p;   // the rest of our memory is not for the kernel to write
  int r = read(fd, (void *)p, n);
  if (n < REC) {
    check(r == -1, "read smaller than a record did not fail", n, r);
    return r;
  }
  check(r == -1 || (r >= 0 && r % REC == 0 && r <= n), "read of part of a record", r, n);
  if (r > 0)
    check(r <= reach(p, n, 1), "read wrote past what the buffer could take", r, p);
  if (r > 0 && ((p >= (uint64)big && p + r <= (uint64)big + sizeof(big)) ||
                (p >= tf.lazy && p + r <= tf.sz)))
    check_stream((const struct vmt_record *)p, r / REC);
  return r;
}

// ---- Quiet checks: one process ----------------------------------------------------------

static void check_readers(void)
{
  tf.phase = "readers";
  int r = open(DEV, O_RDONLY);
  check(r >= 0, "cannot open " DEV " to read", r, 0);
  check(open(DEV, O_RDONLY) == -1, "second reader in the same process", 0, 0);
  check(open(DEV, O_RDWR) == -1, "second reader (read-write) was let in", 0, 0);
  int w = open(DEV, O_WRONLY);
  check(w >= 0, "a writer was refused while a reader is open", w, 0);
  close(w);
  int pid = fork();
  if (pid == 0)
    exit(open(DEV, O_RDONLY) == -1 ? 0 : 1);
  check(wait_status() == 0, "second reader in another process", pid, 0);
  int d = dup(r);
  close(r);
  check(open(DEV, O_RDONLY) == -1, "reader let in while a dup of the first is open", d, 0);
  close(d);
  r = open(DEV, O_RDONLY);
  check(r >= 0, "reader refused after the first one closed", r, 0);
  close(r);
}

static void check_small_reads(int fd)
{
  static const int small[] = { 0, 1, REC - 1, -1, INT_MIN };
  tf.phase = "small reads";
  for (int i = 0; i < 5; i++)
    check(read(fd, big, small[i]) == -1, "read smaller than a record did not fail", small[i], 0);
  ctl_ok("reset");
  check(read(fd, big, REC) == 0, "read of empty rings with tracing off is not EOF", 0, 0);
}

static const char *const bad_commands[] = {
  "", "\n", "enable 1", "enabled", "disable now", "reset 0", "events", "events 0",
  "events 0x1", "events 0xzz", "events -1", "events 0x", "pid", "pid -1",
  "pid x", "bufsize", "bufsize 0", "bufsize 15", "bufsize 0x", "bufsize -16",
  "bufsize 99999999999999999999", "Enable", " enable", "enable\n\n", "frobnicate",
  "pid 1 2", "events 0x2 0x4", "block", "block -1", "block 101", "block x", "block 1 2",
  "bufsize 1024xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};

// Bad commands fail, whatever the pointer, and change nothing.
static void check_bad_commands(void)
{
  tf.phase = "bad commands";
  read_status(status0, sizeof(status0));
  int n = sizeof(bad_commands) / sizeof(bad_commands[0]);
  for (int i = 0; i < n; i++)
    check(ctl(bad_commands[i]) == -1, bad_commands[i], i, 0);
  static const uint64 bad_ptrs[] = { KERNBASE, MAXVA, ~0UL, TRAPFRAME };
  for (int i = 0; i < 4; i++)
    check(ctl_raw((void *)bad_ptrs[i], 6) == -1, "command from a bad pointer", i, 0);
  check(ctl_raw((void *)tf.guard, 7) == -1, "command from the guard page", 0, 0);
  check(ctl_raw("enable", -1) == -1, "command of negative length", 0, 0);
  check(ctl_raw(big, 64) == -1, "command of 64 bytes", 0, 0);
  append_num(append_str(cmdbuf, "bufsize "), RING_MAX + 1, 10);
  check(ctl(cmdbuf) == -1, "bufsize above the most a ring holds", RING_MAX + 1, 0);
  append_num(append_str(cmdbuf, "events "), 1u << VMT_NTYPES, 16);
  check(ctl(cmdbuf) == -1, "events beyond the last type", 1u << VMT_NTYPES, 0);
  int fd = open(CTL, O_RDONLY);
  check(write(fd, "enable", 6) == -1, "command written to a read-only descriptor", fd, 0);
  close(fd);
  read_status(status1, sizeof(status1));
  check(same_settings(status0, status1), "a refused command changed the settings", 0, 0);
}

static void expect_setting(const char *name, long want)
{
  read_status(status1, sizeof(status1));
  check(vmtrace_status_value(status1, name) == want, name, vmtrace_status_value(status1, name), want);
}

static void check_good_commands(void)
{
  tf.phase = "good commands";
  ctl_ok("events 0x2000");
  expect_setting("events", 0x2000);
  ctl_ok("events 0x6\n");
  expect_setting("events", 6);
  ctl_num("events", VMT_EVENTS_ALL, 16);
  expect_setting("events", VMT_EVENTS_ALL);
  ctl_ok("pid 12345");
  expect_setting("pid", 12345);
  ctl_ok("pid 0");
  expect_setting("pid", 0);
  ctl_ok("bufsize 16");
  expect_setting("bufsize", 16);
  ctl_ok("bufsize 0x2000");
  expect_setting("bufsize", 0x2000);
  ctl_ok("bufsize 100");   // rounded down to a power of two
  expect_setting("bufsize", 64);
  ctl_num("bufsize", RING_MAX, 10);
  expect_setting("bufsize", RING_MAX);
  long block = vmtrace_status_value(status1, "block");
  ctl_ok("block 0");
  expect_setting("block", 0);
  ctl_ok("block 100");
  expect_setting("block", 100);
  ctl_num("block", block, 10);
  expect_setting("block", block);
  ctl_ok("enable");
  expect_setting("enabled", 1);
  ctl_ok("disable\n");
  expect_setting("enabled", 0);
  ctl_ok("reset");
  read_status(status1, sizeof(status1));
  for (int c = 0; c < tf.ncpu; c++) {
    char *d = append_num(append_str(cmdbuf, "cpu"), c, 10);
    append_str(d, " fill");
    check(vmtrace_status_value(status1, cmdbuf) == 0, "reset left records in a ring", c, 0);
  }
}

// Trace only this process's markers (and losses), from empty.
static void markers_only(void)
{
  ctl_ok("disable");
  ctl_num("events", 1u << VMT_MARKER | 1u << VMT_LOST, 16);
  ctl_num("pid", getpid(), 10);
  ctl_ok("reset");
  ctl_ok("enable");
}

// Read everything until EOF (tracing must be off) into big; returns the record count.
static int drain_all(int fd, const char *what)
{
  int got = 0, r;
  while ((r = read(fd, big + got * REC, sizeof(big) - got * REC)) > 0)
    got += r / REC;
  check(r == 0, "drain did not end in EOF", r, got);
  check(got * REC < sizeof(big), "more records than expected", got, 0);
  return got;
}

static const int marker_lens[] = { 0, 1, 15, 16, 17, 127, 128, 129, 4096, 31, 33 };
#define NMARKERS (sizeof(marker_lens) / sizeof(marker_lens[0]))

// What the kernel keeps of an n-byte marker: at most 128 bytes, a final '\n' dropped.
static int kept(const char *s, int n)
{
  int len = n < TRACE_MARKER_MAX ? n : TRACE_MARKER_MAX;
  return len > 0 && s[len - 1] == '\n' ? len - 1 : len;
}

// Check marker i (texts are "text" + i) against the records from pos on, all on one
// CPU, up to end. Returns the position after it.
static int check_marker(const struct vmt_record *r, int pos, int end, int i)
{
  const char *s = text + i;
  int len = kept(s, marker_lens[i]), nrec = len ? (len + 15) / 16 : 1;
  check(pos + nrec <= end, "marker records missing (or split across CPUs)", i, end - pos);
  for (int k = 0; k < nrec; k++) {
    const struct vmt_record *m = &r[pos + k];
    char got[16];
    memmove(got, &m->a, 8);
    memmove(got + 8, &m->b, 8);
    check(m->type == VMT_MARKER, "not a marker record", i, m->type);
    check((m->flags & VMT_MORE) == (k + 1 < nrec), "VMT_MORE flag wrong", i, k);
    for (int b = 0; b < 16; b++) {
      char want = 16 * k + b < len ? s[16 * k + b] : 0;
      check(got[b] == want, "marker text changed", i, 16 * k + b);
    }
  }
  return pos + nrec;
}

// The drain holds each CPU's records together, CPU after CPU. Find where each CPU's
// run starts and ends; each must start at sequence number 0 (just reset).
static void cpu_runs(const struct vmt_record *r, int n, int *pos, int *end)
{
  for (int c = 0; c < NCPU; c++)
    pos[c] = end[c] = 0;
  for (int i = 0; i < n; i++) {
    int c = r[i].cpu;
    if (i == 0 || r[i - 1].cpu != c) {
      check(end[c] == 0, "a CPU's records are not together", c, i);
      check(r[i].seq == 0, "first record after reset is not number 0", c, r[i].seq);
      pos[c] = i;
    }
    end[c] = i + 1;
  }
}

// The CPU whose next unclaimed record is the earliest, or -1.
static int earliest(const struct vmt_record *r, int *pos, int *end)
{
  int best = -1;
  for (int c = 0; c < NCPU; c++)
    if (pos[c] < end[c] && (best < 0 || r[pos[c]].ts < r[pos[best]].ts))
      best = c;
  return best;
}

// Markers of odd lengths arrive whole, cut at 128 bytes (a short write), in order.
static void check_marker_text(int rd)
{
  static int pos[NCPU], end[NCPU];
  tf.phase = "marker text";
  for (int i = 0; i < sizeof(text); i++)
    text[i] = 'A' + i % 26;
  text[39] = '\n';   // marker 9 (31 bytes from text + 9) ends with a newline
  markers_only();
  int w = open(DEV, O_WRONLY);
  for (int i = 0; i < NMARKERS; i++)
    check(write(w, text + i, marker_lens[i]) ==
              (marker_lens[i] < TRACE_MARKER_MAX ? marker_lens[i] : TRACE_MARKER_MAX), "marker write", i, 0);
  close(w);
  ctl_ok("disable");
  int n = drain_all(rd, "markers");
  const struct vmt_record *r = (const struct vmt_record *)big;
  check_records(r, n, "markers");
  cpu_runs(r, n, pos, end);
  // This process may have moved between CPUs between markers: take them in time order.
  for (int i = 0; i < NMARKERS; i++) {
    int c = earliest(r, pos, end);
    check(c >= 0, "marker missing", i, n);
    pos[c] = check_marker(r, pos[c], end[c], i);
  }
  check(earliest(r, pos, end) < 0, "extra records", n, 0);
}

// The sum of the "cpuN lost L" counts in the status.
static long lost_total(void)
{
  long sum = 0;
  read_status(status1, sizeof(status1));
  for (int c = 0; c < tf.ncpu; c++) {
    char *d = append_num(append_str(cmdbuf, "cpu"), c, 10);
    append_str(d, " fill");
    // "cpuN fill F lost L": the value after "lost" on that line
    for (char *l = status1; *l; l++) {
      if (memcmp(l, cmdbuf, strlen(cmdbuf)) != 0)
        continue;
      char *lost = strchr(l, 'l');
      while (lost && memcmp(lost, "lost ", 5) != 0)
        lost = strchr(lost + 1, 'l');
      sum += lost ? atoi(lost + 5) : 0;
      break;
    }
  }
  return sum;
}

// Read what is there (at most n records) onto the end of big; returns the new count.
static int read_more(int fd, int got, int n)
{
  int r = read(fd, big + got * REC, n * REC);
  check(r >= 0 && r % REC == 0, "read", r, got);
  return got + r / REC;
}

static void write_markers(int w, int n)
{
  for (int i = 0; i < n; i++)
    check(write(w, "lost?", 5) == 5, "marker write", i, 0);
}

// Full rings: every marker either arrives or is counted in a VMT_LOST record, and the
// counts agree with the status.
static void check_lost(int rd)
{
  tf.phase = "lost records";
  markers_only();
  ctl_ok("bufsize 16");
  int w = open(DEV, O_WRONLY), got = 0, kept = 0;
  long lost = 0;
  write_markers(w, 40);          // 16 fit in a ring
  got = read_more(rd, got, 2);   // some room: the rest stays
  write_markers(w, 5);           // a VMT_LOST record, a marker, then drops again
  got = read_more(rd, got, 200);
  write_markers(w, 1);           // room for all: the last drops are reported
  ctl_ok("disable");
  got = read_more(rd, got, 200);
  close(w);
  const struct vmt_record *r = (const struct vmt_record *)big;
  check_records(r, got, "lost");
  for (int i = 0; i < got; i++) {
    kept += r[i].type == VMT_MARKER;
    lost += r[i].type == VMT_LOST ? r[i].a : 0;
  }
  check(kept + lost == 46, "markers neither arrived nor were counted lost", kept, lost);
  check(lost == lost_total(), "VMT_LOST records disagree with the status", lost, lost_total());
  ctl_num("bufsize", RING_MAX, 10);
}

// A marker of n bytes from p: min(n, 128) if that many bytes can be copied, else -1.
static void check_marker_write(int w, uint64 p, int n)
{
  int r = write(w, (void *)p, n);
  if (n < 0) {
    check(r == -1, "marker of negative length", n, r);
    return;
  }
  int len = n < TRACE_MARKER_MAX ? n : TRACE_MARKER_MAX;
  check(r == (reach(p, len, 0) >= len ? len : -1), "marker write: wrong result", r, p);
}

static void check_hostile_markers(int rd)
{
  tf.phase = "hostile markers";
  markers_only();
  int w = open(DEV, O_WRONLY);
  for (int i = 0; i < 400; i++) {
    if (i % 40 == 0)
      fresh_lazy();
    check_marker_write(w, gen_buf(0), gen_len());
  }
  close(w);
  ctl_ok("disable");
  fresh_lazy();
  while (checked_read(rd, tf.lazy, LAZY_PAGES * PGSIZE) > 0)
    fresh_lazy();   // into untouched lazy pages, all of it well-formed
}

static void check_hostile_reads(int rd)
{
  tf.phase = "hostile reads";
  markers_only();
  int w = open(DEV, O_WRONLY);
  for (int i = 0; i < 300; i++) {
    write(w, "tracefuzz", 9);   // something to read: the read must not wait
    if (i % 16 == 0)
      fresh_lazy();
    checked_read(rd, gen_buf(1), gen_len());
  }
  close(w);
  ctl_ok("disable");
  while (checked_read(rd, (uint64)big, sizeof(big)) > 0)
    ;
}

static void quiet_checks(void)
{
  check_readers();
  int rd = open(DEV, O_RDONLY);
  check(rd >= 0, "cannot open " DEV, rd, 0);
  check_small_reads(rd);
  check_bad_commands();
  check_good_commands();
  check_marker_text(rd);
  check_lost(rd);
  check_hostile_markers(rd);
  check_hostile_reads(rd);
  close(rd);
  exit(0);
}

// ---- Storm: several processes at once ------------------------------------------------------

// A random control command, good (returns 1) or bad (0), in cmdbuf.
static int gen_command(void)
{
  // Small rings half the time: full rings drop records, which must be counted.
  static const int sizes[] = { 16, 16, 16, 17, 64, 100, 1024, RING_MAX };
  char *d = cmdbuf;
  switch (below(9)) {
  case 0:  append_str(d, "enable"); return 1;
  case 1:  append_str(d, "disable"); return 1;
  case 2:  append_str(d, "reset"); return 1;
  case 3: {
    uint64 mask = (1 + below(VMT_EVENTS_ALL)) & VMT_EVENTS_ALL;
    append_num(append_str(d, "events "), mask ? mask : 2, 16);
    return 1;
  }
  case 4:  append_num(append_str(d, "pid "), below(2) ? getpid() : below(3) ? 0 : 1 + below(200), 10); return 1;
  case 5:  append_num(append_str(d, "bufsize "), sizes[below(8)], 10); return 1;
  case 6:  strcpy(d, bad_commands[below(sizeof(bad_commands) / sizeof(bad_commands[0]))]); return 0;
  case 7:  append_num(append_str(d, "bufsize "), below(2) ? below(16) : RING_MAX + 1 + below(1000), 10); return 0;
  default:
    for (int i = 0; i < 20; i++)
      d[i] = 'f' + below(20);   // garbage that starts with no command's first letter
    d[20] = 0;
    return 0;
  }
}

static void storm_command(void)
{
  int good = gen_command(), n = strlen(cmdbuf);
  int r = ctl(cmdbuf);
  check(r == (good ? n : -1), good ? "good command refused" : "bad command accepted", r, n);
}

static void storm_marker(int w)
{
  if (below(8) == 0)
    fresh_lazy();
  check_marker_write(w, gen_buf(0), gen_len());
}

// A fork under a fork policy drawn at random, whose child writes to some of the heap's
// pages p[0 .. pages): under copy-on-write those writes copy the frames it shares with
// this process or take them over, and pages never touched fault in lazily.
static void churn_fork(char *p, int pages)
{
  forkpolicy(below(2) ? FORKPOLICY_COW : FORKPOLICY_COPY);
  int pid = fork();
  if (pid == 0) {
    for (int i = below(2); i < pages; i += 1 + below(2))
      p[i * PGSIZE] ^= 1;
    exit(3);
  }
  check(pid > 0 && wait_status() == 3, "child exit status", pid, 0);
}

// Memory and process events for the tracer to record.
static void storm_churn(void)
{
  int pages = 1 + below(8);
  char *p = sbrk(pages * PGSIZE);
  check(p != (char *)-1, "sbrk", pages, 0);
  for (int i = 0; i < pages; i += 1 + below(2))
    p[i * PGSIZE] = i;
  if (below(4) == 0)
    churn_fork(p, pages);
  sbrk(-pages * PGSIZE);
}

static void storm_status(void)
{
  int fd = open(CTL, O_RDONLY);
  uint64 p = below(2) ? (uint64)big : gen_buf(1);
  int n = below(2) ? sizeof(status1) : gen_len();
  int r = read(fd, (void *)p, n);
  close(fd);
  check(r >= -1 && r <= (n < 0 ? 0 : n), "status read: result out of range", r, n);
  if (r > 0)
    check(r <= reach(p, n, 1), "status read wrote past the buffer", r, p);
  if (r > 8 && p == (uint64)big)
    check(memcmp(big, "enabled ", 8) == 0, "status text", r, 0);
}

static void storm_reader_attempt(void)
{
  int fd = open(DEV, below(2) ? O_RDONLY : O_RDWR);
  if (fd >= 0)
    close(fd);
  check(fd == -1, "a second reader got in during the storm", fd, 0);
}

static void storm_worker(int iters)
{
  tf.phase = "storm";
  int w = open(DEV, O_WRONLY);
  check(w >= 0, "cannot open " DEV " to write", w, 0);
  for (int i = 0; i < iters; i++) {
    switch (below(6)) {
    case 0:  storm_command(); break;
    case 1:  storm_marker(w); break;
    case 2:  storm_churn(); break;
    case 3:  storm_status(); break;
    case 4:  storm_reader_attempt(); break;
    default: storm_command(); storm_marker(w); break;
    }
  }
  close(w);
  exit(0);
}

static char donepath[48];

static int storm_done(void)
{
  int fd = open(donepath, O_RDONLY);
  if (fd >= 0)
    close(fd);
  return fd >= 0;
}

// Drain into hostile buffers until the storm is over and the rings are empty. A read
// blocks only while tracing is on with nothing buffered; the final disable ends that.
static void storm_reader(int rd)
{
  tf.phase = "storm reader";
  for (int i = 0; ; i++) {
    if (i % 8 == 0)
      fresh_lazy();
    // Hostile buffers; good ones, sometimes only a few records long so that a ring
    // stays part full while more records come (or are dropped).
    uint64 p = below(3) ? gen_buf(1) : (uint64)big;
    int n = below(3) == 0 ? REC * (1 + below(4)) : below(2) ? gen_len() : sizeof(big);
    int r = checked_read(rd, p, n);
    if (r == 0) {
      if (storm_done())
        break;
      sleep(1);
    }
  }
  exit(0);
}

static void storm(int nprocs, int iters)
{
  tf.phase = "storm";
  int rd = open(DEV, O_RDONLY);
  check(rd >= 0, "cannot open " DEV, rd, 0);
  ctl_num("events", VMT_EVENTS_ALL, 16);
  ctl_ok("pid 0");
  ctl_ok("enable");
  int reader = fork();
  if (reader == 0)
    storm_reader(rd);
  close(rd);
  for (int i = 0; i < nprocs; i++) {
    if (fork() == 0) {
      tf.rng = tf.seed = rng_mix(tf.seed + i + 1);
      storm_worker(iters);
    }
  }
  int bad = 0;
  for (int i = 0; i < nprocs; i++)
    bad |= wait_status() != 0;
  int fd = open(donepath, O_CREATE | O_WRONLY);
  close(fd);
  ctl_ok("disable");
  int status;
  check(wait(&status) == reader, "reader did not finish", 0, 0);
  check(!bad && status == 0, "storm process failed", bad, status);
  unlink(donepath);
}

// ---- Marker atomicity -----------------------------------------------------------------------
//
// A marker longer than 16 bytes takes several records, "the next marker record on this
// CPU continues the text" (VMT_MORE). That holds only if nothing else lands on the CPU
// in between and the writer does not move to another CPU half way. Several processes
// write 128-byte markers (8 records each, every byte one letter) as fast as they can;
// on every CPU each chain must be 8 records of one process and one letter.

#define ATOM_WRITERS 3

struct chain {
  int open;     // records so far in the current chain, 0 if none
  uint32 pid;
  char letter;
};

// Follow one record on its CPU's chain.
static void chain_step(struct chain *ch, const struct vmt_record *r)
{
  if (r->type == VMT_LOST) {   // drops break chains: start afresh
    ch->open = 0;
    return;
  }
  check(r->type == VMT_MARKER, "not a marker record", r->type, 0);
  char c = *(const char *)&r->a;
  if (ch->open == 0) {
    ch->pid = r->pid;
    ch->letter = c;
  }
  check(r->pid == ch->pid, "another process's record inside a marker (cpu, pid)", r->cpu, r->pid);
  check(c == ch->letter, "a marker's records are not one marker's text", r->cpu, ch->open);
  ch->open++;
  int more = (r->flags & VMT_MORE) != 0;
  check(more == (ch->open < TRACE_MARKER_MAX / 16), "a marker did not come in one piece (cpu, record)",
        r->cpu, ch->open);
  if (!more)
    ch->open = 0;
}

static void atom_writer(int count)
{
  int w = open(DEV, O_WRONLY);
  for (int i = 0; i < count; i++) {
    memset(text, 'a' + (getpid() * 7 + i) % 26, TRACE_MARKER_MAX);
    check(write(w, text, TRACE_MARKER_MAX) == TRACE_MARKER_MAX, "marker write", i, 0);
  }
  exit(0);
}

// Drain until told to stop (EOF after the disable), following every CPU's chains.
static void atom_reader(int rd)
{
  static struct chain chains[NCPU];
  int r;
  while ((r = read(rd, big, sizeof(big))) > 0) {
    const struct vmt_record *rec = (const struct vmt_record *)big;
    for (int i = 0; i < r / REC; i++)
      chain_step(&chains[rec[i].cpu % NCPU], &rec[i]);
  }
  check(r == 0, "read", r, 0);
  exit(0);
}

static void check_marker_atomicity(int count)
{
  tf.phase = "marker atomicity";
  int rd = open(DEV, O_RDONLY);
  ctl_ok("disable");
  ctl_num("events", 1u << VMT_MARKER | 1u << VMT_LOST, 16);
  ctl_ok("pid 0");
  ctl_ok("reset");
  ctl_ok("enable");
  int reader = fork();
  if (reader == 0)
    atom_reader(rd);
  close(rd);
  for (int i = 0; i < ATOM_WRITERS; i++)
    if (fork() == 0)
      atom_writer(count);
  int bad = 0;
  for (int i = 0; i < ATOM_WRITERS; i++)
    bad |= wait_status() != 0;
  ctl_ok("disable");   // the reader drains the rest, reads EOF and exits
  int status;
  check(wait(&status) == reader && status == 0 && !bad, "marker atomicity", bad, status);
  exit(0);
}

static int atom_count = 400;

static void atomicity_child(void)
{
  check_marker_atomicity(atom_count);
}

// ---- The recording ----------------------------------------------------------------------

// The workload `vmtrace record` runs: markers, lazy faults, a fork.
static void workload(void)
{
  char mark[16];
  for (int i = 0; i < WORKLOAD_MARKS; i++) {
    append_num(append_str(mark, "tfz-w "), i, 10);
    vmtrace_mark(mark);
    if (i == 3) {
      char *p = sbrk(5 * PGSIZE);
      for (int k = 0; k < 3; k++)
        p[k * PGSIZE] = k;
      sbrk(-5 * PGSIZE);
    }
    if (i == 6) {
      if (fork() == 0)
        exit(7);
      wait(0);
    }
  }
  exit(0);
}

static void check_header(const struct vmt_header *h)
{
  check(memcmp(h->magic, VMT_MAGIC, 8) == 0, "recording: bad magic", 0, 0);
  check(h->version == VMT_VERSION, "recording: version", h->version, VMT_VERSION);
  check(h->header_size == sizeof(*h), "recording: header size", h->header_size, 0);
  check(h->record_size == REC, "recording: record size", h->record_size, REC);
  check(h->ncpu == tf.ncpu, "recording: ncpu", h->ncpu, tf.ncpu);
  check(h->timer_hz == 10000000, "recording: timer_hz", h->timer_hz, 0);
  check(h->page_size == PGSIZE, "recording: page size", h->page_size, 0);
  check(h->free_pages > 0 && h->free_pages < (PHYSMAX - KERNBASE) / PGSIZE,
        "recording: free pages", h->free_pages, 0);
}

// Which workload marker a record is, or -1.
static int workload_mark(const struct vmt_record *r)
{
  char s[17];
  memmove(s, &r->a, 8);
  memmove(s + 8, &r->b, 8);
  s[16] = 0;
  if (r->type != VMT_MARKER || memcmp(s, "tfz-w ", 6) != 0 || s[7] != 0)
    return -1;
  return s[6] - '0';
}

struct tally {
  struct seqstate cpus[NCPU];
  long records, lost;
  int marks[WORKLOAD_MARKS];
};

static void tally_records(struct tally *t, const struct vmt_record *r, int n)
{
  for (int i = 0; i < n; i++) {
    struct seqstate *s = &t->cpus[r[i].cpu < NCPU ? r[i].cpu : 0];
    if (!s->seen)   // reset: every CPU starts at 0 (or with the records it dropped)
      check(r[i].seq == (r[i].type == VMT_LOST ? r[i].a : 0), "recording: first sequence number",
            r[i].cpu, r[i].seq);
    const char *why = follow(t->cpus, &r[i]);
    if (why)
      fail(why, t->records + i, r[i].seq);
    if (r[i].type == VMT_LOST)
      t->lost += r[i].a;
    int m = workload_mark(&r[i]);
    if (m >= 0 && m < WORKLOAD_MARKS)
      t->marks[m]++;
  }
  t->records += n;
}

static void check_recording(const char *path)
{
  static struct tally t;
  memset(&t, 0, sizeof(t));
  int fd = open(path, O_RDONLY);
  check(fd >= 0, "recording: cannot open it", fd, 0);
  check(read(fd, big, sizeof(struct vmt_header)) == sizeof(struct vmt_header),
        "recording: no header", 0, 0);
  check_header((struct vmt_header *)big);
  int n, chunk = (sizeof(big) / REC) * REC;
  while ((n = read(fd, big, chunk)) > 0) {
    check(n % REC == 0, "recording: part of a record", n, t.records);
    tally_records(&t, (struct vmt_record *)big, n / REC);
  }
  close(fd);
  check(t.records > 0, "recording: no records", 0, 0);
  for (int i = 0; i < WORKLOAD_MARKS; i++)
    check(t.marks[i] == 1 || (t.marks[i] == 0 && t.lost > 0), "recording: workload marker",
          i, t.marks[i]);
}

static void record(void)
{
  tf.phase = "recording";
  static char path[48];
  append_str(append_str(path, tf.scratch), "/rec.vmt");
  char *argv[] = { "vmtrace", "record", "-o", path, "--", "/tracefuzz", "-w", 0 };
  int pid = fork();
  if (pid == 0) {
    exec("/vmtrace", argv);
    exit(127);
  }
  check(wait_status() == 0, "vmtrace record failed", pid, 0);
  check_recording(path);
  unlink(path);
}

// ---- main ----------------------------------------------------------------------------------

// Put tracing back as it was found: off, same events, pid filter and ring size.
static void restore(void)
{
  long s[NSETTINGS];
  settings(status0, s);
  ctl_ok("disable");
  ctl_num("events", s[1], 16);
  ctl_num("pid", s[2], 10);
  ctl_num("bufsize", s[3], 10);
  ctl_num("block", s[4], 10);
  ctl_ok("reset");
  read_status(status1, sizeof(status1));
  check(same_settings(status0, status1), "settings not restored", 0, 0);
}

// Run fn in a child and fail if it does.
static void in_child(void (*fn)(void), const char *what)
{
  int pid = fork();
  if (pid == 0)
    fn();
  int status = wait_status();
  if (status != 0) {
    tf.phase = what;
    fail("a check failed or was killed", pid, status);
  }
}

static int nprocs = 3, iters = 300;

static void storm_child(void)
{
  storm(nprocs, iters);
  exit(0);
}

static void parse_args(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-w") == 0)
      workload();
    if (i + 1 >= argc || argv[i][0] != '-') {
      fprintf(2, "usage: tracefuzz [-s SEED] [-n ITERATIONS] [-p PROCS] [-m MARKERS] | tracefuzz -w\n");
      exit(2);
    }
    int v = atoi(argv[++i]);
    if (argv[i - 1][1] == 's')
      tf.seed = v;
    else if (argv[i - 1][1] == 'n')
      iters = v;
    else if (argv[i - 1][1] == 'p')
      nprocs = v < 1 ? 1 : v > 6 ? 6 : v;
    else if (argv[i - 1][1] == 'm')
      atom_count = v;
  }
}

int main(int argc, char **argv)
{
  tf.seed = 1;
  parse_args(argc, argv);
  tf.rng = tf.seed;
  tf.phase = "setup";
  int before = freemem();
  if (read_status(status0, sizeof(status0)) == 0)
    fail("no status from " CTL " (tracing compiled out?)", 0, 0);
  check(vmtrace_status_value(status0, "enabled") == 0, "tracing is on: is a recorder running?", 0, 0);
  tf.ncpu = vmtrace_status_value(status0, "ncpu");
  append_num(append_str(tf.scratch, "/tfz"), getpid(), 10);
  append_str(append_str(donepath, tf.scratch), "/done");
  check(mkdir(tf.scratch) == 0, "cannot make the scratch directory", 0, 0);
  layout_init();   // children inherit the heap layout; this process never touches it
  in_child(quiet_checks, "quiet checks");
  in_child(atomicity_child, "marker atomicity");
  in_child(storm_child, "storm");
  restore();
  record();
  tf.phase = "end";
  restore();
  check(unlink(tf.scratch) == 0, "cannot remove the scratch directory", 0, 0);
  sbrk(-(tf.sz - tf.heap_base));
  int after = settle_freemem(before);
  printf("tracefuzz: %d processes x %d iterations, seed %ld, free pages before %d after %d\n",
         nprocs, iters, tf.seed, before, after);
  check(after == before, "free pages not back", before, after);
  printf("tracefuzz: OK\n");
  exit(0);
}
