// usertests: the faultline kernel's test suite.
//
//   usertests            run every test
//   usertests -q         skip the slow ones
//   usertests NAME...    run only the named tests (slow or not)
//   usertests -l         list the tests
//
// How it works. Each test is a function in the table at the end of this file. The
// runner forks a fresh process for every test, so a test may change its memory, its
// sbrk policy, its current directory or its open files without disturbing the next
// one, and a test that crashes takes only itself down. A test passes when its process
// exits with status 0. To say why it failed, a test calls fail("...", ...): the message
// goes down a pipe to the runner, which prints it, and the test process exits with 1.
// Child processes that a test forks inherit the pipe, so they can call fail() too.
//
// Many tests expect the kernel to kill a process (a bad memory access, kill()). Those
// run the access in a child of the test and check that wait() reports status -1, which
// is what a killed process exits with.
//
// Before the first test and after the last one the runner asks the kernel how many
// physical pages are free. Every test process has exited by then, so a page that is
// still missing has leaked, and the run fails.
//
// Output: one line per test, "test NAME: OK" or "test NAME: FAILED (why)", then
// "ALL TESTS PASSED" or "SOME TESTS FAILED: NAME NAME ...". The exit status is 0 only
// when everything passed.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

// Exit codes of children that try an exec that must fail (see exec_fails()).
#define EXEC_REFUSED  77   // exec returned -1, as it should
#define EXEC_WRONG    78   // exec returned something other than -1

// Scratch space. Every test runs in its own process, so they cannot tread on each
// other's copy.
static char buf[16 * KiB];

// The break when usertests started, before anything grew the heap. exec puts the
// user stack just below it (see the layout in kernel/memlayout.h).
static uint64 start_brk;

// ---- Reporting ---------------------------------------------------------------------

// Write end of the pipe to the runner, in a test process and its children.
static int report_fd = -1;

