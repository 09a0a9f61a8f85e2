// The body of the `eager` and `lazy` wrapper programs, which differ only in the sbrk
// policy they set. It lives in a header because the Makefile builds every user/*.c into
// a program of its own; each wrapper includes this file and calls policy_wrap.
//
// The policy is set before exec and survives it (the kernel carries it across exec and
// fork), so CMD and every process it forks run under that policy.
#ifndef FAULTLINE_POLICYWRAP_H
#define FAULTLINE_POLICYWRAP_H

#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

// name: this program's name, for messages. Never returns.
static void __attribute__((noreturn))
policy_wrap(const char *name, int policy, int argc, char *argv[])
{
  if (argc < 2) {
    fprintf(2, "usage: %s CMD [ARGS...]\n", name);
    exit(1);
  }
  if (mempolicy(policy) < 0) {
    fprintf(2, "%s: cannot set the sbrk policy\n", name);
    exit(1);
  }
  exec(argv[1], argv + 1);
  fprintf(2, "exec %s failed\n", argv[1]);
  exit(1);
}

#endif
