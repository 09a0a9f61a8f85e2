// forkbench: how long fork takes against the parent's resident size, under each fork
// policy (kernel/forkpolicy.h). For each size the parent grows its heap eagerly and
// writes every page, then times fork() from call to return in the parent, ROUNDS times
// per policy (the child exits at once; it is reaped outside the timing), interleaving
// the policies. Prints one line per size and policy: the median, min and max in
// microseconds of the time CSR, which under QEMU's -icount counts instructions, so the
// figures repeat from run to run. A benchmark: it prints figures and fails only when
// fork itself fails.
//
//   forkbench [MIB...]     sizes in MiB (default 1 8 32)
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"

#define ROUNDS 5

// One fork under policy, in time CSR counts; -1 if fork failed.
static long time_fork(int policy)
{
  forkpolicy(policy);
  uint64 t0 = clock_now();
  int pid = fork();
  if (pid == 0)
    exit(0);
  uint64 t1 = clock_now();
  if (pid < 0)
    return -1;
  wait(0);
  return (long)(t1 - t0);
}

int main(int argc, char *argv[])
{
  static const char *const names[] = FORKPOLICY_NAMES;
  static const int default_mib[] = { 1, 8, 32 };
  int nsizes = argc > 1 ? argc - 1 : 3;
  mempolicy(MEMPOLICY_EAGER);
  char *base = sbrk(0);
  long have = 0;
  printf("forkbench: fork time by resident heap, %d rounds, microseconds (median min max)\n",
         ROUNDS);
  for (int s = 0; s < nsizes; s++) {
    long mib = argc > 1 ? atoi(argv[s + 1]) : default_mib[s];
    long want = mib * MiB;
    if (mib <= 0 || sbrk(want - have) == SBRK_ERROR) {
      fprintf(2, "forkbench: cannot hold %ld MiB\n", mib);
      exit(1);
    }
    have = want;
    for (long off = 0; off < have; off += PGSIZE)
      base[off] = 1;
    long v[FORKPOLICY_COUNT][ROUNDS];
    for (int r = 0; r < ROUNDS; r++)
      for (int p = 0; p < FORKPOLICY_COUNT; p++)
        if ((v[p][r] = time_fork(p)) < 0) {
          fprintf(2, "forkbench: fork under %s failed at %ld MiB\n", names[p], mib);
          exit(1);
        }
    for (int p = 0; p < FORKPOLICY_COUNT; p++) {
      for (int r = 0; r < ROUNDS; r++)
        v[p][r] = clock_ns(v[p][r]) / 1000;
      struct stat3 st = stat3_of(v[p], ROUNDS);
      printf("forkbench: %ld MiB %s: %ld %ld %ld\n", mib, names[p], st.median, st.min,
             st.max);
    }
  }
  return 0;
}