// Say why the test failed and end this process. A printf-style message without a
// newline; the newline is added to the format so the message goes out in one write().
#define fail(fmt, ...)                                 \
  do {                                                 \
    fprintf(report_fd, fmt "\n", ##__VA_ARGS__);       \
    exit(1);                                           \
  } while (0)

// ---- Small helpers -------------------------------------------------------------------

static int
xfork(void)
{
  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  return pid;
}

// Wait for the child pid, which must be the next child to finish, and return its
// exit status.
static int
xwait(int pid)
{
  int status = 12345;
  int got = wait(&status);
  if (got != pid)
    fail("wait returned %d, expected child %d", got, pid);
  return status;
}

static void
xpipe(int fds[2])
{
  if (pipe(fds) < 0)
    fail("pipe failed");
}

// dst = prefix followed by n in decimal.
static char *
mkname(char *dst, const char *prefix, int n)
{
  append_num(append_str(dst, prefix), n, 10);
  return dst;
}

// The byte at position i of data stream number seed: a simple pattern that differs
// between streams and between neighbouring bytes, so that misplaced data shows.
static char
pattern(int seed, int i)
{
  return 'a' + (seed * 7 + i + i / 26) % 26;
}

// Read from fd until end of file or max bytes. Returns the count, or -1 on an error.
static int
read_fully(int fd, char *dst, int max)
{
  int total = 0;
  while (total < max) {
    int n = read(fd, dst + total, max - total);
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    total += n;
  }
  return total;
}

// Create (or truncate) path and fill it with n bytes of pattern(seed, ...).
static void
make_file(const char *path, int seed, int n)
{
  int fd = open(path, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    fail("cannot create %s", path);
  for (int i = 0; i < n; i++)
    buf[i] = pattern(seed, i);
  int w = write(fd, buf, n);
  if (w != n)
    fail("write of %d bytes to %s returned %d", n, path, w);
  close(fd);
}

// Unlink every entry of directory dir except "." and "..". Failures are ignored:
// this cleans up after a test, whatever state it got to.
static void
empty_dir(const char *dir)
{
  struct dirent de;
  char path[MAXPATH];
  int len = strlen(dir);
  int fd = open(dir, O_RDONLY);

  if (fd < 0)
    return;
  memmove(path, dir, len);
  path[len++] = '/';
  while (read(fd, &de, sizeof de) == sizeof de) {
    if (de.inum == 0 || strcmp(de.name, ".") == 0 || strcmp(de.name, "..") == 0)
      continue;
    memmove(path + len, de.name, DIRSIZ);
    path[len + DIRSIZ] = 0;
    unlink(path);
  }
  close(fd);
}

// Count the used entries of directory dir other than "." and "..", or -1.
static int
count_entries(const char *dir)
{
  struct dirent de;
  int n = 0, fd = open(dir, O_RDONLY);

  if (fd < 0)
    return -1;
  while (read(fd, &de, sizeof de) == sizeof de) {
    if (de.inum != 0 && strcmp(de.name, ".") != 0 && strcmp(de.name, "..") != 0)
      n++;
  }
  close(fd);
  return n;
}

// Burn CPU in user mode for n loop iterations, without a single system call: only a
// timer interrupt can take the CPU away.
static void
spin(long n)
{
  for (volatile long i = 0; i < n; i++)
    ;
}

// How many spin() iterations take one timer tick on this machine, roughly. Children
// that spin use it to give up after a bounded time even if the kernel never stops them.
static long
spins_per_tick(void)
{
  int t = uptime();
  while (uptime() == t)   // start on a tick boundary
    ;
  t = uptime();
  long n = 0;
  while (uptime() < t + 2) {
    spin(1000);
    n += 1000;
  }
  return n / 2;
}

// ---- Expecting the kernel to kill ----------------------------------------------------

// Jump to va, to see whether the kernel lets it run.
static void __attribute__((noinline))
call_at(uint64 va)
{
  void (*f)(void) = (void (*)(void))va;
  f();
}

// Run fn(arg) in a child; the kernel must kill the child.
static void
expect_killed(void (*fn)(uint64), uint64 arg, const char *what)
{
  int status;
  if (run_in_child(fn, arg, &status) < 0)
    fail("fork failed, or wait did not return the child");
  if (status != KILLED)
    fail("%s at %p: child exited with %d, expected it to be killed (-1)",
         what, (void *)arg, status);
}

// ---- Processes -------------------------------------------------------------------

// fork returns the child's pid to the parent and 0 to the child; wait returns each
// child once, with the status it passed to exit.
static void
test_forkwait(void)
{
  static const int codes[] = {0, 1, 7, 42, 255};
  enum { N = NELEM(codes) };
  int pids[N], seen[N];
  int me = getpid();

  for (int i = 0; i < N; i++) {
    int pid = xfork();
    if (pid == 0) {
      if (getpid() == me)
        exit(100);   // "child" is the parent: fork returned 0 in the wrong process
      exit(codes[i]);
    }
    if (pid == me)
      fail("fork returned the parent's own pid");
    pids[i] = pid;
    seen[i] = 0;
  }
  for (int n = 0; n < N; n++) {
    int status = -12345;
    int pid = wait(&status);
    int i = 0;
    while (i < N && pids[i] != pid)
      i++;
    if (i == N)
      fail("wait returned %d, not one of the children", pid);
    if (seen[i])
      fail("wait returned child %d twice", pid);
    seen[i] = 1;
    if (status != codes[i])
      fail("child exited with %d but wait reported %d", codes[i], status);
  }

  // A null status pointer is allowed.
  int pid = xfork();
  if (pid == 0)
    exit(3);
  if (wait(0) != pid)
    fail("wait(0) did not return the child");
}

static void
test_waitnone(void)
{
  int status;
  if (wait(&status) != -1)
    fail("wait with no children did not return -1");
  if (wait(0) != -1)
    fail("wait(0) with no children did not return -1");

  // Once the only child has been waited for, there is nothing left.
  int pid = xfork();
  if (pid == 0)
    exit(0);
  xwait(pid);
  if (wait(&status) != -1)
    fail("second wait after the only child returned something");
}

// A process whose parent exits is handed to init, which waits for it, so the orphan
// keeps running and its slot and memory come back when it exits.
static void
test_orphans(void)
{
  int go[2], done[2];
  char c = 0;

  // An orphan outlives its parent and still runs.
  xpipe(go);
  xpipe(done);
  int pid = xfork();
  if (pid == 0) {
    int g = fork();
    if (g < 0)
      exit(1);
    if (g == 0) {
      // Grandchild: wait until the test has reaped our parent, then answer.
      close(go[1]);
      if (read(go[0], &c, 1) != 1)
        exit(1);
      write(done[1], "o", 1);
      exit(0);
    }
    exit(0);
  }
  close(go[0]);
  close(done[1]);   // so that read(done) ends if the grandchild dies
  if (xwait(pid) != 0)
    fail("middle process could not fork");
  write(go[1], "g", 1);
  if (read(done[0], &c, 1) != 1 || c != 'o')
    fail("orphan did not run after its parent exited");
  if (wait(0) != -1)
    fail("wait returned the grandchild: orphans must go to init, not the grandparent");
  close(go[1]);
  close(done[0]);

  // Many orphans in a row: if init did not reap them, their zombies would fill the
  // process table and fork would start failing, and their memory would be lost.
  int free_before = freemem();
  for (int round = 0; round < 2 * NPROC; round++) {
    pid = xfork();
    if (pid == 0) {
      for (int tries = 0; tries < 20; tries++) {
        if (fork() >= 0)
          exit(0);  // the grandchild exits at once too, as an orphan or not
        sleep(1);   // table full for a moment: give init time to reap
      }
      exit(1);
    }
    if (xwait(pid) != 0)
      fail("round %d: fork kept failing: are orphans reaped?", round);
  }
  // Orphans that are still exiting hold pages for a moment.
  for (int t = 0; t < 50 && freemem() < free_before; t++)
    sleep(1);
  if (freemem() < free_before)
    fail("%d pages missing after the orphans exited", free_before - freemem());
}

// Fork until the process table is full; fork must then fail with -1, and everything
// must work again once the children are gone.
static void
test_forkfull(void)
{
  int p[2], n;
  xpipe(p);
  for (n = 0; n < NPROC; n++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      // Block until the parent closes the write end, then leave.
      char c;
      close(p[1]);
      read(p[0], &c, 1);
      exit(0);
    }
  }
  close(p[1]);   // children see end of file and exit
  close(p[0]);
  if (n == NPROC)
    fail("%d forks succeeded: fork never failed (NPROC is %d)", n, NPROC);
  if (n < NPROC / 2)
    fail("fork failed after only %d children", n);
  for (int i = 0; i < n; i++) {
    int status = -12345;
    if (wait(&status) < 0)
      fail("wait returned -1 with %d children left", n - i);
    if (status != 0)
      fail("a blocked child exited with %d", status);
  }
  if (wait(0) != -1)
    fail("more children than forks succeeded");
  int pid = xfork();
  if (pid == 0)
    exit(0);
  xwait(pid);
}

// kill() ends a child whatever it is doing, and wait reports -1.
static void
test_kill(void)
{
  int p[2];

  // Spinning in user mode, never making a system call: only the timer interrupt gets
  // the kernel a look at it. Unkilled, it would give up after about 30 seconds.
  long per_tick = spins_per_tick();
  int pid = xfork();
  if (pid == 0) {
    close(report_fd);
    spin(300 * per_tick);
    exit(0);
  }
  sleep(2);
  if (kill(pid) != 0)
    fail("kill of a spinning child returned -1");
  if (xwait(pid) != KILLED)
    fail("killed spinning child did not exit with -1");
  if (kill(pid) != -1)
    fail("kill of a pid that is gone did not return -1");

  // Blocked reading a pipe. Only a watchdog writes to it, after 10 seconds, so that a
  // kill that fails to wake the reader makes this test slow and failed, not stuck.
  xpipe(p);
  pid = xfork();
  if (pid == 0) {
    char c;
    close(p[1]);
    read(p[0], &c, 1);
    exit(0);
  }
  int watchdog = xfork();
  if (watchdog == 0) {
    close(p[0]);
    sleep(100);
    write(p[1], "w", 1);
    exit(0);
  }
  close(p[0]);
  close(p[1]);
  sleep(2);
  int t0 = uptime(), status = 0, got;
  kill(pid);
  while ((got = wait(&status)) != pid) {
    if (got < 0)
      fail("lost the reader");
    watchdog = 0;   // the watchdog finished first
  }
  int took = uptime() - t0;
  if (watchdog > 0) {
    kill(watchdog);
    xwait(watchdog);
  }
  if (status != KILLED)
    fail("child blocked in read exited with %d after kill, expected -1", status);
  if (took > 20)
    fail("kill took %d ticks to end a child blocked in read", took);

  // Asleep for a long time: kill must wake it up, not wait for the sleep to end.
  pid = xfork();
  if (pid == 0) {
    sleep(300);
    exit(0);
  }
  sleep(2);
  t0 = uptime();
  kill(pid);
  if (xwait(pid) != KILLED)
    fail("sleeping child did not exit with -1 after kill");
  if ((took = uptime() - t0) > 20)
    fail("kill took %d ticks to end a sleeping child", took);
}

// The timer must take the CPU away from a program that never gives it up. Start more
// CPU-bound children than any machine has harts (NCPU); each says hello once it runs,
// then spins without system calls. Without preemption the first few would hold every
// hart until they gave up on their own, and only then could the rest (and this test)
// run again.
static void
test_preempt(void)
{
  enum { N = NCPU + 2, LIFETIME = 150, PATIENCE = 60 };   // ticks
  int pids[N], p[2];
  char c;

  long per_tick = spins_per_tick();
  xpipe(p);
  int t0 = uptime();
  for (int i = 0; i < N; i++) {
    pids[i] = fork();
    if (pids[i] < 0) {
      for (int j = 0; j < i; j++)
        kill(pids[j]);
      fail("fork failed");
    }
    if (pids[i] == 0) {
      close(report_fd);
      close(p[0]);
      write(p[1], "x", 1);
      close(p[1]);
      spin(LIFETIME * per_tick);   // the test kills it long before this ends
      exit(0);
    }
  }
  close(p[1]);
  int started = 0;
  while (started < N && read(p[0], &c, 1) == 1)
    started++;
  close(p[0]);
  int took = uptime() - t0;
  // And this process still gets the CPU back from a timed sleep.
  sleep(2);
  for (int i = 0; i < N; i++)
    kill(pids[i]);
  int killed = 0;
  for (int i = 0; i < N; i++) {
    int status = 0;
    if (wait(&status) < 0)
      fail("lost a child");
    if (status == KILLED)
      killed++;
  }
  // Without preemption the late children start only when the first ones give up after
  // LIFETIME ticks, and those then exit with 0 instead of being killed.
  if (started != N)
    fail("only %d of %d CPU-bound children ever ran", started, N);
  if (took > PATIENCE)
    fail("it took %d ticks until all %d CPU-bound children had run", took, N);
  if (killed != N)
    fail("%d of %d spinning children were still there to be killed", killed, N);
}

// An exit status travels up a chain of processes, each adding one to its child's.
static void __attribute__((noreturn))
status_chain(int depth)
{
  if (depth == 0)
    exit(40);
  int pid = fork();
  if (pid < 0)
    exit(-100);
  if (pid == 0)
    status_chain(depth - 1);
  int status;
  if (wait(&status) != pid)
    exit(-200);
  exit(status + 1);
}

static void
test_exitstatus(void)
{
  int pid = xfork();
  if (pid == 0)
    status_chain(5);
  int status = xwait(pid);
  if (status != 45)
    fail("status through 5 generations is %d, expected 45", status);

  // exit(-1) by choice looks like being killed; the value itself must arrive intact.
  pid = xfork();
  if (pid == 0)
    exit(-1);
  if ((status = xwait(pid)) != -1)
    fail("exit(-1) was reported as %d", status);
}

static void
test_getpid(void)
{
  int me = getpid(), p[2];
  int pids[4];

  if (me <= 0)
    fail("getpid returned %d", me);
  if (getpid() != me)
    fail("getpid changed between calls");
  xpipe(p);
  for (int i = 0; i < 4; i++) {
    int pid = xfork();
    if (pid == 0) {
      int mine = getpid();
      write(p[1], &mine, sizeof mine);
      exit(0);
    }
    int reported = 0;
    if (read(p[0], &reported, sizeof reported) != sizeof reported)
      fail("no pid from the child");
    if (reported != pid)
      fail("fork returned %d but the child's getpid is %d", pid, reported);
    if (reported == me)
      fail("child has the parent's pid");
    for (int j = 0; j < i; j++)
      if (pids[j] == pid)
        fail("pid %d given out twice", pid);
    pids[i] = pid;
    xwait(pid);
  }
  close(p[0]);
  close(p[1]);
}

static void
test_uptime(void)
{
  int t0 = uptime();
  if (t0 < 0)
    fail("uptime returned %d", t0);
  // The tick is 100 ms; even a slow emulator makes many calls in that time.
  int prev = t0, calls;
  for (calls = 0; calls < 3000000; calls++) {
    int t = uptime();
    if (t < prev)
      fail("uptime went backwards from %d to %d", prev, t);
    prev = t;
    if (t > t0)
      break;
  }
  if (prev == t0)
    fail("uptime stayed at %d for %d calls", t0, calls);
}

static void
test_sleep(void)
{
  int t0 = uptime();
  if (sleep(0) != 0)
    fail("sleep(0) returned non-zero");
  if (sleep(5) != 0)
    fail("sleep(5) returned non-zero");
  int slept = uptime() - t0;
  if (slept < 5)
    fail("sleep(5) came back after %d ticks", slept);
  if (slept > 100)
    fail("sleep(5) took %d ticks", slept);
}

// ---- Memory ----------------------------------------------------------------------

// Grow, use and shrink the heap with sbrk; sbrk(0) reports the break.
static void
test_sbrkbasic(void)
{
  char *a = sbrk(0);
  if (sbrk(0) != a)
    fail("sbrk(0) moved the break");

  char *p = sbrk(PGSIZE);
  if (p != a)
    fail("sbrk returned %p, expected the old break %p", p, a);
  if (sbrk(0) != a + PGSIZE)
    fail("break is %p after growing by a page from %p", sbrk(0), a);
  for (int i = 0; i < PGSIZE; i++)
    p[i] = pattern(1, i);

  char *q = sbrk(10 * PGSIZE);
  if (q != a + PGSIZE)
    fail("second sbrk returned %p, expected %p", q, a + PGSIZE);
  for (int i = 0; i < 10; i++) {
    if (q[i * PGSIZE] != 0 || q[i * PGSIZE + PGSIZE - 1] != 0)
      fail("new heap page %d is not zero", i);
    q[i * PGSIZE] = i + 1;
    q[i * PGSIZE + PGSIZE - 1] = i + 1;
  }
  for (int i = 0; i < 10; i++)
    if (q[i * PGSIZE] != i + 1 || q[i * PGSIZE + PGSIZE - 1] != i + 1)
      fail("heap page %d lost its data", i);

  // A child starts with the same break and the same contents.
  int pid = xfork();
  if (pid == 0) {
    if (sbrk(0) != a + 11 * PGSIZE)
      fail("child's break is %p, expected %p", sbrk(0), a + 11 * PGSIZE);
    for (int i = 0; i < PGSIZE; i++)
      if (p[i] != pattern(1, i))
        fail("child sees wrong heap data at offset %d", i);
    exit(0);
  }
  if (xwait(pid) != 0)
    fail("child failed");

  // Shrinking returns the old break too.
  char *r = sbrk(-10 * PGSIZE);
  if (r != a + 11 * PGSIZE)
    fail("shrinking sbrk returned %p, expected %p", r, a + 11 * PGSIZE);
  if (sbrk(0) != a + PGSIZE)
    fail("break is %p after shrinking, expected %p", sbrk(0), a + PGSIZE);
  for (int i = 0; i < PGSIZE; i++)
    if (p[i] != pattern(1, i))
      fail("shrinking damaged the page below the new break (offset %d)", i);
  sbrk(-PGSIZE);
  if (sbrk(0) != a)
    fail("break did not return to where it started");
}

// Sizes that are not multiples of a page, growing and shrinking.
static void
test_sbrkunaligned(void)
{
  static const int grow[] = {1, 3, 100, 4095, 4097, 5000, 1, 12345};
  static const int shrink[] = {1, 7, 1000, 4096, 4099, 3};
  char *start = sbrk(0);
  char *end = start;

  for (int k = 0; k < NELEM(grow); k++) {
    char *p = sbrk(grow[k]);
    if (p != end)
      fail("sbrk(%d) returned %p, expected %p", grow[k], p, end);
    end += grow[k];
    if (sbrk(0) != end)
      fail("break is %p after sbrk(%d), expected %p", sbrk(0), grow[k], end);
    for (char *c = p; c < end; c++)
      *c = pattern(2, c - start);
  }
  for (char *c = start; c < end; c++)
    if (*c != pattern(2, c - start))
      fail("heap byte at offset %d is wrong", (int)(c - start));

  for (int k = 0; k < NELEM(shrink); k++) {
    char *p = sbrk(-shrink[k]);
    if (p != end)
      fail("sbrk(-%d) returned %p, expected %p", shrink[k], p, end);
    end -= shrink[k];
    if (sbrk(0) != end)
      fail("break is %p after sbrk(-%d), expected %p", sbrk(0), shrink[k], end);
    for (char *c = start; c < end; c++)
      if (*c != pattern(2, c - start))
        fail("after sbrk(-%d), byte at offset %d below the break is wrong",
             shrink[k], (int)(c - start));
  }

  // Back to the start (page aligned: the test began with an empty heap), then grow
  // again: the pages must be fresh and zero, not the old data.
  sbrk(-(end - start));
  if (sbrk(0) != start)
    fail("break did not return to the start");
  char *p = sbrk(3 * PGSIZE + 17);
  for (int i = 0; i < 3 * PGSIZE + 17; i++)
    if (p[i] != 0)
      fail("regrown heap byte %d is %d, expected 0 (old page reused?)", i, p[i]);
}

// A large heap, 80 MiB, every page touched. The kernel allocates heap pages on first
// touch; they must all come back when the heap shrinks.
static void
test_sbrkbig(void)
{
  const int size = 80 * MiB;
  const int npages = size / PGSIZE;

  mempolicy(MEMPOLICY_LAZY);
  int free0 = freemem();
  if (free0 < npages + 1024)
    fail("only %d pages free, need %d", free0, npages + 1024);

  char *a = sbrk(size);
  if (a == (char *)-1)
    fail("sbrk(80 MiB) failed");
  for (int i = 0; i < npages; i++)
    a[i * PGSIZE + (i % 64) * 8] = i;
  a[size - 1] = 99;
  for (int i = 0; i < npages; i++)
    if (a[i * PGSIZE + (i % 64) * 8] != (char)i)
      fail("page %d of the big heap lost its data", i);
  if (a[size - 1] != 99)
    fail("last byte of the big heap lost its data");
  int free1 = freemem();
  if (free0 - free1 < npages)
    fail("touching %d pages took only %d from the free list", npages, free0 - free1);

  if (sbrk(-size) != a + size)
    fail("shrinking the big heap failed");
  int free2 = freemem();
  // Page-table pages may stay until exit; 80 MiB needs about 40 of them.
  if (free0 - free2 > 64)
    fail("shrinking freed too little: %d pages still in use", free0 - free2);
}

// sbrklazy of an absurd size, again and again, until the address space runs out (under
// the eager policy, memory runs out first): each call either moves the break or returns
// -1 and leaves everything as it was.
static void
test_sbrkfail(void)
{
  const int huge = 0x7fffffff;
  uint64 start = (uint64)sbrk(0), brk = start;
  int calls;

  for (calls = 0; calls < 1000; calls++) {
    char *p = sbrklazy(huge);
    if (p == (char *)-1)
      break;
    if ((uint64)p != brk)
      fail("sbrk returned %p, expected the old break %p", p, (void *)brk);
    brk += huge;
  }
  if (calls == 1000)
    fail("sbrk(0x7fffffff) succeeded %d times; the break is %p", calls, (void *)brk);
  if ((uint64)sbrk(0) != brk)
    fail("a failed sbrk moved the break from %p to %p", (void *)brk, sbrk(0));
  if (brk > TRAPFRAME)
    fail("the break %p reached the trap frame", (void *)brk);

  // What was granted works (lazily: only the touched pages need memory).
  if (brk > start) {
    char *top = (char *)brk - 1;
    *top = 5;
    if (*top != 5)
      fail("last byte below the break does not hold data");
  }
  // Give it all back.
  while (brk > start) {
    int step = brk - start > huge ? huge : brk - start;
    if ((uint64)sbrk(-step) != brk)
      fail("shrinking by %d failed", step);
    brk -= step;
  }
  if ((uint64)sbrk(0) != start)
    fail("break is %p after shrinking back, expected %p", sbrk(0), (void *)start);
  // And the heap still works.
  char *p = sbrk(PGSIZE);
  p[0] = 1;
  if (p[0] != 1)
    fail("heap unusable after the failed growth");
}

// The break never goes below the start of the heap: shrinking into the stack must fail
// and leave the process intact (a shrink below address 0 is a no-op, as on xv6).
static void
test_sbrkneg(void)
{
  char *start = sbrk(0);

  if (sbrk(-2 * PGSIZE) != SBRK_ERROR)
    fail("sbrk(-2 pages) with an empty heap did not return -1");
  if (sbrk(0) != start)
    fail("a refused shrink moved the break");
  // Below address 0 is another matter: as on xv6, nothing changes and sbrk succeeds.
  if (sbrk(-0x7fffffff) != start)
    fail("sbrk(-0x7fffffff), a shrink below address 0, did not return the old break");
  if (sbrk(0) != start)
    fail("a shrink below address 0 moved the break");

  char *p = sbrk(3 * PGSIZE);
  memset(p, 7, 3 * PGSIZE);
  if (sbrk(-4 * PGSIZE) != (char *)-1)
    fail("shrinking below the heap start by one page did not return -1");
  if (sbrk(0) != start + 3 * PGSIZE)
    fail("a refused shrink moved the break");
  for (int i = 0; i < 3 * PGSIZE; i++)
    if (p[i] != 7)
      fail("a refused shrink changed heap byte %d", i);
}

// The sbrk policy: lazy sbrk only moves the break and pages arrive on first touch;
// eager sbrk allocates at once. Both free on shrink, and fork inherits the policy.
static void
test_mempolicy(void)
{
  const int n = 64;   // pages
  const int slack = 4; // page-table pages that may come and go

  int old = mempolicy(MEMPOLICY_LAZY);
  if (old < 0 || old >= MEMPOLICY_COUNT)
    fail("mempolicy returned %d, not a policy", old);
  if (mempolicy(MEMPOLICY_QUERY) != MEMPOLICY_LAZY)
    fail("policy is not lazy after setting it");
  if (mempolicy(7) != -1 || mempolicy(-2) != -1)
    fail("a bad policy was accepted");
  if (mempolicy(MEMPOLICY_QUERY) != MEMPOLICY_LAZY)
    fail("a bad policy changed the policy");

  int f0 = freemem();
  char *a = sbrk(n * PGSIZE);
  int f1 = freemem();
  if (f0 - f1 > slack)
    fail("lazy sbrk of %d pages used %d pages before any touch", n, f0 - f1);
  for (int i = 0; i < n; i++)
    a[i * PGSIZE] = 1;
  int f2 = freemem();
  if (f0 - f2 < n)
    fail("touching %d lazy pages used only %d", n, f0 - f2);
  sbrk(-n * PGSIZE);
  int f3 = freemem();
  if (f0 - f3 > slack)
    fail("shrinking the lazy heap left %d pages in use", f0 - f3);

  if (mempolicy(MEMPOLICY_EAGER) != MEMPOLICY_LAZY)
    fail("setting eager did not return the old policy (lazy)");
  f0 = freemem();
  a = sbrk(n * PGSIZE);
  f1 = freemem();
  if (f0 - f1 < n)
    fail("eager sbrk of %d pages used only %d", n, f0 - f1);
  for (int i = 0; i < n * PGSIZE; i += 512)
    if (a[i] != 0)
      fail("eager heap byte %d is not zero", i);

  int pid = xfork();
  if (pid == 0) {
    if (mempolicy(MEMPOLICY_QUERY) != MEMPOLICY_EAGER)
      fail("child did not inherit the eager policy");
    exit(0);
  }
  if (xwait(pid) != 0)
    fail("child failed");

  sbrk(-n * PGSIZE);
  f3 = freemem();
  if (f0 - f3 > slack)
    fail("shrinking the eager heap left %d pages in use", f0 - f3);
}

// fork copies the pages a lazy heap has, and the child gets fresh zero pages for the
// ones it lacked; the two copies are independent.
static void
test_forklazy(void)
{
  mempolicy(MEMPOLICY_LAZY);
  char *a = sbrk(8 * PGSIZE);
  for (int i = 0; i < PGSIZE; i++) {
    a[1 * PGSIZE + i] = pattern(3, i);
    a[5 * PGSIZE + i] = pattern(4, i);
  }

  int pid = xfork();
  if (pid == 0) {
    for (int i = 0; i < PGSIZE; i++)
      if (a[1 * PGSIZE + i] != pattern(3, i) || a[5 * PGSIZE + i] != pattern(4, i))
        fail("child sees wrong data in a touched page at offset %d", i);
    for (int pg = 0; pg < 8; pg++) {
      if (pg == 1 || pg == 5)
        continue;
      for (int i = 0; i < PGSIZE; i += 256)
        if (a[pg * PGSIZE + i] != 0)
          fail("child's untouched page %d is not zero", pg);
    }
    memset(a + 1 * PGSIZE, 'C', PGSIZE);
    memset(a + 3 * PGSIZE, 'C', PGSIZE);
    exit(0);
  }
  if (xwait(pid) != 0)
    fail("child failed");
  for (int i = 0; i < PGSIZE; i++)
    if (a[1 * PGSIZE + i] != pattern(3, i))
      fail("child's write reached the parent's page");
  if (a[3 * PGSIZE] != 0)
    fail("child's write to an untouched page reached the parent");
}

// System calls refuse user pointers that do not point at the caller's memory, and
// accept ones into heap pages that have not been touched yet.
static void
test_badptr(void)
{
  const char *name = "badptr.f";
  char *brk = sbrk(0);   // page aligned: the test's heap is empty
  uint64 bad[] = {
    KERNBASE,                               // the kernel's text
    KERNBASE + 1 * MiB,                     // kernel memory, further up
    PHYSTOP - 8,
    TRAPFRAME,                              // mapped, but not for the user
    TRAMPOLINE,
    MAXVA,                                  // beyond the address space
    0xffffffffffffffffUL,
    (uint64)brk,                            // just past the break
    (uint64)brk + 16 * PGSIZE,
    start_brk - (USERSTACK + 1) * PGSIZE,   // the stack guard page
  };
  int nbad = NELEM(bad);

  make_file(name, 5, 100);
  int wfd = open(name, O_WRONLY);
  if (wfd < 0)
    fail("cannot open %s", name);
  for (int i = 0; i < nbad; i++) {
    void *p = (void *)bad[i];
    int n;
    if ((n = write(wfd, p, 10)) != -1)
      fail("write from %p returned %d", p, n);
    int rfd = open(name, O_RDONLY);
    if ((n = read(rfd, p, 10)) != -1)
      fail("read into %p returned %d", p, n);
    if (fstat(rfd, (struct stat *)p) != -1)
      fail("fstat into %p did not return -1", p);
    close(rfd);
    if ((n = open((char *)p, O_RDONLY)) != -1)
      fail("open with path %p returned %d", p, n);
    if (pipe((int *)p) != -1)
      fail("pipe into %p did not return -1", p);
  }

  // None of that changed the file.
  int rfd = open(name, O_RDONLY);
  int n = read_fully(rfd, buf, sizeof buf);
  close(rfd);
  if (n != 100)
    fail("file holds %d bytes after the bad writes, expected 100", n);
  for (int i = 0; i < 100; i++)
    if (buf[i] != pattern(5, i))
      fail("file byte %d changed by a failed write", i);

  // A buffer that starts 10 bytes below the break (in the stack) and runs past it.
  // The kernel may copy the 10 good bytes before it finds the bad ones (as xv6 does),
  // but the call fails and nothing beyond them is written.
  n = write(wfd, brk - 10, 100);
  close(wfd);
  if (n != -1)
    fail("write of a buffer crossing the break returned %d", n);
  rfd = open(name, O_RDONLY);
  n = read_fully(rfd, buf, sizeof buf);
  close(rfd);
  if (n != 100)
    fail("file holds %d bytes after a write crossing the break, expected 100", n);
  for (int i = 10; i < 100; i++)
    if (buf[i] != pattern(5, i))
      fail("a write crossing the break changed file byte %d", i);

  // Untouched lazy heap pages work in both directions.
  make_file(name, 5, 100);
  mempolicy(MEMPOLICY_LAZY);
  char *heap = sbrk(3 * PGSIZE);
  rfd = open(name, O_RDONLY);
  if ((n = read(rfd, heap + PGSIZE - 40, 100)) != 100)
    fail("read into untouched heap pages returned %d", n);
  for (int i = 0; i < 100; i++)
    if (heap[PGSIZE - 40 + i] != pattern(5, i))
      fail("read into untouched heap pages: byte %d wrong", i);
  close(rfd);
  wfd = open(name, O_WRONLY | O_TRUNC);
  if ((n = write(wfd, heap + 2 * PGSIZE, 200)) != 200)
    fail("write from an untouched heap page returned %d", n);
  close(wfd);
  rfd = open(name, O_RDONLY);
  n = read_fully(rfd, buf, sizeof buf);
  close(rfd);
  if (n != 200)
    fail("file holds %d bytes, expected 200", n);
  for (int i = 0; i < 200; i++)
    if (buf[i] != 0)
      fail("untouched heap page did not read as zero");
  unlink(name);
}

// Writing to the program's own text kills it; reading it does not.
static void
test_textwrite(void)
{
  uint64 text = (uint64)&test_textwrite;

  int pid = xfork();
  if (pid == 0) {
    probe_load(text);
    exit(0);
  }
  if (xwait(pid) != 0)
    fail("reading the program's own text killed it");
  expect_killed(probe_store, text, "write to text");
  expect_killed(probe_store, 0, "write to address 0 (text)");
}

// User code cannot touch the kernel or the pages at the top of the address space.
static void
test_kernelmem(void)
{
  expect_killed(probe_load, KERNBASE, "read of KERNBASE");
  expect_killed(probe_load, KERNBASE + 4 * MiB, "read of kernel memory");
  expect_killed(probe_load, PHYSTOP - 1, "read of the last byte of 128 MiB of RAM");
  expect_killed(probe_store, KERNBASE, "write to KERNBASE");
  expect_killed(probe_load, TRAPFRAME, "read of the trap frame");
  expect_killed(probe_store, TRAPFRAME, "write to the trap frame");
  expect_killed(probe_load, TRAMPOLINE, "read of the trampoline");
  expect_killed(probe_load, MAXVA, "read at MAXVA");
  expect_killed(probe_load, 0xffffffffffffffffUL, "read of the last address");
  expect_killed(call_at, KERNBASE, "jump into the kernel");
  expect_killed(call_at, TRAMPOLINE, "jump into the trampoline");
}

// The kernel's half of the address space (kernel/memlayout.h) is mapped in every
// process's page table, but never for user mode: a load, a store or a jump to any of
// its regions kills the process, and a system call handed a pointer there fails.
static const struct { uint64 va; const char *what; } kernel_half[] = {
  { DIRECTMAP + KERNBASE,          "kernel text" },
  { DIRECTMAP + KERNBASE + 4 * MiB, "kernel data" },
  { DIRECTMAP + PHYSTOP - 8,       "the direct map at 128 MiB" },
  { DIRECTMAP + UART0,             "the UART's registers" },
  { DIRECTMAP + PLIC,              "the PLIC's registers" },
  { KSTACK(0),                     "the first kernel stack" },
  { KSTACK(NPROC - 1),             "the last kernel stack" },
  { DIRECTMAP,                     "the kernel half's first byte" },
};

// what = prefix followed by name, cut to fit.
static void
join(char *what, int size, const char *prefix, const char *name)
{
  int n = strlen(prefix);
  memmove(what, prefix, n);
  for (; *name && n < size - 1; name++)
    what[n++] = *name;
  what[n] = 0;
}

static void
test_kernelhalf(void)
{
  char what[80];
  int fds[2];
  for (int i = 0; i < NELEM(kernel_half); i++) {
    uint64 va = kernel_half[i].va;
    join(what, sizeof(what), "read of ", kernel_half[i].what);
    expect_killed(probe_load, va, what);
    join(what, sizeof(what), "write to ", kernel_half[i].what);
    expect_killed(probe_store, va, what);
    join(what, sizeof(what), "jump into ", kernel_half[i].what);
    expect_killed(call_at, va, what);
    // The kernel copies neither out of nor into it on the process's behalf.
    if (pipe(fds) < 0)
      fail("pipe failed");
    if (write(fds[1], (char *)va, 1) != -1)
      fail("write() from %s (%p) succeeded", kernel_half[i].what, (void *)va);
    if (write(fds[1], "x", 1) != 1 || read(fds[0], (char *)va, 1) != -1)
      fail("read() into %s (%p) succeeded", kernel_half[i].what, (void *)va);
    close(fds[0]);
    close(fds[1]);
  }
}

// Code runs only from the program's text: not from the heap, not from the stack.
static void
exec_on_stack(uint64 unused)
{
  volatile uint32 code[2] = {0x00008067, 0x00008067};   // ret; ret
  call_at((uint64)code);
}

static void
test_noexec(void)
{
  uint32 *heap = (uint32 *)sbrk(PGSIZE);
  heap[0] = 0x00008067;   // ret: returns at once if it is allowed to run
  expect_killed(call_at, (uint64)heap, "jump into a touched heap page");
  char *lazy = sbrk(PGSIZE);
  expect_killed(call_at, (uint64)lazy, "jump into an untouched heap page");
  expect_killed(exec_on_stack, 0, "jump onto the stack");
}

// Touching memory at or above the break kills, even after the heap shrank.
static void
test_pastbreak(void)
{
  mempolicy(MEMPOLICY_LAZY);
  char *brk = sbrk(0);   // page aligned
  expect_killed(probe_load, (uint64)brk, "read just past the break");
  expect_killed(probe_store, (uint64)brk, "write just past the break");
  expect_killed(probe_load, (uint64)brk + 100 * PGSIZE, "read far past the break");

  // A page given back by sbrk must not stay reachable.
  char *p = sbrk(2 * PGSIZE);
  p[0] = 1;
  p[PGSIZE] = 2;
  sbrk(-PGSIZE);
  if (p[0] != 1)
    fail("the page below the break lost its data");
  expect_killed(probe_load, (uint64)p + PGSIZE, "read of a page the heap gave back");
  expect_killed(probe_store, (uint64)p + PGSIZE + 8, "write to a page the heap gave back");

  // Just below the break is fine, touched or not.
  int pid = xfork();
  if (pid == 0) {
    char *q = sbrk(PGSIZE);
    exit(q[PGSIZE - 1] == 0 ? 0 : 2);
  }
  if (xwait(pid) != 0)
    fail("reading an untouched heap page did not give zero");
}

static int __attribute__((noinline))
dive(int depth)
{
  volatile char frame[256];
  frame[0] = depth;
  if (depth > 1000000)
    return 0;
  return dive(depth + 1) + frame[0];
}

static void
overflow_stack(uint64 unused)
{
  dive(0);
}

// The page below the stack is a guard: touching it, or running into it with a deep
// recursion, kills the process.
static void
test_stackguard(void)
{
  uint64 stack_top = start_brk;
  uint64 stack_bottom = stack_top - USERSTACK * PGSIZE;
  uint64 guard = stack_bottom - PGSIZE;
  uint64 sp = r_sp();

  if (sp < stack_bottom || sp >= stack_top)
    fail("sp %p is not in the stack [%p, %p): layout differs from memlayout.h",
         (void *)sp, (void *)stack_bottom, (void *)stack_top);
  expect_killed(probe_load, guard, "read of the guard page");
  expect_killed(probe_store, guard + PGSIZE - 1, "write to the top of the guard page");
  expect_killed(overflow_stack, 0, "endless recursion");
}

// ---- File system -----------------------------------------------------------------

// Many files with different contents: create, read back, delete.
static void
test_manyfiles(void)
{
  enum { N = 40 };
  char name[16];

  for (int i = 0; i < N; i++)
    make_file(mkname(name, "mf.", i), i, 50 + 97 * i);
  for (int i = 0; i < N; i++) {
    int fd = open(mkname(name, "mf.", i), O_RDONLY);
    if (fd < 0)
      fail("cannot open %s", name);
    struct stat st;
    if (fstat(fd, &st) < 0 || st.type != T_FILE || st.size != 50 + 97 * i)
      fail("fstat of %s: wrong type or size", name);
    int n = read_fully(fd, buf, sizeof buf);
    close(fd);
    if (n != 50 + 97 * i)
      fail("%s holds %d bytes, expected %d", name, n, 50 + 97 * i);
    for (int k = 0; k < n; k++)
      if (buf[k] != pattern(i, k))
        fail("%s: byte %d is wrong", name, k);
  }
  for (int i = 0; i < N; i++) {
    mkname(name, "mf.", i);
    if (unlink(name) != 0)
      fail("unlink %s failed", name);
    if (open(name, O_RDONLY) >= 0)
      fail("%s can still be opened after unlink", name);
    if (unlink(name) != -1)
      fail("second unlink of %s did not fail", name);
  }
}

// The largest file has MAXFILE blocks; one more byte does not fit.
static void
test_maxfile(void)
{
  const char *name = "maxfile.f";
  int fd = open(name, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    fail("cannot create %s", name);
  for (int b = 0; b < MAXFILE; b++) {
    memset(buf, 'a' + b % 26, BSIZE);
    *(int *)buf = b;
    int n = write(fd, buf, BSIZE);
    if (n != BSIZE) {
      unlink(name);
      fail("write of block %d returned %d (disk full?)", b, n);
    }
  }
  int n = write(fd, "x", 1);
  close(fd);
  if (n != -1) {
    unlink(name);
    fail("writing past MAXFILE blocks returned %d, expected -1", n);
  }

  struct stat st;
  fd = open(name, O_RDONLY);
  if (fd < 0 || fstat(fd, &st) < 0 || st.size != MAXFILE * BSIZE) {
    unlink(name);
    fail("file size is not MAXFILE * BSIZE");
  }
  for (int b = 0; b < MAXFILE; b++) {
    if (read(fd, buf, BSIZE) != BSIZE || *(int *)buf != b ||
        buf[BSIZE - 1] != 'a' + b % 26) {
      unlink(name);
      fail("block %d read back wrong", b);
    }
  }
  n = read(fd, buf, 1);
  close(fd);
  unlink(name);
  if (n != 0)
    fail("read at the end of the largest file returned %d", n);
}

// mkdir, chdir, and which directory operations must fail.
static void
test_dirs(void)
{
  struct stat st;
  int fd;

  empty_dir("dirs.d/sub/deep");
  unlink("dirs.d/sub/deep");
  empty_dir("dirs.d/sub");
  unlink("dirs.d/sub");
  empty_dir("dirs.d");
  unlink("dirs.d");
  unlink("dirs.f");

  if (mkdir("dirs.d") != 0)
    fail("mkdir dirs.d failed");
  if (mkdir("dirs.d") != -1)
    fail("mkdir of an existing directory did not fail");
  make_file("dirs.d/file", 6, 10);
  if (stat("dirs.d", &st) < 0 || st.type != T_DIR)
    fail("stat of dirs.d: not a directory");

  // Relative names follow the current directory.
  if (chdir("dirs.d") != 0)
    fail("chdir dirs.d failed");
  if ((fd = open("file", O_RDONLY)) < 0)
    fail("cannot open file relative to the new directory");
  close(fd);
  if (chdir("..") != 0)
    fail("chdir .. failed");
  if (open("file", O_RDONLY) >= 0)
    fail("after chdir .. a file of the subdirectory is still found");

  // Directories open for reading only.
  if ((fd = open("dirs.d", O_RDONLY)) < 0)
    fail("cannot open a directory for reading");
  close(fd);
  if (open("dirs.d", O_RDWR) != -1 || open("dirs.d", O_WRONLY) != -1)
    fail("a directory opened for writing");

  if (unlink("dirs.d") != -1)
    fail("unlink of a non-empty directory did not fail");
  if (chdir("dirs.d/file") != -1)
    fail("chdir into a file did not fail");
  if (chdir("dirs.nothere") != -1)
    fail("chdir into a missing directory did not fail");
  if (open("dirs.nothere/x", O_CREATE | O_RDWR) != -1)
    fail("create in a missing directory did not fail");
  if (mkdir("dirs.d/file/x") != -1)
    fail("mkdir under a file did not fail");
  make_file("dirs.f", 6, 1);
  if (mkdir("dirs.f") != -1)
    fail("mkdir over an existing file did not fail");
  unlink("dirs.f");

  // Nested directories come apart only from the bottom up.
  if (mkdir("dirs.d/sub") != 0 || mkdir("dirs.d/sub/deep") != 0)
    fail("nested mkdir failed");
  make_file("dirs.d/sub/deep/f", 6, 10);
  if (unlink("dirs.d/sub") != -1)
    fail("unlink of a directory holding a directory did not fail");
  if (unlink("dirs.d/sub/deep/f") != 0 || unlink("dirs.d/sub/deep") != 0 ||
      unlink("dirs.d/sub") != 0 || unlink("dirs.d/file") != 0)
    fail("taking the tree apart failed");
  if (unlink("dirs.d") != 0)
    fail("unlink of the emptied directory failed");
  if (chdir("dirs.d") != -1 || open("dirs.d", O_RDONLY) != -1)
    fail("dirs.d still there after unlink");
}

// "." and ".." in every directory, and what they name.
static void
test_dotdot(void)
{
  struct stat here, dir, st;
  struct dirent de;

  empty_dir("dot.d/in");
  unlink("dot.d/in");
  unlink("dot.d");
  if (mkdir("dot.d") != 0 || mkdir("dot.d/in") != 0)
    fail("mkdir failed");
  if (stat(".", &here) < 0 || stat("dot.d", &dir) < 0)
    fail("stat failed");
  if (here.type != T_DIR)
    fail(". is not a directory");
  if (stat("dot.d/.", &st) < 0 || st.ino != dir.ino)
    fail("dot.d/. is not dot.d");
  if (stat("dot.d/..", &st) < 0 || st.ino != here.ino)
    fail("dot.d/.. is not the current directory");
  if (stat("dot.d/in/..", &st) < 0 || st.ino != dir.ino)
    fail("dot.d/in/.. is not dot.d");
  if (stat("dot.d/in/../..", &st) < 0 || st.ino != here.ino)
    fail("dot.d/in/../.. is not the current directory");
  if (stat("/", &st) < 0 || st.ino != ROOTINO)
    fail("/ is not inode %d", ROOTINO);
  if (stat("/..", &st) < 0 || st.ino != ROOTINO)
    fail("/.. is not the root");

  if (chdir("dot.d/in") != 0 || chdir("../..") != 0)
    fail("chdir down and back up failed");
  if (stat(".", &st) < 0 || st.ino != here.ino)
    fail("chdir ../.. did not come back to the start");

  // The first two entries of a new directory are "." and "..".
  int fd = open("dot.d", O_RDONLY);
  if (read(fd, &de, sizeof de) != sizeof de || strcmp(de.name, ".") != 0 ||
      de.inum != dir.ino)
    fail("first entry of dot.d is not . (itself)");
  if (read(fd, &de, sizeof de) != sizeof de || strcmp(de.name, "..") != 0 ||
      de.inum != here.ino)
    fail("second entry of dot.d is not .. (its parent)");
  close(fd);

  if (unlink("dot.d/.") != -1 || unlink("dot.d/..") != -1)
    fail("unlink of . or .. did not fail");
  if (unlink("dot.d/in") != 0 || unlink("dot.d") != 0)
    fail("cleanup failed");
}

// Hard links: two names, one file; the file lives until its last name goes.
static void
test_links(void)
{
  struct stat a, b;
  int fd, n;

  unlink("links.a");
  unlink("links.b");
  make_file("links.a", 7, 300);
  if (link("links.a", "links.b") != 0)
    fail("link failed");
  if (stat("links.a", &a) < 0 || stat("links.b", &b) < 0)
    fail("stat failed");
  if (a.ino != b.ino)
    fail("the two names are different inodes");
  if (a.nlink != 2)
    fail("nlink is %d with two names", a.nlink);
  if (link("links.a", "links.b") != -1)
    fail("link over an existing name did not fail");
  if (link("links.none", "links.c") != -1)
    fail("link of a missing file did not fail");
  if (link(".", "links.c") != -1)
    fail("link of a directory did not fail");

  if (unlink("links.a") != 0)
    fail("unlink links.a failed");
  if (open("links.a", O_RDONLY) != -1)
    fail("links.a still opens");
  if ((fd = open("links.b", O_RDONLY)) < 0)
    fail("links.b gone with links.a");
  n = read_fully(fd, buf, sizeof buf);
  close(fd);
  if (n != 300)
    fail("links.b holds %d bytes, expected 300", n);
  for (int i = 0; i < n; i++)
    if (buf[i] != pattern(7, i))
      fail("links.b: byte %d wrong", i);
  if (stat("links.b", &b) < 0 || b.nlink != 1)
    fail("nlink is not 1 after one name went");
  if (unlink("links.b") != 0)
    fail("unlink links.b failed");
}

// A file unlinked while open stays usable through its descriptors.
static void
test_unlinkopen(void)
{
  const char *name = "unlinkopen.f";
  struct stat st;
  char got[8];

  int w = open(name, O_CREATE | O_TRUNC | O_RDWR);
  if (w < 0)
    fail("cannot create %s", name);
  if (write(w, "abcdef", 6) != 6)
    fail("write failed");
  int r = open(name, O_RDONLY);
  if (r < 0)
    fail("second open failed");
  if (unlink(name) != 0)
    fail("unlink failed");
  if (open(name, O_RDONLY) != -1)
    fail("the name still opens after unlink");

  if (read(r, got, 6) != 6 || memcmp(got, "abcdef", 6) != 0)
    fail("reading the unlinked file failed");
  if (write(w, "ghij", 4) != 4)
    fail("writing the unlinked file failed");
  if (read(r, got, 8) != 4 || memcmp(got, "ghij", 4) != 0)
    fail("new data in the unlinked file not readable");
  if (fstat(w, &st) < 0 || st.nlink != 0 || st.size != 10)
    fail("fstat of the unlinked file: nlink %d size %d", st.nlink, (int)st.size);
  close(w);
  close(r);

  // The name is free again, for a new empty file.
  int fd = open(name, O_CREATE | O_RDWR);
  if (fd < 0)
    fail("cannot create the name again");
  if (read(fd, got, 1) != 0)
    fail("the new file is not empty");
  close(fd);
  unlink(name);
}

// Four processes create, check and delete files in one directory at the same time,
// some names private to each process and some shared by all.
static void
test_concreate(void)
{
  enum { NPROCS = 4, NFILES = 12, NSHARED = 6 };
  const char *dir = "concreate.d";
  char name[32];

  empty_dir(dir);
  unlink(dir);
  if (mkdir(dir) != 0)
    fail("mkdir failed");

  for (int c = 0; c < NPROCS; c++) {
    int pid = xfork();
    if (pid != 0)
      continue;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < NFILES; i++) {
        mkname(name, "concreate.d/p", c * 100 + i);
        make_file(name, c * 100 + i, 64 + i);
        mkname(name, "concreate.d/s", i % NSHARED);
        int fd = open(name, O_CREATE | O_RDWR);
        if (fd < 0)
          fail("process %d: cannot create shared %s", c, name);
        close(fd);
        if (i % 3 == 0)
          unlink(name);   // may already be gone: another process got there first
      }
      for (int i = 0; i < NFILES; i++) {
        mkname(name, "concreate.d/p", c * 100 + i);
        int fd = open(name, O_RDONLY);
        if (fd < 0)
          fail("process %d: own file %s vanished", c, name);
        int n = read_fully(fd, buf, sizeof buf);
        close(fd);
        if (n != 64 + i)
          fail("process %d: %s holds %d bytes", c, name, n);
        for (int k = 0; k < n; k++)
          if (buf[k] != pattern(c * 100 + i, k))
            fail("process %d: %s has another file's data", c, name);
        if (unlink(name) != 0)
          fail("process %d: unlink %s failed", c, name);
      }
    }
    exit(0);
  }
  int failed = 0;
  for (int c = 0; c < NPROCS; c++) {
    int status = -12345;
    if (wait(&status) < 0 || status != 0)
      failed = 1;
  }
  for (int i = 0; i < NSHARED; i++)
    unlink(mkname(name, "concreate.d/s", i));
  int left = count_entries(dir);
  empty_dir(dir);
  if (unlink(dir) != 0)
    fail("cannot remove %s afterwards", dir);
  if (failed)
    fail("a process failed");
  if (left != 0)
    fail("%d entries left in the directory", left);
}

