// tracebench: what the memory-event tracer costs, measured inside the kernel.
//
//   tracebench off   [-n ROUNDS] [-i]   the workload with tracing disabled; run it on
//                                       kernel/kernel and on build/kernel-notrace to
//                                       compare compiled-in-but-off with compiled-out
//   tracebench on    [-n ROUNDS] [-i]   run as `vmtrace record -- tracebench on`: rounds
//                                       with every event recorded, interleaved with
//                                       rounds without call chains and rounds whose
//                                       events are masked off, while the recorder
//                                       drains; gives the on/off ratios
//   tracebench emit  [-n ROUNDS] [-i]   the cost of one emit, of reading one record out
//                                       of the rings, and of one CSR access (no recorder
//                                       may be running)
//   tracebench link  [-n ROUNDS] [-i]   host-link throughput (needs /dev/hostlink; the
//                                       host file receives 2 x 8 MiB per round)
//   tracebench storm [-p PAGES]         a fault storm for the drop test: two processes
//                                       each touch PAGES heap pages, twice
//   tracebench churn [-c CYCLES]        a record storm for the drop test: three processes
//                                       each move the break up a page and back CYCLES
//                                       times, touching nothing, so that most of their
//                                       time goes to the emit path itself
//   tracebench resets [-c CYCLES]       CYCLES ring resets (default 20000) while three
//                                       processes churn the break: the drop test's
//                                       regression test for a tick/reset deadlock
//   tracebench stuck [-p PAGES]         without a recorder: a reader that never reads
//                                       while a child touches PAGES pages twice; the
//                                       child must finish, at the cost of drops
//   tracebench slowreader [-p PAGES]    without a recorder: a reader that takes 8
//                                       records a tick while a child touches PAGES
//                                       pages (default 32) twice; nothing may drop
//
// The workload, one "round": FAULT_CYCLES times grow the heap by CYCLE_PAGES, store to
// every page (one lazy fault each) and shrink it back; then FORKS times fork a child
// with a touched FORK_PAGES heap (the copy allocates and maps every page) which exits
// at once. The fault and fork phases are timed separately with the time CSR.
//
// "on" against "off" within one boot: the same process runs rounds with every event
// recorded, rounds with every event but the call chains, and rounds with the event mask
// cleared (MASK_QUIET), in back-to-back sets of three whose order rotates. Before each
// round it waits until the recorder has emptied the rings, so a round pays only for the
// draining that overlaps it (on other harts); what draining costs per record is
// measured separately by "emit".
//
// Two estimates are printed for each comparison: the median of the per-pair ratios (or
// differences), and the ratio of the fastest rounds. The time CSR follows the host clock
// under plain TCG, so drift from host load falls on both halves of a pair alike, and
// load only ever adds time, so the fastest rounds are the least disturbed. -i only labels
// the figures "icount" (run under QEMU -icount, where virtual time counts instructions of
// all harts); without it they say "host".
//
// Output: a readable report, then lines starting "csv," for tools/bench-trace.sh:
//   csv,clock,kernel,mode,case,metric,runs,median,min,max,unit
// kernel is "traced" or "notrace" (no /dev/vmtracectl status: compiled out). Times are
// ns; ratios carry 4 decimals. A benchmark, not a test: it never fails on a figure.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/mempolicy.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"
#include "tracing/vmtrace_format.h"

#define CTL  "/dev/vmtracectl"
#define DEV  "/dev/vmtrace"
#define LINK "/dev/hostlink"

#define MAX_ROUNDS 41
#define DEFAULT_ROUNDS 11

#define CYCLE_PAGES 64
#define FAULT_CYCLES 16          // 1024 faults per round
#define FORK_PAGES 64
#define FORKS 4
#define MARKERS 1000             // marker writes per emit-mode round

#define LINK_BYTES (8 * 1024 * 1024)
#define LINK_MAX_WRITE (64 * 1024)
#define STORM_PAGES 4096
#define CHURN_CYCLES 100000
#define RESET_CYCLES 20000
#define SLOW_READER_PAGES 32

// Only loss reports: every trace point's bit is clear, so each costs exactly what it
// does with tracing disabled (one test of its trace_on byte), yet the reader stays attached.
#define MASK_QUIET (1u << VMT_LOST)

static const char *clock_name = "host";
static const char *kernel_name = "traced";

