// perfetto_check: checks a trace-event JSON file against the rules Perfetto's importer
// and Chrome DevTools rely on (see pcheck.h) and prints the slices on each track, the
// figures the trace engine comparison uses. Exit 0 if clean, 1 on any violation.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/check/pcheck.h"

static const char usage[] =
  "usage: perfetto_check [-q] FILE\n"
  "Checks a Chrome trace-event JSON file (FILE, '-' for standard input) for what\n"
  "Perfetto and Chrome DevTools need: strict slice nesting per track, B matched by E,\n"
  "flows bound to slices, numeric counters, pid/tid in [0, 2^32), numeric ts >= 0.\n"
  "Prints 'slices pid=P tid=T count=N' per track, then a summary line; -q only the\n"
  "summary. Exit status: 0 clean, 1 violations or invalid JSON, 2 bad usage.\n";

static char *slurp(FILE *f, size_t *len)
{
  size_t cap = 1 << 20, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger)
        free(buf);
      buf = bigger;
    }
  }
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
  }
  *len = n;
  return buf;
}

int main(int argc, char **argv)
{
  int quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
  if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    fputs(usage, stdout);
    return 0;
  }
  if (argc != 2 + quiet) {
    fputs(usage, stderr);
    return 2;
  }
  const char *name = argv[1 + quiet];
  FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
  size_t len;
  char *buf = f ? slurp(f, &len) : NULL;
  if (!buf) {
    fprintf(stderr, "perfetto_check: %s: %s\n", name, strerror(errno));
    return 1;
  }
  struct pcheck pc;
  char err[256];
  pcheck_init(&pc, name, 20);
  int rc = pcheck_buffer(&pc, buf, len, err, sizeof err);
  if (rc < 0)
    fprintf(stderr, "perfetto_check: %s: invalid JSON: %s\n", name, err);
  else
    pcheck_report(&pc, quiet ? NULL : stdout);
  rc = rc < 0 || pc.violations ? 1 : 0;
  pcheck_free(&pc);
  free(buf);
  if (f != stdin)
    fclose(f);
  return rc;
}