// O_TRUNC empties a file, and a reader sees it shrink.
static void
test_truncate(void)
{
  const char *name = "truncate.f";
  struct stat st;
  char got[16];

  make_file(name, 8, 3000);
  int r = open(name, O_RDONLY);
  if (r < 0 || read(r, got, 10) != 10)
    fail("cannot read the file");

  int w = open(name, O_WRONLY | O_TRUNC);
  if (w < 0)
    fail("open with O_TRUNC failed");
  if (fstat(w, &st) < 0 || st.size != 0)
    fail("size after O_TRUNC is %d", (int)st.size);
  if (read(r, got, sizeof got) != 0)
    fail("a reader still finds data after the truncation");
  if (write(w, "xy", 2) != 2)
    fail("write after truncation failed");
  close(w);
  close(r);

  r = open(name, O_RDONLY);
  int n = read_fully(r, buf, sizeof buf);
  close(r);
  if (n != 2 || buf[0] != 'x' || buf[1] != 'y')
    fail("after truncating and writing \"xy\" the file holds %d bytes", n);

  w = open(name, O_CREATE | O_TRUNC | O_RDWR);
  if (w < 0 || fstat(w, &st) < 0 || st.size != 0)
    fail("O_CREATE|O_TRUNC of an existing file did not empty it");
  close(w);
  unlink(name);
  if (open(name, O_TRUNC | O_RDWR) != -1)
    fail("O_TRUNC without O_CREATE created a missing file");
}