static void die(const char *msg)
{
  fprintf(2, "tracebench: %s\n", msg);
  exit(1);
}

// ---- Tracing control -----------------------------------------------------------------------

static void ctl_or_die(const char *cmd)
{
  if (vmtrace_ctl(cmd) < 0) {
    fprintf(2, "tracebench: '%s' refused by " CTL "\n", cmd);
    exit(1);
  }
}

// The status text of /dev/vmtracectl; 0 if there is none (tracing compiled out).
static int read_status(char *buf, int max)
{
  int len = vmtrace_status(buf, max);
  return len < 0 ? 0 : len;
}

// The value of the "name value" line of the status text, or -1.
static long status_value(const char *name)
{
  char status[1024];
  if (read_status(status, sizeof(status)) == 0)
    return -1;
  return vmtrace_status_value(status, name);
}

// Sum over the "cpuN fill F lost L" lines of the number after " field "; the largest
// one goes to *max.
static long status_cpu_sum(const char *field, long *max)
{
  char status[1024], key[16] = " ";
  strcpy(key + 1, field);
  int klen = strlen(key);
  long sum = 0;
  *max = 0;
  int len = read_status(status, sizeof(status));
  for (char *p = status; p + klen < status + len; p++) {
    if (memcmp(p, key, klen) != 0 || p[klen] != ' ')
      continue;
    long v = number_at(p + klen + 1, 0);
    sum += v;
    if (v > *max)
      *max = v;
  }
  return sum;
}

static void set_events(uint mask)
{
  char cmd[32];
  append_num(append_str(cmd, "events "), mask, 16);
  ctl_or_die(cmd);
}

// ---- The workload ----------------------------------------------------------------------------

// FAULT_CYCLES x (grow, fault every page in, shrink back). Returns ticks.
static uint64 fault_phase(void)
{
  uint64 t0 = clock_now();
  for (int c = 0; c < FAULT_CYCLES; c++) {
    char *p = sbrk(CYCLE_PAGES * PGSIZE);
    if (p == (char *)-1)
      die("sbrk failed");
    touch_pages(p, CYCLE_PAGES);
    if (sbrk(-CYCLE_PAGES * PGSIZE) == (char *)-1)
      die("shrink failed");
  }
  return clock_now() - t0;
}

// FORKS x (fork a copy of a touched FORK_PAGES heap, the child exits, wait). Returns ticks.
static uint64 fork_phase(void)
{
  char *p = sbrk(FORK_PAGES * PGSIZE);
  if (p == (char *)-1)
    die("sbrk failed");
  touch_pages(p, FORK_PAGES);
  uint64 t0 = clock_now();
  for (int i = 0; i < FORKS; i++) {
    int pid = fork();
    if (pid < 0)
      die("fork failed");
    if (pid == 0)
      exit(0);
    wait(0);
  }
  uint64 t = clock_now() - t0;
  sbrk(-FORK_PAGES * PGSIZE);
  return t;
}

struct round {
  long fault, fork, total;   // ns
};

static struct round run_round(void)
{
  struct round r;
  r.fault = clock_ns(fault_phase());
  r.fork = clock_ns(fork_phase());
  r.total = r.fault + r.fork;
  return r;
}

// ---- Statistics ------------------------------------------------------------------------------

// a / b with 4 decimals, as an integer scaled by 10000.
static long ratio4(long a, long b)
{
  return b ? (a * 10000 + b / 2) / b : 0;
}

// ---- Output ------------------------------------------------------------------------------------

// v scaled by 10^decimals, printed as a decimal number.
static void print_fixed(long v, int decimals)
{
  long scale = 1;
  for (int i = 0; i < decimals; i++)
    scale *= 10;
  if (v < 0) {
    printf("-");
    v = -v;
  }
  if (decimals == 0)
    printf("%ld", v);
  else if (decimals == 2)
    printf("%ld.%02ld", v / scale, v % scale);
  else
    printf("%ld.%04ld", v / scale, v % scale);
}

static void csv_header(void)
{
  printf("csv,clock,kernel,mode,case,metric,runs,median,min,max,unit\n");
}

// median, sep1, min, sep2, max.
static void print_stat3(struct stat3 s, int decimals, const char *sep1, const char *sep2)
{
  print_fixed(s.median, decimals);
  printf("%s", sep1);
  print_fixed(s.min, decimals);
  printf("%s", sep2);
  print_fixed(s.max, decimals);
}

