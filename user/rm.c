// rm FILE...: remove directory entries (an empty directory too: unlink allows it).
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

int
main(int argc, char *argv[])
{
  int i;

  if (argc < 2) {
    fprintf(2, "usage: rm FILE...\n");
    exit(1);
  }
  for (i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(2, "rm: cannot remove %s\n", argv[i]);
      exit(1);
    }
  }
  exit(0);
}
