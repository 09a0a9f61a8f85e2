// zombie: leave a zombie behind for a moment. The child exits at once; the parent
// sleeps before exiting, and until then nobody waits for the child, so it stays a
// zombie (the kernel keeps its slot for the exit status). When the parent exits, init
// inherits the child and reaps it.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

#define ZOMBIE_TICKS 5

int
main(void)
{
  int pid = fork();

  if (pid < 0) {
    fprintf(2, "zombie: fork failed\n");
    exit(1);
  }
  if (pid > 0)
    sleep(ZOMBIE_TICKS);
  exit(0);
}
