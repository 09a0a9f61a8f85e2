// cowtests: tests of fork under faultline's fork policies (kernel/forkpolicy.h).
//
//   cowtests          run every test
//   cowtests NAME...  run the named tests only
//
// Each test runs in a child process of its own; the runner checks that it exited with
// status 0 and that the free physical pages are back where they were before it (a page
// a copy-on-write fork leaked, or freed too early, shows at the test that did it).
//
// Most tests hold under either fork policy and run under the one cowtests inherited
// (`copyfork cowtests` runs them with xv6's copying fork). The tests that are about
// sharing itself (big, oom, lazy) set the copy-on-write policy for their own process.
// The oom test's child is killed on purpose: the kernel prints one "killed" line for it.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/memstat.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"

#define NPAGES 8
#define TMPFILE "cowtests.tmp"

static char *progname = "cowtests";
// Writable data that fork shares: NPAGES pages, each page's bytes start as its index.
static char shared[NPAGES][PGSIZE] __attribute__((aligned(PGSIZE)));

// Stop the test with a one-line reason; the runner sees the non-zero status.
#define fail(...)                                \
  do {                                           \
    fprintf(2, "cowtests: FAIL: " __VA_ARGS__);  \
    fprintf(2, "\n");                            \
    exit(1);                                     \
  } while (0)

static void fill(char *p, int npages, char base)
{
  for (int i = 0; i < npages; i++)
    memset(p + (long)i * PGSIZE, base + i, PGSIZE);
}

// Is every byte of page i of p base + i? Checks the first, a middle and the last byte.
static int holds(char *p, int npages, char base)
{
  for (int i = 0; i < npages; i++) {
    char *pg = p + (long)i * PGSIZE;
    char want = base + i;
    if (pg[0] != want || pg[PGSIZE / 2] != want || pg[PGSIZE - 1] != want)
      return 0;
  }
  return 1;
}

// Wait for the one child pid; its exit status.
static int reap(int pid)
{
  int st;
  if (wait(&st) != pid)
    fail("wait did not return the child");
  return st;
}

static int xfork(void)
{
  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  return pid;
}

// Take every free page with eager sbrk (a failed growth may leave a page-table page, so
// try again); 1 if none is left.
static int use_up_memory(void)
{
  mempolicy(MEMPOLICY_EAGER);
  for (int round = 0; round < 3 && freemem() > 0; round++)
    while (sbrk(PGSIZE) != SBRK_ERROR)
      ;
  return freemem() == 0;
}

// ---- Tests --------------------------------------------------------------------------------

// Parent and child write the same page: each sees only its own write.
static void test_same(void)
{
  fill(shared[0], NPAGES, 1);
  int pid = xfork();
  if (pid == 0) {
    shared[3][10] = 'c';
    if (shared[3][11] != 4 || shared[3][10] != 'c')
      fail("child's written page lost its bytes");
    exit(0);
  }
  shared[3][10] = 'p';
  if (reap(pid) != 0)
    fail("child failed");
  if (shared[3][10] != 'p' || shared[3][11] != 4)
    fail("parent's page changed by the child");
}

// Parent and child write different pages; each sees the other's pages unchanged.
static void test_different(void)
{
  fill(shared[0], NPAGES, 1);
  int pid = xfork();
  if (pid == 0) {
    memset(shared[1], 'c', PGSIZE);
    sleep(1);   // let the parent write its page meanwhile
    if (!holds(shared[2], 1, 3) || shared[1][7] != 'c')
      fail("child sees the parent's write");
    exit(0);
  }
  memset(shared[2], 'p', PGSIZE);
  if (reap(pid) != 0)
    fail("child failed");
  if (!holds(shared[1], 1, 2) || shared[2][7] != 'p')
    fail("parent sees the child's write");
}

