// chainbench: what recording a fault's call chain (VMT_FAULT_CHAIN) costs per fault.
//
//   chainbench [-n ROUNDS]       (tracing must be off: no recorder running)
//   chainbench -t [-n ROUNDS]    where a recorded fault's instructions go, instead
//
// Each round runs the fault workload (FAULTS lazy faults: grow the heap, store to each
// page, shrink back) at two call depths, each under three event masks, in an order that
// rotates from round to round:
//   chain    every event, call chains included
//   nochain  every event but VMT_FAULT_CHAIN
//   quiet    no event (each trace point costs its test of the mask)
// Depth "shallow" faults from run_faults < main < _main (a chain of 3); depth "deep"
// faults below DEPTH more frames, so every walk goes the whole VMT_CHAIN_MAX frames and
// finds more: the worst case. As in `tracebench emit`, no reader runs: the rings are
// reset before each run and hold every record, so the differences are the producer's.
//
// Reported, per depth, medians over the rounds: ns per fault under each mask, the chain's
// cost per fault (chain - nochain), in ns and, on icount (-icount shift=3: 8 ns per
// instruction), in instructions; the ratios chain/nochain and chain/quiet of the fault
// workload's time. "csv," lines follow: csv,depth,metric,median,min,max,unit.
//
// -t splits the shallow workload's cost by event group (type_masks below): each group
// alone, then every event, each against quiet in the same round, in instructions per
// fault (icount only; "csv,types,GROUP,..." lines). A fault's kalloc and map are folded
// into its end while their types are on, so "end_kalloc_map" is the end as recorded.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/mempolicy.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"
#include "tracing/vmtrace_format.h"

#define NOIPA __attribute__((noipa))
#define FAULTS 1024
#define CYCLE_PAGES 64
#define DEPTH 8
#define MAX_ROUNDS 41

enum { CHAIN, NOCHAIN, QUIET, NMASKS };
static const uint masks[NMASKS] = { VMT_EVENTS_ALL, VMT_EVENTS_ALL & ~(1u << VMT_FAULT_CHAIN),
                                    1u << VMT_LOST };
static const char *const mask_names[NMASKS] = { "chain", "nochain", "quiet" };

static void die(const char *msg)
{
  fprintf(2, "chainbench: %s\n", msg);
  exit(1);
}

static void ctl(const char *cmd)
{
  if (vmtrace_ctl(cmd) < 0)
    die("a command refused by /dev/vmtracectl (tracing compiled out?)");
}

static void set_events(uint mask)
{
  char cmd[32];
  append_num(append_str(cmd, "events "), mask, 16);
  ctl(cmd);
}

// FAULTS lazy faults, CYCLE_PAGES at a time. Returns ns.
NOIPA long run_faults(void)
{
  uint64 t0 = clock_now();
  for (int c = 0; c < FAULTS / CYCLE_PAGES; c++) {
    char *p = sbrk(CYCLE_PAGES * PGSIZE);
    if (p == SBRK_ERROR)
      die("sbrk failed");
    for (int i = 0; i < CYCLE_PAGES; i++)
      p[(long)i * PGSIZE] = i;
    if (sbrk(-CYCLE_PAGES * PGSIZE) == SBRK_ERROR)
      die("shrink failed");
  }
  return clock_ns(clock_now() - t0);
}

// run_faults below depth more frames.
NOIPA long nested(int depth)
{
  if (depth == 0)
    return run_faults();
  long r = nested(depth - 1);
  asm volatile("" : "+r"(r));   // no tail call, no loop: each level keeps its frame
  return r;
}

static long timed(uint mask, int deep)
{
  set_events(mask);
  ctl("reset");
  return deep ? nested(DEPTH) : run_faults();
}

// v / 100 with two decimals (values are scaled by 100).
static void print2(long v)
{
  if (v < 0) {
    printf("-");
    v = -v;
  }
  printf("%ld.%ld%ld", v / 100, v / 10 % 10, v % 10);
}

static void report(const char *depth, const char *metric, const long *v, int n,
                   const char *unit)
{
  struct stat3 s = stat3_of(v, n);
  printf("  %-8s %-24s ", depth, metric);
  print2(s.median);
  printf(" %s [", unit);
  print2(s.min);
  printf(" .. ");
  print2(s.max);
  printf("]\n");
  printf("csv,%s,%s,", depth, metric);
  print2(s.median);
  printf(",");
  print2(s.min);
  printf(",");
  print2(s.max);
  printf(",%s\n", unit);
}

