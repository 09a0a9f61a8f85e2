// The body of the policy wrappers (`eager CMD`, `lazy CMD`, `copyfork CMD`): set the
// policy, then exec CMD. The policy is set before exec and survives it (the kernel
// carries it across exec and fork), so CMD and every process it forks run under it.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/policywrap.h"

void policy_wrap(const char *name, int (*set)(int), int policy, int argc, char *argv[])
{
  if (argc < 2) {
    fprintf(2, "usage: %s CMD [ARGS...]\n", name);
    exit(1);
  }
  if (set(policy) < 0) {
    fprintf(2, "%s: cannot set the policy\n", name);
    exit(1);
  }
  exec(argv[1], argv + 1);
  fprintf(2, "exec %s failed\n", argv[1]);
  exit(1);
}