// Names of exactly DIRSIZ characters, longer names, and paths past MAXPATH.
static void
test_longnames(void)
{
  const char *n14 = "abcdefghijklmn";       // DIRSIZ characters
  const char *n13 = "abcdefghijklm";
  const char *n17 = "abcdefghijklmnopq";
  const char *dir14 = "longnames.dir1";
  struct stat st14, st;
  struct dirent de;
  char path[MAXPATH + 40];

  unlink(n14);
  if (strlen(n14) != DIRSIZ || strlen(dir14) != DIRSIZ)
    fail("test bug: name is not DIRSIZ long");
  make_file(n14, 9, 14);
  if (stat(n14, &st14) < 0)
    fail("cannot stat a %d-character name", DIRSIZ);
  if (stat(n13, &st) == 0)
    fail("a 13-character prefix finds the 14-character file");

  // The directory entry holds all 14 characters, with no terminator.
  int fd = open(".", O_RDONLY), found = 0;
  while (read(fd, &de, sizeof de) == sizeof de)
    if (de.inum == st14.ino && memcmp(de.name, n14, DIRSIZ) == 0)
      found = 1;
  close(fd);
  if (!found)
    fail("no directory entry with the full 14-character name");

  // A longer name may be cut to DIRSIZ (as xv6 does) or refused, but it must not name
  // a different file.
  fd = open(n17, O_CREATE | O_RDWR);
  if (fd >= 0) {
    if (fstat(fd, &st) < 0 || st.ino != st14.ino)
      fail("a 17-character name created a file of its own");
    close(fd);
  }
  if (unlink(n14) != 0)
    fail("unlink of the 14-character name failed");

  // A directory with a 14-character name works in paths.
  empty_dir(dir14);
  unlink(dir14);
  if (mkdir(dir14) != 0)
    fail("mkdir of a 14-character name failed");
  strcpy(path, dir14);
  strcpy(path + DIRSIZ, "/");
  strcpy(path + DIRSIZ + 1, n14);
  make_file(path, 9, 5);
  if (chdir(dir14) != 0 || stat(n14, &st) < 0 || chdir("..") != 0)
    fail("cannot use a file in a 14-character directory");
  if (unlink(path) != 0 || unlink(dir14) != 0)
    fail("cleanup of the 14-character directory failed");

  // A path longer than MAXPATH is refused.
  memset(path, 'p', MAXPATH + 20);
  path[MAXPATH + 20] = 0;
  if (open(path, O_CREATE | O_RDWR) != -1)
    fail("open of a %d-character path did not fail", MAXPATH + 20);
  if (mkdir(path) != -1)
    fail("mkdir of a %d-character path did not fail", MAXPATH + 20);
}