// One csv line; the values are scaled by 10^decimals (0, 2 or 4).
static void csv(const char *mode, const char *cas, const char *metric, int runs,
                struct stat3 s, int decimals, const char *unit)
{
  printf("csv,%s,%s,%s,%s,%s,%d,", clock_name, kernel_name, mode, cas, metric, runs);
  print_stat3(s, decimals, ",", ",");
  printf(",%s\n", unit);
}

// "  label  median [min .. max] unit" for people.
static void show(const char *label, struct stat3 s, int decimals, const char *unit)
{
  printf("  %-28s ", label);
  print_stat3(s, decimals, " [", " .. ");
  printf("] %s\n", unit);
}

static void show_ns_as_ms(const char *label, struct stat3 s)
{
  struct stat3 us = { s.median / 1000, s.min / 1000, s.max / 1000 };
  printf("  %-28s %ld.%03ld ms [%ld.%03ld .. %ld.%03ld]\n", label,
         us.median / 1000, us.median % 1000, us.min / 1000, us.min % 1000,
         us.max / 1000, us.max % 1000);
}

// ---- Modes -------------------------------------------------------------------------------------

struct rounds {
  long fault[MAX_ROUNDS], fork[MAX_ROUNDS], total[MAX_ROUNDS];
};

static void keep(struct rounds *rs, int i, struct round r)
{
  rs->fault[i] = r.fault;
  rs->fork[i] = r.fork;
  rs->total[i] = r.total;
}

static void report_rounds(const char *mode, const char *cas, struct rounds *rs, int n)
{
  struct stat3 f = stat3_of(rs->fault, n), k = stat3_of(rs->fork, n);
  struct stat3 t = stat3_of(rs->total, n);
  printf(" %s (%d rounds):\n", cas, n);
  show_ns_as_ms("fault phase", f);
  show_ns_as_ms("fork phase", k);
  show_ns_as_ms("round", t);
  csv(mode, cas, "fault_ns", n, f, 0, "ns");
  csv(mode, cas, "fork_ns", n, k, 0, "ns");
  csv(mode, cas, "round_ns", n, t, 0, "ns");
}

static void print_workload(void)
{
  printf("tracebench: workload per round: %d x (sbrk +%d pages, touch each, shrink) = %d "
         "faults; %d forks of a %d-page touched heap\n", FAULT_CYCLES, CYCLE_PAGES,
         FAULT_CYCLES * CYCLE_PAGES, FORKS, FORK_PAGES);
}

// Tracing disabled (or compiled out): the workload alone.
static void mode_off(int n)
{
  if (status_value("enabled") > 0)
    die("tracing is on (a recorder running?); 'off' measures with tracing disabled");
  vmtrace_ctl("disable");   // fails harmlessly when tracing is compiled out
  print_workload();
  printf("tracebench off: kernel %s, clock %s\n", kernel_name, clock_name);
  static struct rounds rs;
  run_round();   // warm-up: page-table pages, caches
  for (int i = 0; i < n; i++)
    keep(&rs, i, run_round());
  report_rounds("off", "off", &rs, n);
}

// Wait until the recorder has drained every ring, so that no half pays for draining
// what the previous one emitted. Events are masked meanwhile: with context switches
// recorded, the drainer's own sleeping and waking would keep the rings from emptying.
static void settle(void)
{
  long full;
  set_events(MASK_QUIET);
  while (status_cpu_sum("fill", &full) > 0)
    sleep(1);
}

// The masks of `tracebench on`'s rounds: every event the recorder asked for, the same
// without call chains, and none.
enum { RUN_ON, RUN_NOCHAIN, RUN_OFF, NRUNS };

// One round under each mask, back to back, the order rotating with i so that no mask
// always runs first or last.
static void on_off_set(int i, const uint masks[NRUNS], struct rounds rs[NRUNS])
{
  for (int k = 0; k < NRUNS; k++) {
    int run = (i + k) % NRUNS;
    settle();
    set_events(masks[run]);
    keep(&rs[run], i, run_round());
  }
  set_events(masks[RUN_ON]);
}

