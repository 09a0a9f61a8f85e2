// sbrkbench: what lazy sbrk and fault-around cost and save, against eager sbrk, in one boot.
//
//   sbrkbench [-i] [-n REPEATS] [-o FILE] [WORKLOAD...]
//
//   -i          label the figures as taken under QEMU -icount (virtual time counts
//               instructions, so runs repeat); without it they are labelled "host", as the
//               time CSR then follows the host clock and drifts with host load. The flag
//               only labels: the program cannot tell which clock QEMU gave it.
//   -n REPEATS  how many times to measure each case under each policy (default 7)
//   -o FILE     write the CSV to FILE, e.g. /dev/hostlink (QEMU backs it with a host
//               file, so the host file is exactly the CSV). Without -o the CSV goes to
//               the console, every line prefixed "csv," so it can be picked out.
//   WORKLOAD    any of the names below, in any order (default: all of them)
//
// Workloads, each case under all three policies (lazy, eager, faultaround):
//   sbrk    the time of sbrk(N), N = 4 KiB .. 1 GiB in powers of 2. Eager allocates,
//           zeroes and maps every page; lazy only moves the break. Past free memory
//           eager sbrk fails (status "fail": the time is how long it took to give up).
//   dense   grow by N (4 KiB .. 32 MiB) and store to every page: sbrk, touch, total.
//           Lazy pays one page fault per page (trap, allocate, zero, map, return);
//           fault-around one per window of pages, the window doubling up to its cap.
//   sparse  grow by SPARSE_BYTES and store to every k-th page, k = 1, 2, 4 .. 1024:
//           time, and the heap pages resident afterwards (memstat).
//   fork    grow by FORK_BYTES, touch every k-th page (not timed), then time fork()
//           and fork() + the child's exit + wait(). fork copies only present pages, so
//           a sparse lazy heap is cheap to copy; an eager heap is copied whole.
//   hash    a realistic program: a chained hash table with one malloc per entry and a
//           bucket array that doubles (malloc, clear, rehash, free the old one), filled
//           with KEYS keys and then looked up: time, heap pages, resident heap pages.
//
// Every measurement runs in a fresh child process with the policy set by mempolicy(), so
// the cases cannot disturb one another's heap. Policies are interleaved: in each round
// every case runs under all three; which goes first rotates between rounds and cases, so
// that drift in the host clock falls on all alike, and the order alternates direction
// between rounds, so that each policy follows each other one as often (see policy_at).
// Each figure is reported as the median over the repeats with the minimum and maximum
// as the spread.
//
// CSV (with -o; on the console each line starts "csv,"), a header and one line per
// figure:
//   clock,workload,policy,param,param_unit,runs,metric,median,min,max,unit,status
// param is the case: bytes (sbrk, dense), stride k (sparse, fork) or keys (hash).
// Times are integer nanoseconds (the time CSR ticks at 10 MHz, so 100 ns is the
// resolution); page counts are pages of 4 KiB. status is ok, or fail when a run's sbrk
// (or the hash table's malloc) failed.
// This is a benchmark, not a test: it never fails on a figure.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fcntl.h"
#include "kernel/memstat.h"
#include "kernel/mempolicy.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"

#define DEFAULT_REPEATS 7
#define MAX_REPEATS 21
#define MAX_CASES 19          // sbrk: 4 KiB * 2^0 .. 4 KiB * 2^18 = 1 GiB
#define MAX_METRICS 5
#define NPOLICIES MEMPOLICY_GROWTHS   // lazy, eager, fault-around: 0 .. NPOLICIES-1

// 32 MiB: big enough that k = 1024 still touches 8 pages, small enough that an eager
// parent and its forked copy (64 MiB) fit in the 128 MiB machine.
#define SPARSE_BYTES (32 * MiB)
#define FORK_BYTES (32 * MiB)

static uint64 ns_since(uint64 t0)
{
  return clock_ns(clock_now() - t0);
}

