// forktest: fork until the process table is full, then check that every child can be
// waited for exactly once.
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/printf_check.h"

// Far more than the table holds: reaching it means fork never failed.
#define TOO_MANY (NPROC * 16)

// Forks until fork fails; each child exits at once but stays a zombie, holding its slot
// until it is waited for. Returns how many children there are.
static int
fork_until_full(void)
{
  int n, pid;

  for (n = 0; n < TOO_MANY; n++) {
    pid = fork();
    if (pid < 0)
      return n;
    if (pid == 0)
      exit(0);
  }
  fprintf(2, "forktest: fork succeeded %d times; the process table has %d slots\n",
          TOO_MANY, NPROC);
  exit(1);
}

int
main(void)
{
  int n, i;

  printf("fork test\n");
  n = fork_until_full();
  for (i = 0; i < n; i++) {
    if (wait(0) < 0) {
      fprintf(2, "forktest: wait failed after %d of %d children\n", i, n);
      exit(1);
    }
  }
  if (wait(0) != -1) {
    fprintf(2, "forktest: wait returned a child after all %d were reaped\n", n);
    exit(1);
  }
  printf("fork test OK\n");
  exit(0);
}
