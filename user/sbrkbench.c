// sbrkbench: what lazy sbrk costs and saves, against eager sbrk, in one boot.
//
//   sbrkbench [-i] [-n REPEATS]
//
//   -i          label the figures as taken under QEMU -icount (virtual time counts
//               instructions, so runs repeat); without it they are labelled "host", as the
//               time CSR then follows the host clock and drifts with host load. The flag
//               only labels: the program cannot tell which clock QEMU gave it.
//   -n REPEATS  how many times to measure each case (default 5)
//
// For each size N from 4 KiB to 1 GiB (powers of 4) and each policy it measures
//   sbrk   the time of sbrk(N) (eager maps every page; lazy only moves the break), and
//   touch  for N up to TOUCH_MAX, the time to store to every page of the new heap
//          (lazy: one page fault per page; eager: plain stores to mapped pages).
// Every measurement runs in a fresh child process with the policy set by mempolicy(), so
// the cases cannot disturb one another's heap; the two policies alternate which goes
// first in each round, so drift in the host clock falls on both alike. It prints the
// median and the range over the repeats, then per-page costs: the cost of one lazy fault
// against the cost of one eagerly allocated page.
//
// The human-readable tables are followed by lines starting "csv," for host scripts
// (analysis/): first a header naming the columns
//   csv,clock,policy,op,bytes,pages,runs,median_ns,min_ns,max_ns,status
// then one line per figure. op is sbrk, touch (every page), touch_per_page, or page
// ((sbrk + touch) / pages). Times are integer nanoseconds (the time CSR ticks at 10 MHz,
// so 100 ns is the resolution). status is ok, or fail when sbrk returned -1 in some run;
// the times are then how long sbrk took to fail.
// This is a benchmark, not a test: it never fails on a figure.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/mempolicy.h"
#include "user/user.h"

#define KiB 1024L
#define MiB (1024L * KiB)
#define GiB (1024L * MiB)

#define TIMER_HZ 10000000UL   // QEMU virt's time CSR
#define NS_PER_TICK (1000000000UL / TIMER_HZ)
#define TOUCH_MAX (16 * MiB)
#define MAX_REPEATS 21
#define NSIZES 10             // 4 KiB * 4^0 .. 4 KiB * 4^9 = 1 GiB
#define NPOLICIES 2

// The time CSR, readable from user mode because the kernel sets mcounteren.TM.
static inline uint64 now(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

static long size_of(int i)
{
  return 4 * KiB << (2 * i);
}

static const char *policy_name(int policy)
{
  return policy == MEMPOLICY_EAGER ? "eager" : "lazy";
}

// ---- One measurement, in a child process ---------------------------------------------------

struct sample {
  int ok;          // sbrk succeeded
  uint64 sbrk;     // ticks for sbrk(N), successful or not
  uint64 touch;    // ticks to store to every page (0 if not measured)
};

// Grow the heap by n under policy and time it; then time touching every page. Runs in a
// fresh child so that every sample starts from the same small process.
static struct sample measure_here(int policy, long n)
{
  struct sample s = { 0, 0, 0 };
  mempolicy(policy);
  uint64 t0 = now();
  char *p = sbrk(n);
  s.sbrk = now() - t0;
  s.ok = p != (char *)-1;
  if (!s.ok || n > TOUCH_MAX)
    return s;
  t0 = now();
  for (long off = 0; off < n; off += PGSIZE)
    p[off] = 1;
  s.touch = now() - t0;
  return s;
}

static struct sample measure(int policy, long n)
{
  struct sample s = { 0, 0, 0 };
  int fds[2];
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
    s = measure_here(policy, n);
    write(fds[1], &s, sizeof(s));
    exit(0);
  }
  close(fds[1]);
  if (read(fds[0], &s, sizeof(s)) != sizeof(s))
    s.ok = 0;   // the child died: count it as a failure
  close(fds[0]);
  wait(0);
  return s;
}

// ---- Statistics ----------------------------------------------------------------------------

struct summary {
  uint64 median, min, max;
};

static struct summary summarize(const uint64 *v, int n)
{
  uint64 sorted[MAX_REPEATS];
  for (int i = 0; i < n; i++)
    sorted[i] = v[i];
  for (int i = 1; i < n; i++)   // insertion sort: n is tiny
    for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
      uint64 t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  struct summary s = { sorted[n / 2], sorted[0], sorted[n - 1] };
  return s;
}

// ---- Output --------------------------------------------------------------------------------

