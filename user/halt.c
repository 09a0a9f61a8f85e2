// halt: power the machine off. This is how a QEMU session ends.
//
// If a recording is running (vmtrace record, say around an interactive shell), it is
// stopped first and its drainer given a moment to write out what the rings still hold,
// so that powering off does not cut the recording short.
#include "kernel/types.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/printf_check.h"

#define DRAIN_TICKS (5 * TICK_HZ)   // at most 5 s

// 1 if /dev/vmtracectl reports a reader (a recorder's drainer) attached.
static int
recorder_attached(void)
{
  char status[512];
  return vmtrace_status(status, sizeof(status)) > 0 &&
         vmtrace_status_value(status, "reader") == 1;
}

static void
stop_recording(void)
{
  if (!recorder_attached())
    return;
  vmtrace_ctl("disable");
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
