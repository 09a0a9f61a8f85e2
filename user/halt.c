// halt: power the machine off. This is how a QEMU session ends.
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  halt();
  // Reaching here means the kernel could not power off.
  fprintf(2, "halt: failed\n");
  exit(1);
}