// The user printf has no snprintf, so table cells are built in a buffer by hand and then
// printed with a field width.

// Append s at dst; returns the new end.
static char *put_str(char *dst, const char *s)
{
  while (*s)
    *dst++ = *s++;
  *dst = 0;
  return dst;
}

// Append n in decimal at dst; returns the new end.
static char *put_uint(char *dst, uint64 n)
{
  char digits[24];
  int nd = 0;
  do {
    digits[nd++] = '0' + n % 10;
    n /= 10;
  } while (n > 0);
  while (nd > 0)
    *dst++ = digits[--nd];
  *dst = 0;
  return dst;
}

// Append ns as microseconds with one decimal ("12.3").
static char *put_us(char *dst, uint64 ns)
{
  uint64 tenths = (ns + 50) / 100;
  dst = put_uint(dst, tenths / 10);
  dst = put_str(dst, ".");
  return put_uint(dst, tenths % 10);
}

// "median [min..max]" in microseconds; prefixed "fail" when sbrk failed, as eager sbrk
// does when N exceeds free memory: the time is then what it took to give up (eager
// allocates until memory runs out, then frees it all).
static const char *cell(int ok, struct summary s)
{
  static char buf[64];
  char *p = put_str(buf, ok ? "" : "fail ");
  p = put_us(p, s.median);
  p = put_str(p, " [");
  p = put_us(p, s.min);
  p = put_str(p, "..");
  p = put_us(p, s.max);
  put_str(p, "]");
  return buf;
}

static const char *size_str(long n)
{
  static char buf[16];
  long unit = n >= GiB ? GiB : n >= MiB ? MiB : KiB;
  char *p = put_uint(buf, n / unit);
  put_str(p, unit == GiB ? " GiB" : unit == MiB ? " MiB" : " KiB");
  return buf;
}

static void print_csv(const char *clock, const char *policy, const char *op, long bytes,
                      int runs, int ok, struct summary s)
{
  printf("csv,%s,%s,%s,%ld,%ld,%d,", clock, policy, op, bytes, bytes / PGSIZE, runs);
  printf("%ld,%ld,%ld,%s\n", (long)s.median, (long)s.min, (long)s.max, ok ? "ok" : "fail");
}

// ---- Main ----------------------------------------------------------------------------------

// Every sample, by policy, size and repeat.
static struct sample samples[NPOLICIES][NSIZES][MAX_REPEATS];

static void run_all(int repeats)
{
  for (int r = 0; r < repeats; r++) {
    for (int i = 0; i < NSIZES; i++) {
      // Alternate which policy goes first, so that neither always follows the other.
      int first = r % 2 == 0 ? MEMPOLICY_LAZY : MEMPOLICY_EAGER;
      samples[first][i][r] = measure(first, size_of(i));
      samples[!first][i][r] = measure(!first, size_of(i));
    }
  }
}

// A per-run figure in ns, from a sample: what the caller wants of it.
typedef uint64 (*figure_fn)(const struct sample *s, long bytes);

static uint64 sbrk_ns(const struct sample *s, long bytes)
{
  return s->sbrk * NS_PER_TICK;
}

static uint64 touch_ns(const struct sample *s, long bytes)
{
  return s->touch * NS_PER_TICK;
}

// Touch time per page. Under lazy, each first store is one page fault: trap, allocate,
// zero, map, return. Under eager, it is a store to a page already mapped.
static uint64 touch_per_page_ns(const struct sample *s, long bytes)
{
  return s->touch * NS_PER_TICK / (bytes / PGSIZE);
}

// The whole cost of a page one can use: sbrk's share plus the first store. For eager,
// sbrk's share is allocating, zeroing and mapping the page.
static uint64 page_ns(const struct sample *s, long bytes)
{
  return (s->sbrk + s->touch) * NS_PER_TICK / (bytes / PGSIZE);
}

// Summarize a figure over the repeats; *ok is 0 if any repeat's sbrk failed.
static struct summary figure(int policy, int i, int repeats, figure_fn fn, int *ok)
{
  uint64 v[MAX_REPEATS];
  *ok = 1;
  for (int r = 0; r < repeats; r++) {
    const struct sample *s = &samples[policy][i][r];
    if (!s->ok)
      *ok = 0;
    v[r] = fn(s, size_of(i));
  }
  return summarize(v, repeats);
}