// A chain of forks: each generation writes its own mark into a page, forks the next
// and checks, after the next has exited, that its own view is unchanged. Returns only
// in the last generation.
static void chain(int generations)
{
  for (int depth = 0; depth < generations; depth++) {
    shared[0][depth] = 'a' + depth;
    int pid = xfork();
    if (pid == 0) {
      for (int d = 0; d <= depth; d++)
        if (shared[0][d] != 'a' + d)
          fail("generation %d does not see its ancestors' marks", depth + 1);
      continue;
    }
    shared[0][depth + 1] = 'X';   // the descendant wrote its own copy, not ours
    if (reap(pid) != 0)
      exit(1);
    if (shared[0][depth] != 'a' + depth || shared[0][depth + 1] != 'X')
      fail("generation %d's page changed by a descendant", depth);
    exit(0);
  }
}

static void test_chain(void)
{
  memset(shared[0], 0, PGSIZE);
  int pid = xfork();
  if (pid == 0) {
    chain(4);
    exit(0);
  }
  if (reap(pid) != 0)
    fail("a generation failed");
  if (shared[0][0] != 0)
    fail("the chain's writes reached its first parent");
}

// The child execs at once (what the shell does); the parent then writes everything.
static void test_exec(void)
{
  fill(shared[0], NPAGES, 1);
  int pid = xfork();
  if (pid == 0) {
    char *argv[] = { progname, "--exit", "7", 0 };
    exec(progname, argv);
    fail("exec failed");
  }
  fill(shared[0], NPAGES, 50);
  if (reap(pid) != 7)
    fail("the exec'd child did not exit 7");
  if (!holds(shared[0], NPAGES, 50))
    fail("parent's pages wrong after the child's exec");
}

// The kernel writes into shared pages: read() from a file in the child, from a pipe in
// the parent while the child still holds the pages.
static void test_read(void)
{
  int fd = open(TMPFILE, O_CREATE | O_RDWR);
  if (fd < 0)
    fail("cannot create " TMPFILE);
  static char data[PGSIZE + 100];
  memset(data, 'f', sizeof(data));
  if (write(fd, data, sizeof(data)) != sizeof(data))
    fail("cannot write " TMPFILE);
  close(fd);
  fill(shared[0], NPAGES, 1);
  int fds[2], back[2];
  if (pipe(fds) < 0 || pipe(back) < 0)
    fail("pipe failed");
  int pid = xfork();
  if (pid == 0) {
    close(fds[1]);
    close(back[0]);
    fd = open(TMPFILE, O_RDONLY);
    // Straddles pages 1 and 2: two copy-on-write faults taken by the kernel.
    if (fd < 0 || read(fd, shared[1] + 50, sizeof(data)) != sizeof(data))
      fail("child's read into a shared page failed");
    close(fd);
    if (shared[1][50] != 'f' || shared[2][149] != 'f' || shared[2][150] != 3)
      fail("child's read landed wrong");
    write(back[1], "r", 1);   // the parent may read into its pages now
    char c;
    read(fds[0], &c, 1);      // it has
    if (!holds(shared[4], 1, 5))
      fail("the parent's pipe read reached the child's page");
    exit(0);
  }
  close(fds[0]);
  close(back[1]);
  char c;
  if (read(back[0], &c, 1) != 1)
    fail("child gone");
  if (!holds(shared[1], 2, 2))
    fail("the child's file read reached the parent's pages");
  int p2[2];
  if (pipe(p2) < 0 || write(p2[1], "pipe-data", 9) != 9 || read(p2[0], shared[4] + 10, 9) != 9)
    fail("parent's pipe read into a shared page failed");
  close(p2[0]);
  close(p2[1]);
  if (memcmp(shared[4] + 10, "pipe-data", 9) != 0)
    fail("parent's pipe read landed wrong");
  write(fds[1], "d", 1);
  if (reap(pid) != 0)
    fail("child failed");
  close(fds[1]);
  close(back[0]);
  unlink(TMPFILE);
}