static const char *policy_name(int policy)
{
  static const char *const names[] = MEMPOLICY_NAMES;
  return names[policy];
}

// ---- Workloads ---------------------------------------------------------------------------
// Each runs in a fresh child whose policy is already set, and fills in a sample: ok, and
// one value per metric of its workload (struct workload below), in the metric's unit.

struct sample {
  int ok;
  uint64 v[MAX_METRICS];
};

// Grow the heap by n and store to every stride-th page of the new memory. Times go to
// *sbrk_ns and *touch_ns; returns the memory, or 0 if sbrk failed.
static char *grow_and_touch(long n, long stride, uint64 *sbrk_ns, uint64 *touch_ns)
{
  uint64 t0 = clock_now();
  char *p = sbrk(n);
  *sbrk_ns = ns_since(t0);
  *touch_ns = 0;
  if (p == SBRK_ERROR)
    return 0;
  t0 = clock_now();
  for (long off = 0; off < n; off += stride * PGSIZE)
    p[off] = 1;
  *touch_ns = ns_since(t0);
  return p;
}

static long pow2_bytes(int i)
{
  return 4 * KiB << i;
}

static void run_sbrk(long n, struct sample *s)
{
  uint64 t0 = clock_now();
  char *p = sbrk(n);
  s->v[0] = ns_since(t0);
  s->ok = p != SBRK_ERROR;
}

static void run_dense(long n, struct sample *s)
{
  s->ok = grow_and_touch(n, 1, &s->v[0], &s->v[1]) != 0;
  s->v[2] = s->v[0] + s->v[1];
}

static long stride_pow2(int i)
{
  return 1L << i;
}

static void run_sparse(long stride, struct sample *s)
{
  uint64 before = resident_pages();
  s->ok = grow_and_touch(SPARSE_BYTES, stride, &s->v[1], &s->v[2]) != 0;
  s->v[0] = s->v[1] + s->v[2];
  s->v[3] = resident_pages() - before;
}

static long stride_pow4(int i)
{
  return 1L << (2 * i);
}

// What fork copies is every present page of the process (text, data, stack, heap), so
// both the whole resident set and its heap part are reported.
static void run_fork(long stride, struct sample *s)
{
  uint64 unused, before = resident_pages();
  if (grow_and_touch(FORK_BYTES, stride, &unused, &unused) == 0)
    return;
  uint64 resident = resident_pages();
  uint64 t0 = clock_now();
  int pid = fork();
  if (pid == 0)
    exit(0);
  s->v[0] = ns_since(t0);
  if (pid < 0)
    return;
  wait(0);
  s->v[1] = ns_since(t0);
  s->v[2] = resident;
  s->v[3] = resident - before;
  s->ok = 1;
}

// The hash table: separate chaining, one malloc'd entry per key, and a bucket array that
// doubles when there are as many entries as buckets. This is the allocation pattern of
// a typical growing dictionary: many small mallocs, and an occasional big array that is
// cleared, filled and later freed (umalloc reuses it for entries).
struct entry {
  uint64 key, value;
  struct entry *next;
};

static struct entry **buckets;
static uint64 nbuckets, nentries;

// A bijection on 64 bits (splitmix64's finalizer), so key i is distinct for every i and
// the keys spread over the buckets.
static uint64 mix(uint64 x)
{
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185UL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dUL;
  x ^= x >> 33;
  return x;
}

static int table_resize(uint64 n)
{
  struct entry **fresh = malloc(n * sizeof(*fresh));
  if (fresh == 0)
    return -1;
  memset(fresh, 0, n * sizeof(*fresh));
  for (uint64 i = 0; i < nbuckets; i++) {
    struct entry *e = buckets[i];
    while (e) {
      struct entry *next = e->next;
      uint64 j = e->key & (n - 1);
      e->next = fresh[j];
      fresh[j] = e;
      e = next;
    }
  }
  free(buckets);
  buckets = fresh;
  nbuckets = n;
  return 0;
}