static void print_table(int repeats)
{
  printf("\n%-8s %-6s %-32s %s\n", "size", "policy", "sbrk(N) us: median [min..max]",
         "touch every page us: median [min..max]");
  for (int i = 0; i < NSIZES; i++) {
    for (int policy = 0; policy < NPOLICIES; policy++) {
      int ok, touch_ok;
      struct summary sb = figure(policy, i, repeats, sbrk_ns, &ok);
      printf("%-8s %-6s %-32s ", size_str(size_of(i)), policy_name(policy), cell(ok, sb));
      if (ok && size_of(i) <= TOUCH_MAX) {
        struct summary t = figure(policy, i, repeats, touch_ns, &touch_ok);
        printf("%s", cell(touch_ok, t));
      } else {
        printf("-");
      }
      printf("\n");
    }
  }
}

// ratio a/b with two decimals, as "12.34x".
static const char *ratio_str(uint64 a, uint64 b)
{
  static char buf[32];
  uint64 r100 = b ? a * 100 / b : 0;
  char *p = put_uint(buf, r100 / 100);
  p = put_str(p, ".");
  p = put_uint(p, r100 / 10 % 10);
  p = put_uint(p, r100 % 10);
  put_str(p, "x");
  return buf;
}

// One lazy fault against one eagerly allocated page, for each size both policies manage.
static void print_per_page(int repeats)
{
  printf("\nper page, us (medians):\n"
         "  lazy fault  = lazy touch / pages (trap + allocate + zero + map + return)\n"
         "  eager page  = (eager sbrk + eager touch) / pages (allocate + zero + map, store)\n"
         "  eager store = eager touch / pages (a store to a mapped page)\n");
  printf("%-8s %12s %12s %12s %14s\n", "size", "lazy fault", "eager page", "eager store",
         "fault/page");
  for (int i = 0; i < NSIZES && size_of(i) <= TOUCH_MAX; i++) {
    int lazy_ok, eager_ok, store_ok;
    struct summary fault = figure(MEMPOLICY_LAZY, i, repeats, touch_per_page_ns, &lazy_ok);
    struct summary page = figure(MEMPOLICY_EAGER, i, repeats, page_ns, &eager_ok);
    struct summary store = figure(MEMPOLICY_EAGER, i, repeats, touch_per_page_ns, &store_ok);
    if (!lazy_ok || !eager_ok)
      continue;
    static char f[16], pg[16], st[16];
    put_us(f, fault.median);
    put_us(pg, page.median);
    put_us(st, store.median);
    printf("%-8s %12s %12s %12s %14s\n", size_str(size_of(i)), f, pg, st,
           ratio_str(fault.median, page.median));
  }
}

static void print_csv_all(const char *clock, int repeats)
{
  printf("\ncsv,clock,policy,op,bytes,pages,runs,median_ns,min_ns,max_ns,status\n");
  for (int i = 0; i < NSIZES; i++) {
    for (int policy = 0; policy < NPOLICIES; policy++) {
      int ok;
      const char *name = policy_name(policy);
      struct summary s = figure(policy, i, repeats, sbrk_ns, &ok);
      print_csv(clock, name, "sbrk", size_of(i), repeats, ok, s);
      if (!ok || size_of(i) > TOUCH_MAX)
        continue;
      s = figure(policy, i, repeats, touch_ns, &ok);
      print_csv(clock, name, "touch", size_of(i), repeats, ok, s);
      s = figure(policy, i, repeats, touch_per_page_ns, &ok);
      print_csv(clock, name, "touch_per_page", size_of(i), repeats, ok, s);
      s = figure(policy, i, repeats, page_ns, &ok);
      print_csv(clock, name, "page", size_of(i), repeats, ok, s);
    }
  }
}

static void usage(void)
{
  fprintf(2, "usage: sbrkbench [-i] [-n REPEATS]  (REPEATS 1..%d)\n", MAX_REPEATS);
  exit(1);
}

int main(int argc, char *argv[])
{
  const char *clock = "host";
  int repeats = 5;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-i") == 0)
      clock = "icount";
    else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
      repeats = atoi(argv[++i]);
    else
      usage();
  }
  if (repeats < 1 || repeats > MAX_REPEATS)
    usage();

  printf("sbrkbench: clock %s (time CSR, 10 MHz%s), %d runs per figure, "
         "%d free pages\n", clock,
         clock[0] == 'h' ? ", follows the host clock: figures drift with host load"
                         : ", QEMU -icount: counts instructions",
         repeats, freemem());
  run_all(repeats);
  print_table(repeats);
  print_per_page(repeats);
  print_csv_all(clock, repeats);
  return 0;
}
