// stressfs: several processes write files at the same time, then read them back and
// check every byte. Exercises the file system's locking, log and buffer cache under
// concurrency; a lost or misplaced block shows up as a wrong byte.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"

#define NWORKERS 4
#define NBLOCKS  20    // blocks of BLOCK bytes each worker writes
#define BLOCK    512

static char buf[BLOCK];

static void
fail(const char *what, const char *name)
{
  fprintf(2, "stressfs: %s %s\n", what, name);
  exit(1);
}

// Each block gets its own fill byte, derived from worker and block number, so that a
// block written to the wrong place or by the wrong worker is detected.
static char
fill_byte(int worker, int block)
{
  return 'a' + (worker * NBLOCKS + block) % 26;
}

static void
write_file(int worker, const char *name)
{
  int fd, b;

  fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    fail("cannot create", name);
  for (b = 0; b < NBLOCKS; b++) {
    memset(buf, fill_byte(worker, b), BLOCK);
    if (write(fd, buf, BLOCK) != BLOCK)
      fail("write error on", name);
  }
  close(fd);
}

static void
check_file(int worker, const char *name)
{
  int fd, b, i;

  fd = open(name, O_RDONLY);
  if (fd < 0)
    fail("cannot open", name);
  for (b = 0; b < NBLOCKS; b++) {
    if (read(fd, buf, BLOCK) != BLOCK)
      fail("short read on", name);
    for (i = 0; i < BLOCK; i++)
      if (buf[i] != fill_byte(worker, b))
        fail("wrong data in", name);
  }
  if (read(fd, buf, 1) != 0)
    fail("too much data in", name);
  close(fd);
}

// The file of worker w of the stressfs with process id pid: "sfs.PID.W". The pid keeps
// two stressfs runs at the same time off each other's files (a file truncated by
// another process under a writer makes the writer's next write fail).
static void
file_name(char *name, int pid, int w)
{
  char *s = name;

  s = append_num(append_str(s, "sfs."), pid, 10);
  s = append_str(s, ".");
  append_num(s, w, 10);
}

static void __attribute__((noreturn))
worker(int parent, int w)
{
  char name[32];   // fits any int pid; a pid below 10^8 keeps it within DIRSIZ

  file_name(name, parent, w);
  write_file(w, name);
  check_file(w, name);
  if (unlink(name) < 0)
    fail("cannot remove", name);
  exit(0);
}

int
main(void)
{
  int w, status, failed = 0, me = getpid();

  printf("stressfs starting\n");
  for (w = 0; w < NWORKERS; w++) {
    int pid = fork();
    if (pid < 0) {
      fprintf(2, "stressfs: fork failed\n");
      exit(1);
    }
    if (pid == 0)
      worker(me, w);
  }
  for (w = 0; w < NWORKERS; w++) {
    if (wait(&status) < 0 || status != 0)
      failed = 1;   // the worker has said what went wrong
  }
  if (failed) {
    fprintf(2, "stressfs: FAILED\n");
    exit(1);
  }
  printf("stressfs ok\n");
  exit(0);
}