// Write files in directory dir until the disk is full. Runs in a child; the count of
// data blocks written goes to fd out. The caller removes the files.
static void __attribute__((noreturn))
fill_disk(const char *dir, int out)
{
  char name[32];
  int blocks = 0, full = 0;

  memset(buf, 'D', sizeof buf);
  for (int f = 0; !full && f < 40; f++) {
    int fd = open(mkname(name, dir, f), O_CREATE | O_WRONLY);
    if (fd < 0)
      break;   // the directory itself needs a new block
    int want = MAXFILE * BSIZE, done = 0;
    while (done < want) {
      int chunk = want - done < 4 * BSIZE ? want - done : 4 * BSIZE;
      if (write(fd, buf, chunk) != chunk) {
        full = 1;
        break;
      }
      done += chunk;
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
      fail("fstat failed");
    blocks += st.size / BSIZE;
    close(fd);
  }
  if (!full)
    fail("the disk never filled up (%d blocks written)", blocks);
  // While the disk is full, a new file can get no data.
  int fd = open(mkname(name, dir, 99), O_CREATE | O_WRONLY);
  if (fd >= 0 && write(fd, buf, BSIZE) != -1)
    fail("a write succeeded on a full disk");
  close(fd);
  write(out, &blocks, sizeof blocks);
  exit(0);
}

static int
disk_fill_pass(const char *dir)
{
  int p[2], blocks = -1;

  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    close(p[0]);
    fill_disk(dir, p[1]);
  }
  close(p[1]);
  if (read(p[0], &blocks, sizeof blocks) != sizeof blocks)
    blocks = -1;
  close(p[0]);
  xwait(pid);
  return blocks;
}