static int table_put(uint64 key, uint64 value)
{
  if (nentries >= nbuckets && table_resize(nbuckets ? 2 * nbuckets : 16) < 0)
    return -1;
  struct entry *e = malloc(sizeof(*e));
  if (e == 0)
    return -1;
  uint64 j = key & (nbuckets - 1);
  e->key = key;
  e->value = value;
  e->next = buckets[j];
  buckets[j] = e;
  nentries++;
  return 0;
}

static struct entry *table_get(uint64 key)
{
  for (struct entry *e = buckets[key & (nbuckets - 1)]; e; e = e->next)
    if (e->key == key)
      return e;
  return 0;
}

static long keys_pow4(int i)
{
  return 16384L << (2 * i);   // 16 Ki, 64 Ki, 256 Ki keys
}

static void run_hash(long keys, struct sample *s)
{
  struct memstat st0, st1;
  memstat(0, &st0);
  uint64 t0 = clock_now();
  for (long i = 0; i < keys; i++) {
    if (table_put(mix(i), i) < 0)
      return;   // out of memory: not ok
  }
  uint64 t1 = clock_now();
  long found = 0;
  for (long i = 0; i < keys; i++) {
    struct entry *e = table_get(mix(i));
    found += e && e->value == (uint64)i;
  }
  uint64 t2 = clock_now();
  memstat(0, &st1);
  if (found != keys) {
    // Not a figure but a broken kernel: say so, and keep the sample out of the figures.
    fprintf(2, "sbrkbench: hash: %ld of %ld keys found\n", found, keys);
    return;
  }
  s->v[0] = clock_ns(t2 - t0);
  s->v[1] = clock_ns(t1 - t0);
  s->v[2] = clock_ns(t2 - t1);
  s->v[3] = (st1.vsz - st0.vsz) / PGSIZE;
  s->v[4] = st1.resident - st0.resident;
  s->ok = 1;
}

struct workload {
  const char *name;
  const char *what;               // one line for the console
  const char *param_unit;         // what a case's parameter counts
  int ncases;
  long (*param)(int i);           // the parameter of case i
  void (*run)(long param, struct sample *s);
  const char *metric[MAX_METRICS];
  const char *unit[MAX_METRICS];  // "ns" or "pages"
};