// Two estimates of on/off for one phase: the median of the per-pair ratios, and the
// ratio of the fastest rounds (host load only ever adds time, so the fastest rounds are
// the least disturbed ones).
static void report_ratio(const char *label, const char *metric, const char *metric_min,
                         long *on, long *off, int n)
{
  long r[MAX_ROUNDS];
  for (int i = 0; i < n; i++)
    r[i] = ratio4(on[i], off[i]);
  struct stat3 pairs = stat3_of(r, n);
  long m = ratio4(stat3_of(on, n).min, stat3_of(off, n).min);
  struct stat3 fastest = { m, m, m };
  printf("  %-28s ", label);
  print_fixed(pairs.median, 4);
  printf(" per pair [");
  print_fixed(pairs.min, 4);
  printf(" .. ");
  print_fixed(pairs.max, 4);
  printf("], fastest/fastest ");
  print_fixed(m, 4);
  printf("\n");
  csv("on", "ratio", metric, n, pairs, 4, "ratio");
  csv("on", "ratio", metric_min, n, fastest, 4, "ratio");
}

static void report_ratios(struct rounds rs[NRUNS], int n)
{
  struct rounds *on = &rs[RUN_ON], *off = &rs[RUN_OFF];
  printf(" on/off (goal <= 1.10; without chains <= 1.05):\n");
  report_ratio("fault phase", "fault_on_off", "fault_on_off_min", on->fault, off->fault, n);
  report_ratio("fault phase, no chains", "fault_nochain_off", "fault_nochain_off_min",
               rs[RUN_NOCHAIN].fault, off->fault, n);
  report_ratio("fork phase", "fork_on_off", "fork_on_off_min", on->fork, off->fork, n);
  report_ratio("round", "round_on_off", "round_on_off_min", on->total, off->total, n);
}

// Under `vmtrace record`: recorded rounds against masked rounds, the recorder draining.
static void mode_on(int n)
{
  if (status_value("enabled") != 1)
    die("tracing is off: run as 'vmtrace record -- tracebench on'");
  uint mask_on = status_value("events");
  const uint masks[NRUNS] = { mask_on, mask_on & ~(1u << VMT_FAULT_CHAIN), MASK_QUIET };
  print_workload();
  printf("tracebench on: clock %s, events 0x%x on, 0x%x without chains, 0x%x off (masked)\n",
         clock_name, masks[RUN_ON], masks[RUN_NOCHAIN], masks[RUN_OFF]);
  static struct rounds rs[NRUNS];
  long max, lost0 = status_cpu_sum("lost", &max);
  run_round();
  for (int i = 0; i < n; i++)
    on_off_set(i, masks, rs);
  long lost = status_cpu_sum("lost", &max) - lost0;
  report_rounds("on", "on", &rs[RUN_ON], n);
  report_rounds("on", "nochain", &rs[RUN_NOCHAIN], n);
  report_rounds("on", "off", &rs[RUN_OFF], n);
  report_ratios(rs, n);
  // Dropped records were never written: the traced rounds did less work than they should.
  printf(" records dropped during the run (kernel counters): %ld%s\n", lost,
         lost ? " -- the recorder did not keep up" : "");
  struct stat3 l = { lost, lost, lost };
  csv("on", "on", "dropped", n, l, 0, "records");
}

// ---- emit: the cost of one event -----------------------------------------------------------------
//
// No reader runs: each traced half starts from empty rings (reset) and emits fewer records
// than one ring holds, so nothing is dropped or drained and the difference between a
// traced and a masked half is the producer's cost alone. The status text's fill counts
// after a traced half are the records it emitted.

struct half {
  long ns;
  long events;   // records buffered by the half (traced halves)
  long full;     // fullest ring's fill: must stay below bufsize
};

typedef long (*phase_fn)(int fd);

static long fault_phase_ns(int fd)
{
  return clock_ns(fault_phase());
}

// MARKERS one-record marker writes. Returns ns.
static long marker_phase_ns(int fd)
{
  uint64 t0 = clock_now();
  for (int i = 0; i < MARKERS; i++)
    write(fd, "m", 1);
  return clock_ns(clock_now() - t0);
}

static struct half emit_half(int traced, phase_fn phase, int fd)
{
  struct half h;
  set_events(traced ? VMT_EVENTS_ALL : MASK_QUIET);
  ctl_or_die("reset");
  h.ns = phase(fd);
  h.events = status_cpu_sum("fill", &h.full);
  return h;
}

