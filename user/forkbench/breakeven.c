// When copying at fork beats copy-on-write: a child that writes all of a 32 MiB heap.
// Under copy the fork pays for every page in one pass and the child's stores are plain;
// under copy-on-write the fork only shares, and each of the child's first stores to a
// page takes a fault that copies it. The figures per policy, the policies interleaved
// round by round: fork() call to return in the parent, the child's pass over the heap
// (timed by the child), fork to wait's return, and the child's copies and take-overs.
// A child that writes a fraction f of the pages pays about f times the pass, so copying
// wins above f = (fork_copy - fork_cow) / (pass_cow - pass_copy) (analysis/derive.py).
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"
#include "user/forkbench/forkbench.h"

#define HEAP_MIB 32

struct breakeven_round {
  struct child_report child;
  long fork_ns, total_ns;
  int ok;
};

static void write_heap(char *heap, long pages, int fd)
{
  uint64 t0 = clock_now();
  for (long i = 0; i < pages; i++)
    heap[i * PGSIZE] = 2;
  struct child_report r = { cow_now(), (long)clock_ns(clock_now() - t0) };
  exit(write(fd, &r, sizeof r) == sizeof r ? 0 : 1);
}

static struct breakeven_round one_round(int policy, char *heap, long pages)
{
  struct breakeven_round r = { { { 0, 0 }, 0 }, 0, 0, 0 };
  int p[2], st = -1;
  if (pipe(p) < 0) {
    fprintf(2, "forkbench: pipe failed\n");
    exit(1);
  }
  forkpolicy(policy);
  uint64 t0 = clock_now();
  int pid = fork();
  if (pid == 0)
    write_heap(heap, pages, p[1]);
  uint64 t1 = clock_now();
  close(p[1]);
  if (pid > 0) {
    r.ok = read(p[0], &r.child, sizeof r.child) == sizeof r.child;
    wait(&st);
  }
  r.total_ns = (long)clock_ns(clock_now() - t0);
  r.fork_ns = (long)clock_ns(t1 - t0);
  r.ok = r.ok && st == 0;
  close(p[0]);
  return r;
}

void bench_breakeven(void)
{
  enum { FORK, PASS, TOTAL, COPIED, TAKEN, NMETRICS };
  static const char *const metric[NMETRICS] = { "fork_ns", "child_write_ns", "total_ns",
    "child_copied_pages", "child_taken_pages" };
  long pages = HEAP_MIB * MiB / PGSIZE;
  mempolicy(MEMPOLICY_EAGER);
  char *heap = sbrk((int)(pages * PGSIZE));
  if (heap == SBRK_ERROR) {
    fprintf(2, "forkbench: cannot hold %d MiB\n", HEAP_MIB);
    exit(1);
  }
  for (long i = 0; i < pages; i++)
    heap[i * PGSIZE] = 1;
  long v[FORKPOLICY_COUNT][NMETRICS][MAX_ROUNDS];
  int ok[FORKPOLICY_COUNT] = { 1, 1 };
  for (int i = 0; i < rounds; i++)
    for (int p = 0; p < FORKPOLICY_COUNT; p++) {
      struct breakeven_round r = one_round(p, heap, pages);
      ok[p] &= r.ok;
      v[p][FORK][i] = r.fork_ns;
      v[p][PASS][i] = r.child.counts;
      v[p][TOTAL][i] = r.total_ns;
      v[p][COPIED][i] = r.child.cow.copied;
      v[p][TAKEN][i] = r.child.cow.taken;
    }
  long med[FORKPOLICY_COUNT][NMETRICS];
  for (int p = 0; p < FORKPOLICY_COUNT; p++)
    for (int m = 0; m < NMETRICS; m++) {
      csv_row("breakeven", p, HEAP_MIB * MiB, "bytes", metric[m], v[p][m], rounds,
              m <= TOTAL ? "ns" : "pages", ok[p]);
      med[p][m] = stat3_of(v[p][m], rounds).median;
    }
  sbrk((int)-(pages * PGSIZE));
  printf("forkbench: %d MiB, the child writing every page: fork + pass, cow %ld + %ld us "
         "(%ld pages copied), copy %ld + %ld us\n", HEAP_MIB, med[0][FORK] / 1000,
         med[0][PASS] / 1000, med[0][COPIED], med[1][FORK] / 1000, med[1][PASS] / 1000);
  if (!ok[0] || !ok[1]) {
    fprintf(2, "forkbench: a child failed to report\n");
    exit(1);
  }
}