// With no free page at all, a write to a shared page kills the writer, and only it; a
// read() into a shared page fails with -1. The parent's pages are intact and its own
// writes then take them over.
static void test_oom(void)
{
  forkpolicy(FORKPOLICY_COW);
  fill(shared[0], NPAGES, 1);
  int fds[2];
  if (pipe(fds) < 0 || write(fds[1], "x", 1) != 1)
    fail("pipe failed");
  int pid = xfork();
  if (pid == 0) {
    if (!use_up_memory())
      fail("could not use up memory: %d pages free", freemem());
    if (read(fds[0], shared[5], 1) != -1)
      fail("read into a shared page with no memory did not fail");
    shared[6][0] = 'c';   // killed here
    exit(2);
  }
  if (reap(pid) != KILLED)
    fail("the child writing with no memory was not killed");
  if (!holds(shared[0], NPAGES, 1))
    fail("parent's pages changed");
  int before = freemem();
  fill(shared[0], NPAGES, 9);   // ours alone now: taken over, not copied
  if (freemem() != before)
    fail("writing pages no one else holds took %d pages", before - freemem());
  close(fds[0]);
  close(fds[1]);
}

// A process holding two thirds of free memory forks, which copying could not do. The
// child writes all of it, page by page from the top, giving back each copy at once; the
// parent then writes all of it, taking each page over with no copy: with no free page
// left, so that a copy would kill it.
static void test_big(void)
{
  forkpolicy(FORKPOLICY_COW);
  mempolicy(MEMPOLICY_EAGER);
  uint64 brk = (uint64)sbrk(0);
  if (sbrk(PGROUNDUP(brk) - brk) == SBRK_ERROR)   // whole pages, so that shrinking
    fail("cannot align the break");              // by one frees the last one
  int n = freemem() * 2 / 3;
  char *heap = sbrk(n * PGSIZE);
  if (heap == SBRK_ERROR)
    fail("cannot grow by %d pages", n);
  fill(heap, n, 1);
  int before_fork = freemem();
  int pid = xfork();
  if (pid == 0) {
    // Page tables only: about 3 pages per 512 shared ones, and the child's stack.
    if (before_fork - freemem() > n / 64 + 16)
      fail("fork took %d pages for %d shared", before_fork - freemem(), n);
    volatile char on_stack = 1;   // the stack page gets its copy now, before counting
    int before = freemem() + on_stack - 1;
    for (int i = n - 1; i >= 0; i--) {
      char *pg = heap + (long)i * PGSIZE;
      if (pg[0] != (char)(1 + i))
        fail("child sees page %d wrong before writing it", i);
      memset(pg, 'c', PGSIZE);
      if (pg[PGSIZE - 1] != 'c')
        fail("child's write to page %d lost", i);
      sbrk(-PGSIZE);
    }
    if (freemem() < before)
      fail("child's copies not given back: %d pages", before - freemem());
    exit(0);
  }
  if (reap(pid) != 0)
    fail("child failed");
  if (!holds(heap, n, 1))
    fail("parent's pages changed by the child");
  if (!use_up_memory())
    fail("could not use up memory: %d pages free", freemem());
  for (int i = 0; i < n; i++)
    memset(heap + (long)i * PGSIZE, 'p', PGSIZE);
  if (heap[0] != 'p' || heap[(long)n * PGSIZE - 1] != 'p')
    fail("parent's writes lost");
}

// Lazy and copy-on-write compose: heap pages never touched are absent in the child too,
// and the child's first touch gives it a zeroed page of its own.
static void test_lazy(void)
{
  forkpolicy(FORKPOLICY_COW);
  mempolicy(MEMPOLICY_LAZY);
  char *heap = sbrk(64 * PGSIZE);
  if (heap == SBRK_ERROR)
    fail("sbrk failed");
  heap[0] = 1;   // one page present, 63 absent
  uint64 resident = resident_pages();
  int pid = xfork();
  if (pid == 0) {
    if (resident_pages() != resident)
      fail("child has %d pages, parent %d", (int)resident_pages(), (int)resident);
    if (heap[PGSIZE * 10] != 0 || heap[0] != 1)
      fail("child's heap wrong");
    if (resident_pages() != resident + 1)
      fail("a read of an untouched page did not map one page");
    exit(0);
  }
  if (reap(pid) != 0)
    fail("child failed");
  if (resident_pages() != resident)
    fail("the child's touch changed the parent's pages");
}

// This process's copy-on-write counts (memstat), checked to have moved by exactly
// copied and taken since before.
static struct memstat counted(const struct memstat *before, int copied, int taken,
                              const char *what)
{
  struct memstat st;
  if (memstat(0, &st) < 0)
    fail("memstat failed");
  if (st.cow_copied != before->cow_copied + copied || st.cow_taken != before->cow_taken + taken)
    fail("%s: copied %d taken %d, expected %d and %d more than %d and %d", what,
         (int)st.cow_copied, (int)st.cow_taken, copied, taken, (int)before->cow_copied,
         (int)before->cow_taken);
  return st;
}