struct emit_series {
  long on[MAX_ROUNDS];      // traced halves, ns
  long off[MAX_ROUNDS];     // masked halves, ns
  long events;              // records of the last traced half
  long full;                // fullest ring over all traced halves
};

static void emit_pair(int i, phase_fn phase, int fd, struct emit_series *es)
{
  for (int k = 0; k < 2; k++) {
    int traced = (i + k) % 2;
    struct half h = emit_half(traced, phase, fd);
    if (!traced) {
      es->off[i] = h.ns;
      continue;
    }
    es->on[i] = h.ns;
    es->events = h.events;
    if (h.full > es->full)
      es->full = h.full;
  }
}

// ns per event scaled by 100: the median of the per-pair differences, and the
// difference of the fastest halves (as for the on/off ratios).
static void per_event(struct emit_series *es, int n, struct stat3 *pairs, struct stat3 *fastest)
{
  long v[MAX_ROUNDS], e = es->events ? es->events : 1;
  for (int i = 0; i < n; i++)
    v[i] = (es->on[i] - es->off[i]) * 100 / e;
  *pairs = stat3_of(v, n);
  long m = (stat3_of(es->on, n).min - stat3_of(es->off, n).min) * 100 / e;
  struct stat3 f = { m, m, m };
  *fastest = f;
}

static void report_emit(const char *cas, struct emit_series *es, int n, long bufsize)
{
  struct stat3 pairs, fastest;
  per_event(es, n, &pairs, &fastest);
  printf(" %s: %ld records per traced half, fullest ring %ld of %ld\n", cas, es->events,
         es->full, bufsize);
  show("emit cost, per pair", pairs, 2, "ns/event");
  show("emit cost, fastest halves", fastest, 2, "ns/event");
  csv("emit", cas, "emit_ns", n, pairs, 2, "ns");
  csv("emit", cas, "emit_ns_min", n, fastest, 2, "ns");
  struct stat3 ev = { es->events, es->events, es->events };
  csv("emit", cas, "events_per_half", n, ev, 0, "events");
}

// The reader's side of one record: fill the rings with a traced fault phase (no reader),
// stop tracing, then time read() of all of it, 4 KiB at a time as the recorder reads.
// Returns ns per record scaled by 100.
static long read_round(void)
{
  static struct vmt_record buf[4096 / sizeof(struct vmt_record)];
  set_events(VMT_EVENTS_ALL);
  ctl_or_die("reset");
  fault_phase();
  ctl_or_die("disable");   // so that read() returns 0 once the rings are empty
  int in = open(DEV, O_RDONLY), n;
  if (in < 0)
    die("cannot open " DEV " for reading");
  long records = 0;
  uint64 t0 = clock_now();
  while ((n = read(in, buf, sizeof(buf))) > 0)
    records += n / sizeof(struct vmt_record);
  uint64 t = clock_now() - t0;
  close(in);
  set_events(MASK_QUIET);
  ctl_or_die("enable");
  return records ? clock_ns(t) * 100 / records : 0;
}

static void report_read(long *v, int n)
{
  struct stat3 r = stat3_of(v, n);
  printf(" read: draining the rings with 4 KiB reads\n");
  show("read cost", r, 2, "ns/record");
  csv("emit", "read", "read_ns", n, r, 2, "ns");
}

// One CSR access, timed in user mode with rdtime itself: under QEMU's TCG each CSR access
// ends a translation block, which is what makes an emit (3 CSR accesses) cost more than
// its instruction count suggests on the host clock. Returns ns scaled by 100.
#define CSR_READS 100000
static long csr_round(void)
{
  uint64 t0 = clock_now(), t = 0;
  for (int i = 0; i < CSR_READS; i++)
    t += clock_now();
  uint64 ticks = clock_now() - t0;
  if (t == 0)   // keeps the loop from being optimised away
    printf(" ");
  return clock_ns(ticks) * 100 / CSR_READS;
}

static void report_csr(long *v, int n)
{
  struct stat3 r = stat3_of(v, n);
  show("one CSR access (rdtime)", r, 2, "ns");
  csv("emit", "csr", "rdtime_ns", n, r, 2, "ns");
}

