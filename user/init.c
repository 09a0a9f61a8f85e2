// init: the first user process. It gives the system a console on fds 0, 1 and 2, keeps
// a shell running on it, and reaps orphans: the kernel makes init the parent of every
// process whose parent exits, and their zombies would fill the process table if nobody
// waited for them.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/file.h"
#include "user/user.h"
#include "user/printf_check.h"

static char *sh_argv[] = { "sh", 0 };

// The file system image holds no device nodes, so the first boot creates the console's.
// fd 0 is the first free descriptor in a fresh process; the dups make it 1 and 2 too.
static void
open_console(void)
{
  if (open("console", O_RDWR) < 0) {
    mknod("console", CONSOLE, 0);
    if (open("console", O_RDWR) < 0)
      exit(1);   // nowhere to report it
  }
  dup(0);
  dup(0);
}

// faultline's own devices live in /dev; the console stays at /console, where xv6
// programs expect it.
static void
make_devices(void)
{
  static const struct { char *path; short major; } devs[] = {
    { "/dev/vmtrace", VMTRACE },
    { "/dev/vmtracectl", VMTRACECTL },
    { "/dev/hostlink", HOSTLINK },
  };
  struct stat st;

  if (stat("/dev", &st) < 0 && mkdir("/dev") < 0)
    fprintf(2, "init: cannot create /dev\n");
  for (int i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
    if (stat(devs[i].path, &st) < 0 && mknod(devs[i].path, devs[i].major, 0) < 0)
      fprintf(2, "init: cannot create %s\n", devs[i].path);
}

static int
start_shell(void)
{
  int pid = fork();

  if (pid < 0) {
    fprintf(2, "init: fork failed\n");
    exit(1);
  }
  if (pid == 0) {
    exec(sh_argv[0], sh_argv);
    fprintf(2, "init: exec sh failed\n");
    exit(1);
  }
  return pid;
}

// Waits until the shell exits, reaping any orphan that finishes meanwhile. Returns the
// shell's exit status.
static int
wait_for_shell(int sh_pid)
{
  int pid, status;

  for (;;) {
    pid = wait(&status);
    if (pid == sh_pid)
      return status;
    if (pid < 0) {
      // init always has the shell as a child, so this is a kernel bug.
      fprintf(2, "init: wait failed\n");
      exit(1);
    }
  }
}

int
main(void)
{
  open_console();
  make_devices();
  for (;;) {
    printf("init: starting sh\n");
    if (wait_for_shell(start_shell()) != 0)
      sleep(10);   // a shell that keeps failing would otherwise spin the CPU and flood the console
  }
}
