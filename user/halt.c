// halt: power the machine off. This is how a QEMU session ends.
//
// If a recording is running (vmtrace record, say around an interactive shell), it is
// stopped first and its drainer given a moment to write out what the rings still hold,
// so that powering off does not cut the recording short.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define DRAIN_TICKS 50   // at most 5 s

// 1 if /dev/vmtracectl reports a reader (a recorder's drainer) attached.
static int
recorder_attached(void)
{
  char buf[512];
  int fd = open("/dev/vmtracectl", O_RDONLY);
  if (fd < 0)
    return 0;
  int n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = 0;
  for (char *p = buf; (p = strchr(p, 'r')) != 0; p++)
    if (memcmp(p, "reader 1", 8) == 0)
      return 1;
  return 0;
}

static void
stop_recording(void)
{
  if (!recorder_attached())
    return;
  int fd = open("/dev/vmtracectl", O_WRONLY);
  if (fd >= 0) {
    write(fd, "disable", 7);
    close(fd);
  }
  for (int t = 0; t < DRAIN_TICKS && recorder_attached(); t++)
    sleep(1);
}

int
main(void)
{
  stop_recording();
  halt();
  // Reaching here means the kernel could not power off.
  fprintf(2, "halt: failed\n");
  exit(1);
}
