// xv6conform: the contracts xv6 programs rely on, exercised the way they use them: built
// with the default flags and xv6's headers only (no user/printf_check.h: the format slips
// below are on purpose), loops sized by xv6's constants with xv6's meanings, the image's
// README, exit statuses; and today's xv6-riscv's contract (today.c: sbrk and sbrklazy,
// sys_sbrk, pause, printf's formats) with faultline's policies over it. make test runs it
// after usertests in the same boot, under the default policy and eagerly. It must leave
// nothing behind: it checks that the free pages come back (freemem, one of faultline's
// calls; mempolicy is the other); the test script checks the disk's free inodes and
// blocks on the image afterwards.
//
// Prints "xv6conform: OK", or "xv6conform: FAILED: what" and exits 1.
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "user/user.h"

#include "user/xv6conform/conform.h"

char buf[512];

void
check(int ok, char *what)
{
  if (!ok) {
    printf("xv6conform: FAILED: %s\n", what);
    exit(1);
  }
}

int
reap(void)
{
  int status = -12345;
  check(wait(&status) > 0, "wait for a child");
  return status;
}

int
slurp(int fd)
{
  int n, len = 0;
  while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
    len += n;
  buf[len] = 0;
  return len;
}

// ---- printf as xv6 programs call it -------------------------------------------------

// Format slips xv6's user.h lets through: they must compile (with -Wall -Werror) and
// print what xv6 prints for the arguments that match.
static void
format_slips(void)
{
  int p[2];
  uint64 addr = 0x80001234;

  check(pipe(p) == 0, "pipe for printf output");
  fprintf(p[1], "%d %s|", 7, "seven", 8, "extra");   // an argument too many
  fprintf(p[1], "%p|", addr);                        // %p given a uint64
  fprintf(p[1], "%x %d|", 255, -3);
  fprintf(p[1], "%s|", 0);                           // a null string
  close(p[1]);
  slurp(p[0]);
  close(p[0]);
  check(strcmp(buf, "7 seven|0x0000000080001234|ff -3|(null)|") == 0,
        "printf output with too many arguments, %p of a uint64, %x, (null)");

  // An argument too few: xv6 prints whatever is in the argument's place; it must not
  // crash, and the text around it comes out.
  check(pipe(p) == 0, "pipe for printf output");
  fprintf(p[1], "a%db\n");
  close(p[1]);
  int n = slurp(p[0]);
  close(p[0]);
  check(n >= 4 && buf[0] == 'a' && buf[n - 2] == 'b' && buf[n - 1] == '\n',
        "printf with an argument too few");
}

// ---- The image ---------------------------------------------------------------------

// xv6 programs open "README" in the root directory.
static void
readme(void)
{
  struct stat st;
  int fd = open("/README", O_RDONLY);
  check(fd >= 0, "open README");
  check(fstat(fd, &st) == 0 && st.type == T_FILE && st.size > 0, "README is a file");
  check(read(fd, buf, 16) == 16, "read README");
  close(fd);
}

// ---- Constants with xv6's meanings --------------------------------------------------

// NINODE + 1 nested directories, each a cwd in turn (xv6's usertests do this), then
// removed again.
static void
nested_dirs(void)
{
  for (int i = 0; i < NINODE + 1; i++) {
    check(mkdir("xcd") == 0, "mkdir in a chain of NINODE + 1 directories");
    check(chdir("xcd") == 0, "chdir in a chain of NINODE + 1 directories");
  }
  for (int i = 0; i < NINODE + 1; i++) {
    check(chdir("..") == 0, "chdir .. out of the chain");
    check(unlink("xcd") == 0, "unlink a directory of the chain");
  }
}

// NINODE inodes in use at once: children each hold distinct files open until the
// parent closes the go pipe.
static void
ninode_open(void)
{
  enum { PER = NOFILE - 5 };   // a child's fds 0-2, ready[1] and go[0] are taken
  int kids = (NINODE + PER - 1) / PER;
  int ready[2], go[2];
  char name[8] = "xci.aa";

  check(pipe(ready) == 0 && pipe(go) == 0, "pipes");
  for (int k = 0; k < kids; k++) {
    if (fork() == 0) {
      close(ready[0]);
      close(go[1]);
      name[4] = 'a' + k;
      for (int i = 0; i < PER; i++) {
        name[5] = 'a' + i;
        if (open(name, O_CREATE | O_RDWR) < 0)
          exit(1);
      }
      close(ready[1]);   // all open: the parent's read sees end of file once all are
      read(go[0], buf, 1);
      exit(0);
    }
  }
  close(ready[1]);
  close(go[0]);
  read(ready[0], buf, 1);   // end of file once every child has opened its files
  close(ready[0]);
  close(go[1]);
  int bad = 0;
  for (int k = 0; k < kids; k++)
    bad |= reap() != 0;
  check(!bad, "NINODE distinct files open at once");
  for (int k = 0; k < kids; k++) {
    name[4] = 'a' + k;
    for (int i = 0; i < PER; i++) {
      name[5] = 'a' + i;
      check(unlink(name) == 0, "unlink a file of the NINODE test");
    }
  }
}