// Fill the disk, free it, fill it again: the second time the same space is there.
// (The file system has only FSSIZE = 2000 blocks, so this is quick.)
static void
test_diskfull(void)
{
  const char *dir = "diskfull.d";

  empty_dir(dir);
  unlink(dir);
  if (mkdir(dir) != 0)
    fail("mkdir failed");
  int first = disk_fill_pass("diskfull.d/f");
  empty_dir(dir);
  int second = first < 0 ? -1 : disk_fill_pass("diskfull.d/f");
  empty_dir(dir);
  if (unlink(dir) != 0)
    fail("cannot remove %s afterwards", dir);
  if (first < 0 || second < 0)
    fail("filling the disk failed");
  if (first < 100)
    fail("only %d blocks fit on the disk", first);
  if (second < first)
    fail("%d blocks fit the first time, only %d after deleting everything",
         first, second);
}

// Create empty files until there are no inodes left, delete them, and check that as
// many can be created again.
static int
create_until_full(const char *prefix)
{
  int p[2], count = -1;
  char name[32];

  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    int n;
    for (n = 0; n < 2000; n++) {
      int fd = open(mkname(name, prefix, n), O_CREATE | O_RDWR);
      if (fd < 0)
        break;
      close(fd);
    }
    if (n == 2000)
      fail("created %d files without running out of inodes", n);
    write(p[1], &n, sizeof n);
    exit(0);
  }
  close(p[1]);
  if (read(p[0], &count, sizeof count) != sizeof count)
    count = -1;
  close(p[0]);
  xwait(pid);
  return count;
}