static void mode_emit(int n)
{
  if (status_value("enabled") != 0)
    die("tracing is on (a recorder running?); 'emit' needs the tracer to itself");
  long events_before = status_value("events"), bufsize = status_value("bufsize");
  int fd = open(DEV, O_WRONLY);
  if (fd < 0)
    die("cannot open " DEV);
  set_events(MASK_QUIET);
  ctl_or_die("enable");
  static struct emit_series faults, markers;
  static long reads[MAX_ROUNDS], csrs[MAX_ROUNDS];
  fault_phase();   // warm-up
  for (int i = 0; i < n; i++) {
    emit_pair(i, fault_phase_ns, fd, &faults);
    emit_pair(i, marker_phase_ns, fd, &markers);
    reads[i] = read_round();
    csrs[i] = csr_round();
  }
  ctl_or_die("disable");
  ctl_or_die("reset");
  set_events(events_before);
  close(fd);
  printf("tracebench emit: clock %s; traced minus masked, per record emitted, %d pairs\n",
         clock_name, n);
  report_emit("fault", &faults, n, bufsize);
  report_emit("marker", &markers, n, bufsize);
  report_read(reads, n);
  report_csr(csrs, n);
}

// ---- link: host-link throughput ------------------------------------------------------------------

static char link_buf[LINK_MAX_WRITE];

// LINK_BYTES in writes of size bytes. Returns MB/s scaled by 100.
static long link_round(int fd, int size)
{
  uint64 t0 = clock_now();
  for (int done = 0; done < LINK_BYTES; done += size)
    if (write(fd, link_buf, size) != size)
      die("write to " LINK " failed");
  uint64 ticks = clock_now() - t0;
  // bytes / (ticks / 10^7 s) / 10^6 B/MB * 100 = bytes * 1000 / ticks
  return ticks ? (long)LINK_BYTES * 1000 / ticks : 0;
}

static void mode_link(int n)
{
  int fd = open(LINK, O_WRONLY);
  if (fd < 0)
    die("cannot open " LINK);
  for (int i = 0; i < LINK_MAX_WRITE; i++)
    link_buf[i] = 'a' + i % 26;
  static long mbs[2][MAX_ROUNDS];
  int sizes[2] = { 4096, LINK_MAX_WRITE };
  for (int i = 0; i < n; i++)   // the sizes interleave, like on/off pairs
    for (int s = 0; s < 2; s++)
      mbs[s][i] = link_round(fd, sizes[s]);
  close(fd);
  printf("tracebench link: clock %s; %d MiB per round; bytes written %ld\n", clock_name,
         LINK_BYTES >> 20, 2L * n * LINK_BYTES);
  struct stat3 small = stat3_of(mbs[0], n), big = stat3_of(mbs[1], n);
  show("4 KiB writes", small, 2, "MB/s");
  show("64 KiB writes", big, 2, "MB/s");
  csv("link", "write_4k", "throughput", n, small, 2, "MB/s");
  csv("link", "write_64k", "throughput", n, big, 2, "MB/s");
}

// ---- storm: for the drop test ----------------------------------------------------------------------

static void storm_here(int pages)
{
  for (int pass = 0; pass < 2; pass++) {
    char *p = sbrk(pages * PGSIZE);
    if (p == (char *)-1)
      die("storm: sbrk failed");
    touch_pages(p, pages);
    sbrk(-pages * PGSIZE);
  }
}

// Two processes, so that drops happen on more than one CPU.
static void mode_storm(int pages)
{
  int pid = fork();
  if (pid < 0)
    die("fork failed");
  storm_here(pages);
  if (pid == 0)
    exit(0);
  wait(0);
  printf("tracebench storm: 2 processes x 2 passes x %d pages = %d faults\n", pages,
         4 * pages);
}

// Move the break up a page and back, cycles times: two sbrk records a cycle and
// nothing else (no page is touched).
static void churn_break(int cycles)
{
  for (int i = 0; i < cycles; i++)
    if (sbrk(PGSIZE) == (char *)-1 || sbrk(-PGSIZE) == (char *)-1)
      die("churn: sbrk failed");
}

// Three processes, one per CPU of the default machine. With full rings nearly every
// record takes the drop path, so timer interrupts land there often: the regression
// test for a preemption inside the emit path's callees (tools/systest/trace-drops.sh).
static void mode_churn(int cycles)
{
  int child = 0;
  for (int i = 0; i < 2 && !child; i++) {
    int pid = fork();
    if (pid < 0)
      die("fork failed");
    child = pid == 0;
  }
  churn_break(cycles);
  if (child)
    exit(0);
  wait(0);
  wait(0);
  printf("tracebench churn: 3 processes x %d cycles = %d sbrk calls\n", cycles, 6 * cycles);
}