// Event groups of -t: what each costs a fault of the workload (one sbrk up and one down
// per CYCLE_PAGES faults, and a shrink that unmaps and frees every page).
static const struct { const char *name; uint mask; } type_masks[] = {
  { "begin", 1u << VMT_FAULT_BEGIN },
  { "begin_chain", 1u << VMT_FAULT_BEGIN | 1u << VMT_FAULT_CHAIN },
  { "end", 1u << VMT_FAULT_END },
  { "end_kalloc_map", 1u << VMT_FAULT_END | 1u << VMT_KALLOC | 1u << VMT_MAP },
  { "unmap", 1u << VMT_UNMAP },
  { "unmap_kfree", 1u << VMT_UNMAP | 1u << VMT_KFREE },
  { "sbrk", 1u << VMT_SBRK },
  { "nochain", VMT_EVENTS_ALL & ~(1u << VMT_FAULT_CHAIN) },
  { "all", VMT_EVENTS_ALL },
};
#define NTYPE_MASKS (int)(sizeof(type_masks) / sizeof(type_masks[0]))

// TYPE_RUNS workloads under one mask: a timer tick that lands in a measurement adds
// about 20 instructions a fault to one workload's figure, a quarter of that to four's.
#define TYPE_RUNS 4

static long timed_runs(uint mask)
{
  set_events(mask);
  ctl("reset");
  long ns = 0;
  for (int r = 0; r < TYPE_RUNS; r++)
    ns += run_faults();
  return ns;
}

static void bench_types(int n)
{
  static long insns[NTYPE_MASKS][MAX_ROUNDS];
  timed_runs(VMT_EVENTS_ALL);   // warm-up
  for (int i = 0; i < n; i++) {
    long quiet = timed_runs(masks[QUIET]);
    for (int k = 0; k < NTYPE_MASKS; k++)
      insns[k][i] = (timed_runs(type_masks[k].mask) - quiet) * 100 / (TYPE_RUNS * FAULTS) / 8;
  }
  for (int k = 0; k < NTYPE_MASKS; k++)
    report("types", type_masks[k].name, insns[k], n, "insns per fault (icount shift 3 only)");
}

static void bench_depth(int deep, int n)
{
  static long ns[NMASKS][MAX_ROUNDS];
  static long per_fault[NMASKS][MAX_ROUNDS], cost[MAX_ROUNDS], insns[MAX_ROUNDS];
  static long vs_nochain[MAX_ROUNDS], vs_quiet[MAX_ROUNDS];
  const char *name = deep ? "deep" : "shallow";
  timed(masks[CHAIN], deep);   // warm-up
  for (int i = 0; i < n; i++)
    for (int k = 0; k < NMASKS; k++) {
      int m = (i + k) % NMASKS;
      ns[m][i] = timed(masks[m], deep);
    }
  for (int i = 0; i < n; i++) {
    for (int m = 0; m < NMASKS; m++)
      per_fault[m][i] = ns[m][i] * 100 / FAULTS;
    cost[i] = (ns[CHAIN][i] - ns[NOCHAIN][i]) * 100 / FAULTS;
    insns[i] = cost[i] / 8;
    vs_nochain[i] = ns[CHAIN][i] * 100 / ns[NOCHAIN][i];
    vs_quiet[i] = ns[CHAIN][i] * 100 / ns[QUIET][i];
  }
  for (int m = 0; m < NMASKS; m++) {
    char metric[32] = "fault_ns_";
    strcpy(metric + strlen(metric), mask_names[m]);
    report(name, metric, per_fault[m], n, "ns");
  }
  report(name, "chain_ns_per_fault", cost, n, "ns");
  report(name, "chain_insns_per_fault", insns, n, "insns (icount shift 3 only)");
  report(name, "ratio_chain_nochain", vs_nochain, n, "x");
  report(name, "ratio_chain_quiet", vs_quiet, n, "x");
}

int main(int argc, char *argv[])
{
  int n = 11, types = 0;
  if (argc > 1 && strcmp(argv[1], "-t") == 0) {
    types = 1;
    argc--;
    argv++;
  }
  if (argc == 3 && strcmp(argv[1], "-n") == 0)
    n = atoi(argv[2]);
  else if (argc != 1)
    die("usage: chainbench [-t] [-n ROUNDS]");
  if (n < 1 || n > MAX_ROUNDS)
    die("ROUNDS must be 1 .. 41");
  char status[1024];
  if (vmtrace_status(status, sizeof(status)) < 0)
    die("no /dev/vmtracectl (tracing compiled out?)");
  if (vmtrace_status_value(status, "enabled") != 0)
    die("tracing is on (a recorder running?); chainbench needs the tracer to itself");
  if (mempolicy(MEMPOLICY_LAZY) < 0)
    die("mempolicy failed");
  ctl("enable");
  printf("chainbench: %d faults per run, %d rounds, medians [min .. max]\n", FAULTS, n);
  if (types) {
    bench_types(n);
  } else {
    bench_depth(0, n);
    bench_depth(1, n);
  }
  set_events(VMT_EVENTS_ALL);
  ctl("disable");
  ctl("reset");
  exit(0);
}
