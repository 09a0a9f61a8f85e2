// vmtrace_mark: label a moment in a recording, like ftrace's trace_marker. Test suites
// call it at the start of each test so that a timeline shows which test did what.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"

int vmtrace_mark(const char *text)
{
  // Opened per call, so no descriptor leaks into forked or exec'd programs.
  int fd = open("/dev/vmtrace", O_WRONLY);
  if (fd < 0)
    return -1;
  int n = strlen(text);
  int r = write(fd, text, n);
  close(fd);
  return r == n ? 0 : -1;
}

// The start of test `name` of a suite: the marker "test NAME", which make qemu-trace
// (tools/qemu/qemu_trace.py) cuts recordings at, one timeline per test.
int vmtrace_mark_test(const char *name)
{
  char text[64] = "test ";
  int n = strlen(name);
  if (n > (int)sizeof(text) - 6)
    n = sizeof(text) - 6;
  memmove(text + 5, name, n);
  text[5 + n] = 0;
  return vmtrace_mark(text);
}