// NOFILE: a process's table; descriptors 0-2 are taken, so NOFILE - 3 opens succeed,
// lowest numbers first, and the next fails.
static void
nofile(void)
{
  int fds[NOFILE];
  int n = 0;
  for (int i = 3; i < NOFILE; i++) {
    fds[n] = open("/README", O_RDONLY);
    check(fds[n] == i, "open returns the lowest free descriptor below NOFILE");
    n++;
  }
  check(open("/README", O_RDONLY) == -1, "open NOFILE + 1 files fails");
  check(dup(0) == -1, "dup with a full table fails");
  while (n > 0)
    close(fds[--n]);
}

// NPROC: the process table. Fewer than NPROC forks succeed (init and the shell hold
// slots), most of them do, and every child comes back.
static void
nproc(void)
{
  int hold[2];
  int n = 0, pid;

  check(pipe(hold) == 0, "pipe");
  while (n < NPROC && (pid = fork()) >= 0) {
    if (pid == 0) {
      close(hold[1]);
      read(hold[0], buf, 1);
      exit(0);
    }
    n++;
  }
  close(hold[0]);
  close(hold[1]);
  for (int i = 0; i < n; i++)
    check(reap() == 0, "a child of the NPROC test exits 0");
  check(n < NPROC, "fork fails before NPROC processes");
  check(n >= NPROC - 8, "fork succeeds for most of NPROC");
  check(wait(0) == -1, "wait with no children returns -1");
}

// Runs echo with argv, its output into buf; echo's exit status, or -2 if exec failed.
static int
run_echo(char **argv)
{
  int p[2];
  check(pipe(p) == 0, "pipe for echo");
  int pid = fork();
  check(pid >= 0, "fork for echo");
  if (pid == 0) {
    close(p[0]);
    close(1);
    dup(p[1]);
    close(p[1]);
    exec("/echo", argv);
    exit(99);
  }
  close(p[1]);
  slurp(p[0]);
  close(p[0]);
  int status = reap();
  return status == 99 ? -2 : status;
}

// MAXARG: xv6 programs pass up to MAXARG - 1 arguments and a terminating 0 (argv has
// MAXARG slots); far more is refused.
static void
maxarg(void)
{
  static char *argv[MAXARG + 2];
  argv[0] = "echo";
  for (int i = 1; i < MAXARG - 1; i++)
    argv[i] = "a";
  argv[MAXARG - 1] = 0;
  check(run_echo(argv) == 0, "exec with MAXARG - 1 arguments");
  check(strlen(buf) == 2 * (MAXARG - 2), "echo printed all MAXARG - 2 words");
  for (int i = 1; i < MAXARG + 1; i++)
    argv[i] = "a";
  argv[MAXARG + 1] = 0;
  check(run_echo(argv) == -2, "exec with MAXARG + 1 arguments fails");
}

// MAXPATH: a path of MAXPATH - 1 characters (room for the NUL) works, MAXPATH does not.
// Repeated slashes count as one, so "////...README" names /README at any length.
static void
maxpath(void)
{
  char path[MAXPATH + 1];
  int slashes = MAXPATH - 1 - strlen("README");
  memset(path, '/', slashes);
  strcpy(path + slashes, "README");
  check(strlen(path) == MAXPATH - 1, "the test's own path length");
  int fd = open(path, O_RDONLY);
  check(fd >= 0, "open a path of MAXPATH - 1 characters");
  close(fd);
  memmove(path + 1, path, MAXPATH);
  check(strlen(path) == MAXPATH && open(path, O_RDONLY) == -1,
        "open a path of MAXPATH characters fails");
}

// ---- Exit statuses ---------------------------------------------------------------------

static void
exit_statuses(void)
{
  int want[] = { 0, 1, 2, 42, 255, -1 };
  for (int i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    int pid = fork();
    if (pid == 0)
      exit(want[i]);
    int status = -12345;
    check(wait(&status) == pid && status == want[i], "wait reports the exit status");
  }
  int pid = fork();
  if (pid == 0)
    for (;;)
      sleep(1);
  check(kill(pid) == 0, "kill a child");
  check(reap() == -1, "a killed process exits with -1");
  check(wait(0) == -1, "no children left");
}

// Free pages once every child of ours is gone (init reaps orphans a moment later).
static int
pages_back(int before)
{
  int now = freemem();
  for (int t = 0; t < 30 && now < before; t++) {
    sleep(1);
    now = freemem();
  }
  return now;
}

int
main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], POLICY_PROBE) == 0)
    exit(POLICY_STATUS(mempolicy(MEMPOLICY_QUERY)));
  int before = freemem();
  format_slips();
  today_printf();
  today_names();
  today_sbrk();
  today_policies();
  today_pause();
  readme();
  // Files and directories go in a directory of our own: a directory never shrinks, so
  // making them in / would leave / a block bigger.
  check(mkdir("/xv6conform.d") == 0 && chdir("/xv6conform.d") == 0,
        "mkdir and chdir /xv6conform.d");
  nested_dirs();
  ninode_open();
  check(chdir("/") == 0 && unlink("/xv6conform.d") == 0, "remove /xv6conform.d");
  nofile();
  nproc();
  maxarg();
  maxpath();
  exit_statuses();
  int after = pages_back(before);
  if (after < before) {
    printf("xv6conform: FAILED: %d free pages before, %d after\n", before, after);
    exit(1);
  }
  printf("xv6conform: OK\n");
  exit(0);
}