static const struct workload workloads[] = {
  { "sbrk", "time of sbrk(N)", "bytes", 19, pow2_bytes, run_sbrk,
    { "sbrk_ns" }, { "ns" } },
  { "dense", "grow by N, store to every page", "bytes", 14, pow2_bytes, run_dense,
    { "sbrk_ns", "touch_ns", "total_ns" }, { "ns", "ns", "ns" } },
  { "sparse", "grow by 32 MiB, store to every k-th page", "stride", 11, stride_pow2,
    run_sparse, { "total_ns", "sbrk_ns", "touch_ns", "resident_pages" },
    { "ns", "ns", "ns", "pages" } },
  { "fork", "grow by 32 MiB, touch every k-th page, fork a child that exits", "stride",
    6, stride_pow4, run_fork,
    { "fork_ns", "fork_wait_ns", "copied_pages", "heap_resident_pages" },
    { "ns", "ns", "pages", "pages" } },
  { "hash", "chained hash table: KEYS inserts (one malloc each), KEYS lookups", "keys",
    3, keys_pow4, run_hash,
    { "total_ns", "insert_ns", "lookup_ns", "heap_pages", "resident_pages" },
    { "ns", "ns", "ns", "pages", "pages" } },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

static int nmetrics(const struct workload *w)
{
  int n = 0;
  while (n < MAX_METRICS && w->metric[n])
    n++;
  return n;
}

// ---- Measuring -----------------------------------------------------------------------------

// Run w's case with parameter param under policy in a fresh child; the child sends its
// sample back through a pipe. A child that dies (killed) gives a sample that is not ok.
static void measure(const struct workload *w, int policy, long param, struct sample *out)
{
  int fds[2];
  memset(out, 0, sizeof(*out));
  if (pipe(fds) < 0) {
    fprintf(2, "sbrkbench: pipe failed\n");
    exit(1);
  }
  int pid = fork();
  if (pid < 0) {
    fprintf(2, "sbrkbench: fork failed\n");
    exit(1);
  }
  if (pid == 0) {
    close(fds[0]);
    struct sample s;
    memset(&s, 0, sizeof(s));
    if (mempolicy(policy) >= 0)
      w->run(param, &s);
    write(fds[1], &s, sizeof(s));
    exit(0);
  }
  close(fds[1]);
  if (read(fds[0], out, sizeof(*out)) != sizeof(*out))
    out->ok = 0;
  close(fds[0]);
  wait(0);
}

// Every sample of the workload being run, by policy, case and repeat.
static struct sample samples[NPOLICIES][MAX_CASES][MAX_REPEATS];

// The policy that runs k-th in round r of case i. Which policy goes first rotates, so
// that drift in the host clock falls on all alike; and the order runs forwards in even
// rounds and backwards in odd ones, so that each policy follows each other one equally
// often. On the host clock a run right after an eager one is slower: with the order
// always forwards, fault-around (always after eager) took up to 1.37x lazy's time on
// sparse heaps where both do exactly the same work; balanced, 0.83x to 1.04x.
static int policy_at(int r, int i, int k)
{
  int step = r % 2 ? NPOLICIES - 1 : 1;
  return (r + i + k * step) % NPOLICIES;
}

static void run_workload(const struct workload *w, int repeats)
{
  for (int r = 0; r < repeats; r++) {
    for (int i = 0; i < w->ncases; i++) {
      for (int k = 0; k < NPOLICIES; k++) {
        int policy = policy_at(r, i, k);
        measure(w, policy, w->param(i), &samples[policy][i][r]);
      }
    }
  }
}

// ---- Statistics ----------------------------------------------------------------------------

struct summary {
  int ok;                  // every repeat succeeded
  uint64 median, min, max;
};

static struct summary summarize(int policy, int i, int metric, int repeats)
{
  uint64 v[MAX_REPEATS];
  struct summary s = { 1, 0, 0, 0 };
  for (int r = 0; r < repeats; r++) {
    const struct sample *x = &samples[policy][i][r];
    s.ok &= x->ok;
    v[r] = x->v[metric];
    for (int j = r; j > 0 && v[j - 1] > v[j]; j--) {   // insertion sort: n is tiny
      uint64 t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  }
  s.median = v[repeats / 2];   // repeats is odd by default; for even, the upper median
  s.min = v[0];
  s.max = v[repeats - 1];
  return s;
}

// ---- Output --------------------------------------------------------------------------------

// Where the CSV goes, and the prefix of each line there ("csv," on the console).
static int csv_fd = 1;
static const char *csv_prefix = "csv,";
static const char *clock_name = "host";

static void print_csv_header(void)
{
  fprintf(csv_fd, "%sclock,workload,policy,param,param_unit,runs,metric,median,min,max,"
          "unit,status\n", csv_prefix);
}

static void print_csv(const struct workload *w, int repeats)
{
  for (int i = 0; i < w->ncases; i++)
    for (int policy = 0; policy < NPOLICIES; policy++)
      for (int m = 0; m < nmetrics(w); m++) {
        struct summary s = summarize(policy, i, m, repeats);
        fprintf(csv_fd, "%s%s,%s,%s,%ld,%s,%d,%s,", csv_prefix, clock_name, w->name,
                policy_name(policy), w->param(i), w->param_unit, repeats, w->metric[m]);
        fprintf(csv_fd, "%ld,%ld,%ld,%s,%s\n", (long)s.median, (long)s.min, (long)s.max,
                w->unit[m], s.ok ? "ok" : "fail");
      }
}

// The console table: one line per case and policy, each metric as median [min..max],
// times in microseconds with one decimal.
static void print_us(uint64 ns)
{
  uint64 tenths = (ns + 50) / 100;
  printf("%ld.%ld", (long)(tenths / 10), (long)(tenths % 10));
}

static void print_value(const char *unit, uint64 v)
{
  if (unit[0] == 'n')
    print_us(v);
  else
    printf("%ld", (long)v);
}

static void print_table(const struct workload *w, int repeats)
{
  printf("\n%s: %s; median [min..max] of %d runs, times in us\n", w->name, w->what,
         repeats);
  for (int i = 0; i < w->ncases; i++)
    for (int policy = 0; policy < NPOLICIES; policy++) {
      printf("  %s=%ld %-11s", w->param_unit, w->param(i), policy_name(policy));
      for (int m = 0; m < nmetrics(w); m++) {
        struct summary s = summarize(policy, i, m, repeats);
        printf("  %s%s ", s.ok ? "" : "FAIL:", w->metric[m]);
        print_value(w->unit[m], s.median);
        if (s.min != s.max) {
          printf(" [");
          print_value(w->unit[m], s.min);
          printf("..");
          print_value(w->unit[m], s.max);
          printf("]");
        }
      }
      printf("\n");
    }
}

// ---- Main ----------------------------------------------------------------------------------

static void usage(void)
{
  fprintf(2, "usage: sbrkbench [-i] [-n REPEATS] [-o FILE] [WORKLOAD...]\n"
             "  REPEATS 1..%d; WORKLOAD: sbrk dense sparse fork hash (default all)\n",
          MAX_REPEATS);
  exit(1);
}

static const struct workload *find_workload(const char *name)
{
  for (int i = 0; i < NWORKLOADS; i++)
    if (strcmp(workloads[i].name, name) == 0)
      return &workloads[i];
  return 0;
}

int main(int argc, char *argv[])
{
  int repeats = DEFAULT_REPEATS;
  const char *out = 0;
  const struct workload *chosen[NWORKLOADS];
  int nchosen = 0;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-i") == 0) {
      clock_name = "icount";
    } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
      repeats = atoi(argv[++i]);
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else {
      const struct workload *w = find_workload(argv[i]);
      if (w == 0 || nchosen == NWORKLOADS)
        usage();
      chosen[nchosen++] = w;
    }
  }
  if (repeats < 1 || repeats > MAX_REPEATS)
    usage();
  if (nchosen == 0)
    for (int i = 0; i < NWORKLOADS; i++)
      chosen[nchosen++] = &workloads[i];
  if (out) {
    // O_TRUNC for a regular file; a device such as /dev/hostlink ignores it.
    csv_fd = open(out, O_WRONLY | O_CREATE | O_TRUNC);
    if (csv_fd < 0) {
      fprintf(2, "sbrkbench: cannot open %s\n", out);
      exit(1);
    }
    csv_prefix = "";
  }

  printf("sbrkbench: clock %s (time CSR, 10 MHz%s), %d runs per figure, %d free pages\n",
         clock_name,
         clock_name[0] == 'h' ? ", follows the host clock: figures drift with host load"
                              : ", QEMU -icount: counts instructions",
         repeats, freemem());
  print_csv_header();
  for (int i = 0; i < nchosen; i++) {
    uint64 t0 = clock_now();
    run_workload(chosen[i], repeats);
    print_table(chosen[i], repeats);
    // Each workload's figures go out as soon as they exist, so a later crash loses
    // only what was not measured yet.
    print_csv(chosen[i], repeats);
    printf("%s: %ld s\n", chosen[i]->name, (long)((clock_now() - t0) / TIMER_HZ));
  }
  if (out)
    close(csv_fd);
  printf("sbrkbench: done\n");
  return 0;
}