static void
test_inodes(void)
{
  const char *dir = "inodes.d";

  empty_dir(dir);
  unlink(dir);
  if (mkdir(dir) != 0)
    fail("mkdir failed");
  int first = create_until_full("inodes.d/i");
  empty_dir(dir);
  int second = first < 0 ? -1 : create_until_full("inodes.d/i");
  empty_dir(dir);
  if (unlink(dir) != 0)
    fail("cannot remove %s afterwards", dir);
  if (first < 0 || second < 0)
    fail("creating files failed");
  if (first < 20)
    fail("only %d files could be created", first);
  if (second < first)
    fail("%d files the first time, only %d after deleting them", first, second);
}

// ---- Pipes -------------------------------------------------------------------------

// A stream of numbered bytes from a child arrives whole and in order, whatever the
// sizes of the writes and reads.
static void
test_pipefork(void)
{
  enum { TOTAL = 20000 };
  int p[2];

  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    close(p[0]);
    int sent = 0;
    for (int k = 0; sent < TOTAL; k++) {
      int n = 1 + (k * 131) % 700;
      if (n > TOTAL - sent)
        n = TOTAL - sent;
      for (int i = 0; i < n; i++)
        buf[i] = (sent + i) * 7;
      if (write(p[1], buf, n) != n)
        fail("pipe write of %d bytes failed", n);
      sent += n;
    }
    exit(0);
  }
  close(p[1]);
  int got = 0, n;
  for (int k = 0; (n = read(p[0], buf, 1 + (k * 57) % 900)) > 0; k++) {
    for (int i = 0; i < n; i++)
      if (buf[i] != (char)((got + i) * 7))
        fail("byte %d of the stream is wrong", got + i);
    got += n;
  }
  close(p[0]);
  if (n < 0)
    fail("pipe read failed");
  if (got != TOTAL)
    fail("received %d bytes, sent %d", got, TOTAL);
  if (xwait(pid) != 0)
    fail("writer failed");
}

// Thousands of one-byte writes, then writes much larger than the pipe's buffer.
static void
test_pipechunks(void)
{
  enum { SMALL = 3000, LARGE = 10000, NLARGE = 5 };
  int p[2];

  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    close(p[0]);
    for (int i = 0; i < SMALL; i++) {
      char c = 's' + i % 3;
      if (write(p[1], &c, 1) != 1)
        fail("one-byte write %d failed", i);
    }
    for (int k = 0; k < NLARGE; k++) {
      memset(buf, 'A' + k, LARGE);
      int n = write(p[1], buf, LARGE);
      if (n != LARGE)
        fail("write of %d bytes returned %d", LARGE, n);
    }
    exit(0);
  }
  close(p[1]);
  int got = 0, n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; i++, got++) {
      char want = got < SMALL ? 's' + got % 3 : 'A' + (got - SMALL) / LARGE;
      if (buf[i] != want)
        fail("byte %d is '%c', expected '%c'", got, buf[i], want);
    }
  }
  close(p[0]);
  if (got != SMALL + NLARGE * LARGE)
    fail("received %d bytes, expected %d", got, SMALL + NLARGE * LARGE);
  if (xwait(pid) != 0)
    fail("writer failed");
}

// Writing to a pipe nobody can read fails; reading one nobody can write ends.
static void
test_pipeclosed(void)
{
  int p[2];
  char c[4];

  xpipe(p);
  close(p[0]);
  if (write(p[1], "x", 1) != -1)
    fail("write with the read end closed did not return -1");
  close(p[1]);

  // A writer blocked on a full pipe wakes up with -1 when the reader goes away.
  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    close(p[0]);
    int n = write(p[1], buf, 8192);
    exit(n == -1 ? 0 : 1);
  }
  close(p[1]);
  if (read(p[0], c, 1) != 1)
    fail("read from the writer failed");
  sleep(2);   // let the writer fill the pipe and block
  close(p[0]);
  if (xwait(pid) != 0)
    fail("blocked write did not return -1 when the reader closed");

  // Buffered data still arrives after the writer closed; then end of file.
  xpipe(p);
  write(p[1], "abc", 3);
  close(p[1]);
  if (read(p[0], c, 4) != 3 || memcmp(c, "abc", 3) != 0)
    fail("data written before close was lost");
  if (read(p[0], c, 4) != 0)
    fail("read after the writer closed did not return 0");
  close(p[0]);
}

// Pipe data read straight into heap pages that have never been touched, and written
// from them.
static void
test_pipesbrk(void)
{
  enum { N = 3 * PGSIZE + 100 };
  int p[2], n;

  mempolicy(MEMPOLICY_LAZY);
  char *a = sbrk(4 * PGSIZE + 200);
  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    close(p[0]);
    for (int i = 0; i < N; i++)
      buf[i] = pattern(10, i);
    if (write(p[1], buf, N) != N)
      fail("write failed");
    exit(0);
  }
  close(p[1]);
  int got = 0;
  while (got < N && (n = read(p[0], a + 50 + got, N - got)) > 0)
    got += n;
  close(p[0]);
  if (got != N)
    fail("read %d bytes into fresh heap memory, expected %d", got, N);
  for (int i = 0; i < N; i++)
    if (a[50 + i] != pattern(10, i))
      fail("byte %d read into fresh heap memory is wrong", i);
  if (xwait(pid) != 0)
    fail("writer failed");

  // The other way: send untouched pages; they arrive as zeros.
  char *b = sbrk(2 * PGSIZE);
  xpipe(p);
  pid = xfork();
  if (pid == 0) {
    close(p[1]);
    int total = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
      for (int i = 0; i < n; i++)
        if (buf[i] != 0)
          exit(2);
      total += n;
    }
    exit(total == 2 * PGSIZE ? 0 : 3);
  }
  close(p[0]);
  if ((n = write(p[1], b, 2 * PGSIZE)) != 2 * PGSIZE)
    fail("write from untouched heap pages returned %d", n);
  close(p[1]);
  if (xwait(pid) != 0)
    fail("reader did not get %d zero bytes", 2 * PGSIZE);

  // But not past the break: that is no buffer of ours.
  xpipe(p);
  write(p[1], "abcdefgh", 8);
  n = read(p[0], (char *)PGROUNDUP((uint64)sbrk(0)), 8);
  if (n > 0)
    fail("read into memory past the break returned %d", n);
  close(p[0]);
  close(p[1]);
}

// ---- exec --------------------------------------------------------------------------

// The program the exec tests run. An absolute path, so that usertests works from any
// directory; mkfs puts every program in the root.
#define ECHO "/echo"

// Run echo with argv in a child, its output into a pipe; return the output's length
// (in buf, terminated) and check that it exited with 0.
static int
run_echo(char **argv)
{
  int p[2];

  xpipe(p);
  int pid = xfork();
  if (pid == 0) {
    close(1);
    if (dup(p[1]) != 1)
      fail("dup did not give fd 1");
    close(p[0]);
    close(p[1]);
    int r = exec(ECHO, argv);
    fail("exec echo returned %d", r);
  }
  close(p[1]);
  int n = read_fully(p[0], buf, sizeof buf - 1);
  close(p[0]);
  int status = xwait(pid);
  if (status != 0)
    fail("echo exited with %d", status);
  if (n < 0)
    fail("reading echo's output failed");
  buf[n] = 0;
  return n;
}

// Try exec(path, argv) in a child; it must fail with -1 and leave the caller running.
static void
exec_fails(const char *path, char **argv, const char *what)
{
  int pid = xfork();
  if (pid == 0) {
    close(1);   // should exec succeed after all, keep the console clean
    int r = exec(path, argv);
    exit(r == -1 ? EXEC_REFUSED : EXEC_WRONG);
  }
  int status = xwait(pid);
  if (status == EXEC_WRONG)
    fail("%s: exec returned something other than -1", what);
  if (status != EXEC_REFUSED)
    fail("%s: exec did not return -1 (the child exited with %d)", what, status);
}

// exec replaces the program: echo's output and exit status come back, and nothing
// after the exec call runs (run_echo's child fails if exec returns).
static void
test_exececho(void)
{
  char *argv[] = {"echo", "hello", "faultline", 0};
  run_echo(argv);
  if (strcmp(buf, "hello faultline\n") != 0)
    fail("echo printed \"%s\"", buf);
}

// faultline's exec takes up to MAXARG arguments (argv[0] included).
static void
test_execmaxarg(void)
{
  static char words[MAXARG][8];
  char *argv[MAXARG + 1];
  char want[MAXARG * 8];
  int len = 0;

  argv[0] = "echo";
  for (int i = 1; i < MAXARG; i++) {
    mkname(words[i], "w", i);
    argv[i] = words[i];
    strcpy(want + len, words[i]);
    len += strlen(words[i]);
    want[len++] = i + 1 < MAXARG ? ' ' : '\n';
  }
  want[len] = 0;
  argv[MAXARG] = 0;
  run_echo(argv);
  if (strcmp(buf, want) != 0)
    fail("echo with %d arguments printed \"%s\"", MAXARG, buf);
}

static void
test_exectoomany(void)
{
  static char *argv[MAXARG + 20];

  for (int i = 0; i < MAXARG + 19; i++)
    argv[i] = "echo";
  argv[MAXARG + 19] = 0;
  exec_fails(ECHO, argv, "MAXARG + 19 arguments");
  argv[MAXARG + 1] = 0;
  exec_fails(ECHO, argv, "MAXARG + 1 arguments");

  // Arguments that together do not fit on the user stack.
  enum { LEN = 2 * USERSTACK * PGSIZE / 8 };
  static char big[LEN + 1];
  char *bigv[] = {"echo", big, big, big, big, big, big, big, big, 0};
  memset(big, 'b', LEN);
  exec_fails(ECHO, bigv, "arguments larger than the stack");
}

static void
test_execbadpath(void)
{
  char *argv[] = {"x", 0};
  char longpath[MAXPATH + 20];

  exec_fails("no-such-program", argv, "missing file");
  exec_fails("/no/such/dir/prog", argv, "missing directory");
  exec_fails("", argv, "empty path");
  exec_fails(".", argv, "a directory");
  memset(longpath, 'e', sizeof longpath - 1);
  longpath[sizeof longpath - 1] = 0;
  exec_fails(longpath, argv, "path longer than MAXPATH");
  exec_fails((char *)KERNBASE, argv, "path pointer into the kernel");
  exec_fails((char *)sbrk(0), argv, "path pointer past the break");
}

