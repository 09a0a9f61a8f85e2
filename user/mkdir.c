// mkdir DIR...: create directories.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

int
main(int argc, char *argv[])
{
  int i;

  if (argc < 2) {
    fprintf(2, "usage: mkdir DIR...\n");
    exit(1);
  }
  for (i = 1; i < argc; i++) {
    if (mkdir(argv[i]) < 0) {
      fprintf(2, "mkdir: cannot create %s\n", argv[i]);
      exit(1);
    }
  }
  exit(0);
}