// n in decimal into buf, which holds 21 bytes.
static char *decimal(char *buf, uint64 n)
{
  char *p = buf + 20;
  *p = 0;
  do
    *--p = '0' + n % 10;
  while ((n /= 10) != 0);
  return p;
}

// The exec'd half of test_counts: argv holds the counts from before the exec.
static int counts_after_exec(char *copied, char *taken)
{
  struct memstat st;
  memstat(0, &st);
  return st.cow_copied == atoi(copied) && st.cow_taken == atoi(taken) ? 0 : 1;
}

// Each copy-on-write fault counts once in its own process, as a copy while another
// process holds the frame and as a take-over once none does; exec keeps the counts.
static void test_counts(void)
{
  forkpolicy(FORKPOLICY_COW);
  fill(shared[0], NPAGES, 1);
  struct memstat st;
  memstat(0, &st);   // the stack page is now ours (memstat wrote to it)
  int pid = xfork();
  if (pid == 0) {
    memset(&st, 0, sizeof st);   // the stack's copy, before the count is read
    memstat(0, &st);
    shared[1][0] = 'c';
    st = counted(&st, 1, 0, "child's write to a page its parent holds");
    char copied[21], taken[21];
    char *argv[] = { progname, "--counts", decimal(copied, st.cow_copied),
                     decimal(taken, st.cow_taken), 0 };
    exec(progname, argv);
    fail("exec failed");
  }
  if (reap(pid) != 0)
    fail("the exec'd child found other counts than before its exec");
  memstat(0, &st);
  shared[2][0] = 'p';
  counted(&st, 0, 1, "parent's write once its child has gone");
}

// ---- Runner -----------------------------------------------------------------------------

struct test {
  const char *name;
  void (*fn)(void);
};

static struct test tests[] = {
  { "same", test_same },   { "different", test_different }, { "chain", test_chain },
  { "exec", test_exec },   { "read", test_read },           { "oom", test_oom },
  { "big", test_big },     { "lazy", test_lazy },       { "counts", test_counts },
};
#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

// Run t in a child; print its verdict. Returns 1 if it passed.
static int run_test(struct test *t)
{
  int free_before = freemem();
  int pid = fork();
  if (pid < 0) {
    printf("test %s: FAILED (runner: fork failed)\n", t->name);
    return 0;
  }
  if (pid == 0) {
    t->fn();
    exit(0);
  }
  int st;
  wait(&st);
  return test_verdict(t->name, st, free_before, settle_freemem(free_before));
}

int main(int argc, char *argv[])
{
  progname = argv[0];
  if (argc == 3 && strcmp(argv[1], "--exit") == 0)
    exit(atoi(argv[2]));
  if (argc == 4 && strcmp(argv[1], "--counts") == 0)
    exit(counts_after_exec(argv[2], argv[3]));
  static const char *const names[] = FORKPOLICY_NAMES;
  int policy = forkpolicy(FORKPOLICY_QUERY);
  printf("cowtests: fork policy %s; one \"killed\" line from the kernel is expected\n",
         names[policy]);
  int free_before = freemem(), nfailed = 0, ran = 0;
  for (int i = 0; i < NTESTS; i++) {
    int chosen = argc < 2;
    for (int a = 1; a < argc; a++)
      chosen |= strcmp(argv[a], tests[i].name) == 0;
    if (chosen) {
      ran++;
      nfailed += !run_test(&tests[i]);
    }
  }
  if (ran != (argc < 2 ? NTESTS : argc - 1)) {
    fprintf(2, "cowtests: unknown test name\n");
    return 1;
  }
  if (settle_freemem(free_before) != free_before) {
    printf("free pages: %d before the run, %d after\n", free_before, freemem());
    nfailed++;
  }
  printf(nfailed ? "SOME TESTS FAILED\n" : "ALL TESTS PASSED\n");
  return nfailed != 0;
}
