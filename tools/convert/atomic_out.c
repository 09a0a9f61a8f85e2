#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/convert/atomic_out.h"

int aout_open(struct aout *o, const char *path, char *err, size_t errlen)
{
  o->path = path;
  o->tmp = NULL;
  o->f = NULL;
  if (strcmp(path, "-") == 0) {
    o->f = stdout;
    return 0;
  }
  size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
  o->tmp = malloc(n);
  if (!o->tmp) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    snprintf(err, errlen, "cannot create %s: %s", o->tmp, strerror(errno));
    free(o->tmp);
    o->tmp = NULL;
    return -1;
  }
  mode_t mask = umask(0);     // mkstemp makes the file 0600; give it the usual mode
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  o->f = fdopen(fd, "w");
  if (!o->f) {
    snprintf(err, errlen, "cannot open %s: %s", o->tmp, strerror(errno));
    close(fd);
    aout_abort(o);
    return -1;
  }
  return 0;
}

void aout_abort(struct aout *o)
{
  if (o->f && o->f != stdout)
    fclose(o->f);
  o->f = NULL;
  if (o->tmp) {
    unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
  }
}

int aout_commit(struct aout *o, char *err, size_t errlen)
{
  if (!o->tmp) {
    if (fflush(stdout) != 0) {
      snprintf(err, errlen, "write error on standard output: %s", strerror(errno));
      return -1;
    }
    return 0;
  }
  int bad = fclose(o->f) != 0;
  o->f = NULL;
  if (bad || rename(o->tmp, o->path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
    aout_abort(o);
    return -1;
  }
  free(o->tmp);
  o->tmp = NULL;
  return 0;
}