// ---- resets: for the drop test ---------------------------------------------------------------------

// Run as `vmtrace record -b 16 -- tracebench resets`: three processes churn the break
// (records on every CPU, tiny rings, so the timer tick finds a ring a quarter full and
// takes the tracer's lock to wake the reader) while this one resets the rings over and
// over (each reset holds that lock and waits for every CPU to leave the emit path). The
// regression test for a deadlock: a tick landing inside an emit on CPU 0 spun on the
// lock that the reset held while waiting for that very emit to finish. The recording
// itself is cut by the resets and is not meant to be checked. Resets back to back on
// one open descriptor did not find the deadlock: the rings stay too empty for the tick
// to want the lock; with a path lookup between resets it came within 20000 on 3 harts.
static void mode_resets(int cycles)
{
  int pids[3];
  for (int i = 0; i < 3; i++) {
    if ((pids[i] = fork()) < 0)
      die("fork failed");
    if (pids[i] == 0)
      for (;;)
        churn_break(1000);
  }
  int refused = 0;
  for (int i = 0; i < cycles; i++)
    refused += vmtrace_ctl("reset") < 0;   // open, write, close: a pause between resets
  for (int i = 0; i < 3; i++)
    kill(pids[i]);
  for (int i = 0; i < 3; i++)
    wait(0);
  if (refused)
    die("resets: a reset was refused");
  printf("tracebench resets: %d resets while 3 processes churned\n", cycles);
}

// ---- stuck and slowreader: a reader of our own, for the drop test ---------------------------------

#define OWN_RING 64           // records per ring while our own reader reads
#define SLOW_READ_RECORDS 8   // a quarter of what an OWN_RING ring drains from hold to wake

// Open /dev/vmtrace as the reader and start tracing into OWN_RING-record rings, with
// `block` at 2 ticks. Returns the descriptor. There must be no recorder running.
static int start_own_reader(void)
{
  int fd = open("/dev/vmtrace", O_RDONLY);
  if (fd < 0)
    die("cannot open /dev/vmtrace (is a recorder running?)");
  char cmd[32];
  append_num(append_str(cmd, "bufsize "), OWN_RING, 10);
  ctl_or_die(cmd);
  ctl_or_die("block 2");
  ctl_or_die("enable");
  return fd;
}

// Read fd to end of file, per_read records at a time (at most OWN_RING), sleeping
// `pause` ticks after each read; count the records and the drops VMT_LOST reports.
static void read_to_end(int fd, int per_read, int pause, uint64 *records, uint64 *dropped)
{
  static struct vmt_record buf[OWN_RING];
  int n;
  *records = *dropped = 0;
  while ((n = read(fd, buf, per_read * sizeof(buf[0]))) > 0) {
    for (int i = 0; i < n / sizeof(buf[0]); i++, (*records)++)
      if (buf[i].type == VMT_LOST)
        *dropped += buf[i].a;
    if (pause)
      sleep(pause);
  }
}

// A child that touches pages heap pages twice (storm_here) and exits. Returns its pid.
static int fork_storm(int pages)
{
  int pid = fork();
  if (pid < 0)
    die("fork failed");
  if (pid == 0) {
    storm_here(pages);
    exit(0);
  }
  return pid;
}

static void set_block(long ticks)
{
  char cmd[32];
  append_num(append_str(cmd, "block "), ticks, 10);
  vmtrace_ctl(cmd);
}

// Run with no recorder. This process is the reader, and reads nothing while a child
// storms: back-pressure holds the child only until the reader has taken nothing for
// `block` ticks, then lets it go on and drops. A reader that never reads must cost
// drops, not hang the machine. Afterwards it reads what is left and prints the drops.
static void mode_stuck(int pages)
{
  long block = status_value("block");
  int fd = start_own_reader();
  fork_storm(pages);
  wait(0);
  vmtrace_ctl("disable");
  uint64 records, dropped;
  read_to_end(fd, OWN_RING, 0, &records, &dropped);
  close(fd);
  set_block(block);
  printf("tracebench stuck: %d faults stormed past a reader that never read: "
         "%lu records read, %lu dropped\n", 2 * pages, records, dropped);
}