static void
test_execbadargv(void)
{
  char *brk = sbrk(0);   // page aligned: nothing is mapped from here up
  char *bad1[] = {"echo", (char *)KERNBASE, 0};
  char *bad2[] = {"echo", brk, 0};
  char *bad3[] = {"echo", (char *)0xffffffffffffffffUL, 0};

  exec_fails(ECHO, (char **)KERNBASE, "argv pointer into the kernel");
  exec_fails(ECHO, (char **)0xffffffffffffffffUL, "argv pointer -1");
  exec_fails(ECHO, (char **)brk, "argv pointer past the break");
  exec_fails(ECHO, bad1, "argument pointer into the kernel");
  exec_fails(ECHO, bad2, "argument pointer past the break");
  exec_fails(ECHO, bad3, "argument pointer -1");

  // An argv array that runs into the break without a terminating 0.
  char **tail = (char **)sbrk(PGSIZE);
  int n = PGSIZE / sizeof(char *);
  for (int i = 0; i < n; i++)
    tail[i] = "echo";
  exec_fails(ECHO, tail + n - 4, "argv with no end before the break");
}

static void
test_execnotelf(void)
{
  const char *name = "notelf.f";
  char *argv[] = {"notelf.f", 0};
  int fd;

  if ((fd = open(name, O_CREATE | O_TRUNC | O_WRONLY)) < 0)
    fail("cannot create %s", name);
  write(fd, "#!/bin/sh\necho this is not a program\n", 37);
  close(fd);
  exec_fails(name, argv, "a text file");

  // The ELF magic number and then garbage.
  if ((fd = open(name, O_CREATE | O_TRUNC | O_WRONLY)) < 0)
    fail("cannot create %s", name);
  memset(buf, 0xEE, 200);
  memmove(buf, "\x7f" "ELF", 4);
  write(fd, buf, 200);
  close(fd);
  exec_fails(name, argv, "ELF magic followed by garbage");

  // Nothing at all.
  if ((fd = open(name, O_CREATE | O_TRUNC | O_WRONLY)) < 0)
    fail("cannot create %s", name);
  close(fd);
  exec_fails(name, argv, "an empty file");
  unlink(name);
}

// ---- The runner ----------------------------------------------------------------------

struct test {
  const char *name;
  void (*fn)(void);
  int slow;   // skipped by usertests -q
};

static struct test tests[] = {
  // processes
  {"forkwait",      test_forkwait,      0},
  {"waitnone",      test_waitnone,      0},
  {"orphans",       test_orphans,       0},
  {"forkfull",      test_forkfull,      0},
  {"kill",          test_kill,          0},
  {"preempt",       test_preempt,       0},
  {"exitstatus",    test_exitstatus,    0},
  {"getpid",        test_getpid,        0},
  {"uptime",        test_uptime,        0},
  {"sleep",         test_sleep,         0},
  // memory
  {"sbrkbasic",     test_sbrkbasic,     0},
  {"sbrkunaligned", test_sbrkunaligned, 0},
  {"sbrkbig",       test_sbrkbig,       0},
  {"sbrkfail",      test_sbrkfail,      0},
  {"sbrkneg",       test_sbrkneg,       0},
  {"mempolicy",     test_mempolicy,     0},
  {"forklazy",      test_forklazy,      0},
  {"badptr",        test_badptr,        0},
  {"textwrite",     test_textwrite,     0},
  {"kernelmem",     test_kernelmem,     0},
  {"kernelhalf",    test_kernelhalf,    0},
  {"noexec",        test_noexec,        0},
  {"pastbreak",     test_pastbreak,     0},
  {"stackguard",    test_stackguard,    0},
  // file system
  {"manyfiles",     test_manyfiles,     0},
  {"maxfile",       test_maxfile,       0},
  {"dirs",          test_dirs,          0},
  {"dotdot",        test_dotdot,        0},
  {"links",         test_links,         0},
  {"unlinkopen",    test_unlinkopen,    0},
  {"concreate",     test_concreate,     0},
  {"truncate",      test_truncate,      0},
  {"longnames",     test_longnames,     0},
  {"diskfull",      test_diskfull,      1},
  {"inodes",        test_inodes,        1},
  // pipes
  {"pipefork",      test_pipefork,      0},
  {"pipechunks",    test_pipechunks,    0},
  {"pipeclosed",    test_pipeclosed,    0},
  {"pipesbrk",      test_pipesbrk,      0},
  // exec
  {"exececho",      test_exececho,      0},
  {"execmaxarg",    test_execmaxarg,    0},
  {"exectoomany",   test_exectoomany,   0},
  {"execbadpath",   test_execbadpath,   0},
  {"execbadargv",   test_execbadargv,   0},
  {"execnotelf",    test_execnotelf,    0},
};
#define NTESTS NELEM(tests)

// Read what a test reported until every copy of the pipe's write end is closed, and
// keep the start of it, one line per message, as "why; why".
static void
collect_reason(int fd, char *reason, int size)
{
  char chunk[64];
  int len = 0, n;

  while ((n = read(fd, chunk, sizeof chunk)) > 0) {
    for (int i = 0; i < n; i++) {
      if (chunk[i] == '\n') {
        if (len > 0 && len + 2 < size - 1) {
          reason[len++] = ';';
          reason[len++] = ' ';
        }
      } else if (len < size - 1) {
        reason[len++] = chunk[i];
      }
    }
  }
  while (len > 0 && (reason[len - 1] == ' ' || reason[len - 1] == ';'))
    len--;
  reason[len] = 0;
}

// Run one test in a child process. Returns 1 if it passed.
static int
run_test(struct test *t)
{
  char reason[200];
  int rp[2];

  vmtrace_mark_test(t->name);   // lets a recording be cut per test
  if (pipe(rp) < 0) {
    printf("test %s: FAILED (usertests could not make a pipe)\n", t->name);
    return 0;
  }
  int pid = fork();
  if (pid < 0) {
    close(rp[0]);
    close(rp[1]);
    printf("test %s: FAILED (usertests could not fork)\n", t->name);
    return 0;
  }
  if (pid == 0) {
    close(rp[0]);
    report_fd = rp[1];
    t->fn();
    exit(0);
  }
  close(rp[1]);
  // Reading first, until end of file, means a test that reports a lot cannot block on
  // a full pipe while we wait.
  collect_reason(rp[0], reason, sizeof reason);
  close(rp[0]);

  int status = -12345;
  if (wait(&status) != pid) {
    printf("test %s: FAILED (usertests lost its child)\n", t->name);
    return 0;
  }
  if (status == 0 && reason[0] == 0) {
    printf("test %s: OK\n", t->name);
    return 1;
  }
  if (reason[0] == 0) {
    if (status == KILLED)
      strcpy(reason, "the test process was killed");
    else
      strcpy(reason, "exited with an unexpected status");
  }
  printf("test %s: FAILED (%s)\n", t->name, reason);
  return 0;
}

static struct test *
find_test(const char *name)
{
  for (int i = 0; i < NTESTS; i++)
    if (strcmp(tests[i].name, name) == 0)
      return &tests[i];
  return 0;
}

static void __attribute__((noreturn))
usage(void)
{
  fprintf(2, "usage: usertests [-q] [-l] [NAME...]\n");
  exit(2);
}

int
main(int argc, char *argv[])
{
  start_brk = (uint64)sbrk(0);

  int quick = 0, nnames = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-q") == 0) {
      quick = 1;
    } else if (strcmp(argv[i], "-l") == 0) {
      for (int k = 0; k < NTESTS; k++)
        printf("%s%s\n", tests[k].name, tests[k].slow ? " (slow)" : "");
      exit(0);
    } else if (argv[i][0] == '-') {
      usage();
    } else if (find_test(argv[i]) == 0) {
      fprintf(2, "usertests: no test named %s (usertests -l lists them)\n", argv[i]);
      exit(2);
    } else {
      nnames++;
    }
  }

  // Which tests run, in table order.
  int selected[NTESTS];
  for (int i = 0; i < NTESTS; i++) {
    selected[i] = nnames == 0 && !(quick && tests[i].slow);
    for (int k = 1; k < argc; k++)
      if (strcmp(argv[k], tests[i].name) == 0)
        selected[i] = 1;
  }

  static const char *const policies[] = MEMPOLICY_NAMES;
  static const char *const forks[] = FORKPOLICY_NAMES;
  int policy = mempolicy(MEMPOLICY_QUERY), fork_policy = forkpolicy(FORKPOLICY_QUERY);
  printf("usertests starting, sbrk policy %s, fork policy %s\n",
         policy >= 0 && policy < MEMPOLICY_COUNT ? policies[policy] : "?",
         fork_policy >= 0 && fork_policy < FORKPOLICY_COUNT ? forks[fork_policy] : "?");
  int free_before = freemem();
  int nfailed = 0, nrun = 0;
  const char *failed[NTESTS + 1];

  for (int i = 0; i < NTESTS; i++) {
    if (!selected[i])
      continue;
    nrun++;
    if (!run_test(&tests[i]))
      failed[nfailed++] = tests[i].name;
  }

  // Every test process has been waited for; orphans they left are init's to reap,
  // which may take a moment.
  int free_after = freemem();
  for (int t = 0; t < 30 && free_after < free_before; t++) {
    sleep(1);
    free_after = freemem();
  }
  printf("%d tests ran; %d pages free before, %d after\n", nrun, free_before, free_after);
  if (free_after < free_before) {
    printf("test freemem: FAILED (%d pages free before the tests, %d after: %d lost)\n",
           free_before, free_after, free_before - free_after);
    failed[nfailed++] = "freemem";
  } else {
    printf("test freemem: OK\n");
  }

  if (nfailed == 0) {
    printf("ALL TESTS PASSED\n");
    exit(0);
  }
  printf("SOME TESTS FAILED:");
  for (int i = 0; i < nfailed; i++)
    printf(" %s", failed[i]);
  printf("\n");
  exit(1);
}
