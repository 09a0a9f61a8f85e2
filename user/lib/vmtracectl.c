// Talking to /dev/vmtracectl (tracing/control.c documents its commands and status):
// shared by the recorder, halt and the benchmarks.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"

#define CTL "/dev/vmtracectl"

int vmtrace_ctl(const char *cmd)
{
  int fd = open(CTL, O_WRONLY);
  if (fd < 0)
    return -1;
  int n = strlen(cmd);
  int r = write(fd, cmd, n);
  close(fd);
  return r == n ? 0 : -1;
}

int vmtrace_status(char *buf, int max)
{
  int fd = open(CTL, O_RDONLY);
  if (fd < 0)
    return -1;
  int len = 0, n;
  while (len < max - 1 && (n = read(fd, buf + len, max - 1 - len)) > 0)
    len += n;
  close(fd);
  buf[len] = 0;
  return len > 0 ? len : -1;   // empty: a kernel built with tracing compiled out
}

long vmtrace_status_value(const char *status, const char *name)
{
  int n = strlen(name);
  for (const char *line = status; *line; ) {
    if (memcmp(line, name, n) == 0 && line[n] == ' ')
      return number_at(line + n + 1, 0);
    while (*line && *line != '\n')
      line++;
    if (*line)
      line++;
  }
  return -1;
}
