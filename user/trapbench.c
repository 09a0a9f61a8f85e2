// trapbench: what a trap costs: a null system call, and a page of heap taken eagerly,
// lazily (one page fault each) and by fault-around, in one boot.
//
//   trapbench [-n REPEATS]
//
// Prints one line per figure, "trapbench: NAME NS", NS the median over REPEATS
// (default 5) in nanoseconds of the time CSR (the host clock, or instructions under
// QEMU -icount): null_syscall per getpid(); eager_page, lazy_page and faultaround_page
// per page of a HEAP_BYTES heap grown by sbrk under that policy and stored to page by
// page, the sbrk included. tools/systest/bench-trap.sh runs it on two kernels and
// compares.
#include "kernel/types.h"
#include "user/user.h"
#include "kernel/mempolicy.h"
#include "user/testlib/testlib.h"

#define SYSCALLS   20000
#define HEAP_BYTES (32 * MiB)
#define MAX_REPEATS STATS_MAX

static long null_syscall_ns(void)
{
  uint64 t0 = clock_now();
  for (int i = 0; i < SYSCALLS; i++)
    getpid();
  return clock_ns(clock_now() - t0) / SYSCALLS;
}

// Grow the heap under policy, store to every page, give the heap back (not timed).
static long page_ns(int policy)
{
  int pages = HEAP_BYTES / PGSIZE;
  int old = mempolicy(policy);
  uint64 t0 = clock_now();
  char *p = sbrk(HEAP_BYTES);
  if (p == SBRK_ERROR) {
    printf("trapbench: sbrk(%ld) failed\n", HEAP_BYTES);
    exit(1);
  }
  touch_pages(p, pages);
  long ns = clock_ns(clock_now() - t0) / pages;
  sbrk(-HEAP_BYTES);
  mempolicy(old);
  return ns;
}

struct figure {
  const char *name;
  int policy;   // -1: the null system call
  long v[MAX_REPEATS];
};

int main(int argc, char *argv[])
{
  int repeats = 5;
  if (argc == 3 && strcmp(argv[1], "-n") == 0)
    repeats = atoi(argv[2]);
  else if (argc != 1)
    repeats = 0;
  if (repeats < 1 || repeats > MAX_REPEATS) {
    printf("usage: trapbench [-n REPEATS], 1 <= REPEATS <= %d\n", MAX_REPEATS);
    exit(1);
  }
  static struct figure figs[] = {
    { "null_syscall", -1 },
    { "eager_page", MEMPOLICY_EAGER },
    { "lazy_page", MEMPOLICY_LAZY },
    { "faultaround_page", MEMPOLICY_FAULTAROUND },
  };
  int n = sizeof(figs) / sizeof(figs[0]);
  // Rounds interleave the figures, so that drift of the host clock falls on all alike.
  for (int r = 0; r < repeats; r++)
    for (int i = 0; i < n; i++)
      figs[i].v[r] = figs[i].policy < 0 ? null_syscall_ns() : page_ns(figs[i].policy);
  for (int i = 0; i < n; i++) {
    struct stat3 s = stat3_of(figs[i].v, repeats);
    printf("trapbench: %s %ld min %ld max %ld\n", figs[i].name, s.median, s.min, s.max);
  }
  exit(0);
}
