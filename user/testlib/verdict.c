// A test runner's verdict line, shared by the suites that run each test in a process of
// its own and count free pages around it (lazytests, cowtests).
#include "kernel/types.h"
#include "user/user.h"
#include "user/testlib/testlib.h"

int test_verdict(const char *name, int status, int free_before, int free_after)
{
  if (status == KILLED)
    printf("test %s: FAILED (the test process was killed; see the kernel's line)\n", name);
  else if (status != 0)
    printf("test %s: FAILED (exit status %d)\n", name, status);
  else if (free_after != free_before)
    printf("test %s: FAILED (%d free pages before, %d after)\n", name, free_before,
           free_after);
  else {
    printf("test %s: OK\n", name);
    return 1;
  }
  return 0;
}
