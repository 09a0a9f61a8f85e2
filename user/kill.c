// kill PID...: ask the kernel to kill processes.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

static int
is_number(const char *s)
{
  if (*s == '\0')
    return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

int
main(int argc, char *argv[])
{
  int i;

  if (argc < 2) {
    fprintf(2, "usage: kill PID...\n");
    exit(1);
  }
  for (i = 1; i < argc; i++) {
    // atoi would turn a typo into pid 0; refuse it instead.
    if (!is_number(argv[i])) {
      fprintf(2, "kill: %s is not a process id\n", argv[i]);
      exit(1);
    }
    if (kill(atoi(argv[i])) < 0) {
      fprintf(2, "kill: no process %s\n", argv[i]);
      exit(1);
    }
  }
  exit(0);
}
