// symresolve: pc -> function+offset (file:line) from a RISC-V ELF, one line per address;
// the command-line face of tools/symbols, used by its tests against binutils.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/symbols/symbols.h"

static const char usage[] =
  "usage: symresolve ELF ADDR...   (ADDR in hex, 0x optional; '-' reads them from stdin)\n"
  "Prints for each ADDR: ADDR FUNC+0xOFF (FILE:LINE), or ADDR ?? when it resolves to\n"
  "nothing. Exit status: 0 done, 1 unreadable or malformed ELF, 2 bad usage.\n";

static int resolve(const struct sym_image *im, const char *arg)
{
  char *end, out[512];
  errno = 0;
  unsigned long long pc = strtoull(arg, &end, 16);
  if (errno || end == arg || *end) {
    fprintf(stderr, "symresolve: bad address '%s'\n", arg);
    return 2;
  }
  if (sym_format(im, pc, out, sizeof out) < 0)
    snprintf(out, sizeof out, "??");
  printf("0x%llx %s\n", pc, out);
  return 0;
}

int main(int argc, char **argv)
{
  struct sym_image im;
  char err[256], line[128];
  if (argc < 3 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    fputs(usage, argc < 3 ? stderr : stdout);
    return argc < 3 ? 2 : 0;
  }
  if (sym_load_file(&im, argv[1], err, sizeof err) < 0) {
    fprintf(stderr, "symresolve: %s: %s\n", argv[1], err);
    return 1;
  }
  int rc = 0;
  for (int i = 2; i < argc && !rc; i++) {
    if (strcmp(argv[i], "-") != 0) {
      rc = resolve(&im, argv[i]);
      continue;
    }
    while (!rc && fgets(line, sizeof line, stdin)) {
      line[strcspn(line, "\r\n")] = 0;
      rc = resolve(&im, line);
    }
  }
  sym_free(&im);
  return rc;
}