// The slow reader: start, say so on `ready`, read SLOW_READ_RECORDS a tick to the end.
static void slow_reader(int ready)
{
  int fd = start_own_reader();
  write(ready, "r", 1);
  close(ready);
  uint64 records, dropped;
  read_to_end(fd, SLOW_READ_RECORDS, 1, &records, &dropped);
  printf("tracebench slowreader: %lu records read, %lu dropped\n", records, dropped);
  exit(0);
}

// Run with no recorder. A reader that takes SLOW_READ_RECORDS records a tick (a ring
// takes four such reads to drain from the hold level to the wake level) while a child
// touches PAGES pages twice, with `block` at 2 ticks: the reader is slow but never
// stuck, so back-pressure must hold the storm as long as it takes, and nothing may be
// dropped. The reader's own sleeps add two switch records a tick, which nothing holds
// back: a reader much slower than this would drop those.
static void mode_slowreader(int pages)
{
  long block = status_value("block");
  int ready[2];
  if (pipe(ready) < 0)
    die("pipe failed");
  int reader = fork();
  if (reader < 0)
    die("fork failed");
  if (reader == 0) {
    close(ready[0]);
    slow_reader(ready[1]);
  }
  close(ready[1]);
  char c;
  if (read(ready[0], &c, 1) != 1)
    die("slowreader: the reader did not start");
  close(ready[0]);
  int storm = fork_storm(pages);
  // The reader ends only at end of file, after the disable: the first child back is
  // the storm.
  if (wait(0) != storm)
    die("slowreader: the reader ended before the storm did");
  vmtrace_ctl("disable");
  wait(0);
  set_block(block);
}

// ---- Main ----------------------------------------------------------------------------------------

static void usage(void)
{
  fprintf(2, "usage: tracebench off|on|emit|link [-n ROUNDS] [-i]\n"
             "       tracebench storm [-p PAGES]\n"
             "       tracebench churn [-c CYCLES]\n"
             "       tracebench resets [-c CYCLES]\n"
             "       tracebench stuck [-p PAGES]\n"
             "       tracebench slowreader [-p PAGES]\n");
  exit(2);
}

struct options {
  int rounds;
  int count;   // -p or -c for the drop-test modes; 0: the mode's default
};

static struct options parse_options(int argc, char **argv)
{
  struct options o = { DEFAULT_ROUNDS, 0 };
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "-i") == 0)
      clock_name = "icount";
    else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
      o.rounds = atoi(argv[++i]);
    else if ((strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "-c") == 0) && i + 1 < argc) {
      if ((o.count = atoi(argv[++i])) < 1)
        usage();
    } else
      usage();
  }
  if (o.rounds < 1 || o.rounds > MAX_ROUNDS)
    usage();
  return o;
}

static const struct {
  const char *name;
  void (*run)(int rounds);
} modes[] = {
  { "off", mode_off }, { "on", mode_on }, { "emit", mode_emit }, { "link", mode_link },
};

// The drop test's workloads: no CSV, one count each (pages or cycles).
static const struct {
  const char *name;
  void (*run)(int count);
  int default_count;
} drop_modes[] = {
  { "storm", mode_storm, STORM_PAGES },
  { "churn", mode_churn, CHURN_CYCLES },
  { "resets", mode_resets, RESET_CYCLES },
  { "stuck", mode_stuck, STORM_PAGES },
  { "slowreader", mode_slowreader, SLOW_READER_PAGES },
};

int main(int argc, char **argv)
{
  if (argc < 2)
    usage();
  struct options o = parse_options(argc, argv);
  char status[16];
  if (read_status(status, sizeof(status)) == 0)
    kernel_name = "notrace";
  mempolicy(MEMPOLICY_LAZY);   // every heap page faults in
  for (int i = 0; i < sizeof(drop_modes) / sizeof(drop_modes[0]); i++) {
    if (strcmp(argv[1], drop_modes[i].name) == 0) {
      drop_modes[i].run(o.count ? o.count : drop_modes[i].default_count);
      exit(0);
    }
  }
  for (int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
    if (strcmp(argv[1], modes[i].name) == 0) {
      csv_header();
      modes[i].run(o.rounds);
      exit(0);
    }
  }
  usage();
  return 2;
}
