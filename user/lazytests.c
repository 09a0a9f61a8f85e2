// lazytests: tests of faultline's lazy heap (issue 3, DESIGN.md "Virtual memory").
//
//   lazytests          run every test
//   lazytests NAME...  run the named tests only
//
// Each test runs in a child process of its own, so a test that crashes or is killed
// cannot take the others down, and so that everything it allocated is given back when
// it exits. The runner checks three things per test: the child's exit status is 0, the
// child reported no failure reason, and the number of free physical pages is the same
// before and after (a leak shows up at the test that caused it). It checks the free
// pages once more around the whole run.
//
// A test fails by calling fail(), which sends a one-line reason to the runner through a
// pipe and exits; the runner prints "test NAME: FAILED (reason)".
//
// Many tests check that a bad access kills the process; each such kill makes the kernel
// print "pid N (lazytests): killed: ...". Those lines are expected.
//
// Tests run under the policy lazytests inherited (`eager lazytests` runs them eager,
// `faultaround lazytests` under fault-around), except where a test is about the lazy
// fault path itself and sets the policy to lazy, and the around* tests, which set
// fault-around and check each way its window ends.
// Under `eager lazytests` the sparse test fails on purpose: an eager sbrk(1 GiB) on a
// 128 MiB machine cannot succeed, which is the point of lazy allocation.
//
// The stack is one page (USERSTACK): large buffers here are static, never local.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/memstat.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"
#include "user/lib/number.h"
#include "tracing/vmtrace_format.h"

#define TMPFILE "lazytests.tmp"
#define AROUND_CAP (VMT_AROUND_MAX + 1)   // the kernel's AROUND_MAX_PAGES

// ---- Failing a test ---------------------------------------------------------------------

// Write end of the pipe to the runner, in the test process and its children.
static int reason_fd = 2;

// Stop the test: send the reason to the runner and exit non-zero. A macro because the
// user library has no vfprintf to pass a format on with.
#define fail(...)                          \
  do {                                     \
    fprintf(reason_fd, "; " __VA_ARGS__);  \
    exit(1);                               \
  } while (0)

// ---- Small helpers ----------------------------------------------------------------------

static char *progname = "lazytests";   // argv[0]: the helper modes exec it
static volatile char sink;             // loads land here so the compiler keeps them

static struct memstat self(void)
{
  struct memstat st;
  if (memstat(0, &st) < 0)
    fail("memstat(0) failed");
  return st;
}

static uint64 resident(void)
{
  return self().resident;
}

// sbrk that must succeed: the tests that use it are not about sbrk failing.
static char *grow(long n)
{
  char *p = sbrk(n);
  if (p == SBRK_ERROR)
    fail("sbrk(%ld) failed", n);
  return p;
}

static void set_policy(int policy)
{
  if (mempolicy(policy) < 0)
    fail("mempolicy(%d) failed", policy);
}

static const char *policy_name(int policy)
{
  static const char *const names[] = MEMPOLICY_NAMES;
  return policy >= 0 && policy < MEMPOLICY_COUNT ? names[policy] : "?";
}

// A byte that depends on its position, so misplaced or stale data is caught.
static char pattern(uint64 i)
{
  return (char)(i * 7 + i / 509 + 1);
}

// A 64-bit value to store in page `page` by process `who`.
static uint64 mark(uint64 who, uint64 page)
{
  return (who << 40) ^ (page * 0x9e3779b1UL) ^ 0x5a5a;
}

// Run access(va) in a child and return its exit status: the way to check that an
// access kills without dying ourselves.
static int status_of(void (*access)(uint64), uint64 va)
{
  int status;
  if (run_in_child(access, va, &status) < 0)
    fail("fork failed, or wait did not return the child");
  return status;
}

static void expect_killed(void (*access)(uint64), uint64 va, const char *what)
{
  int status = status_of(access, va);
  if (status != KILLED)
    fail("%s at %p: exit status %d, want %d (killed)", what, (void *)va, status, KILLED);
}

static void expect_runs(void (*access)(uint64), uint64 va, const char *what)
{
  int status = status_of(access, va);
  if (status != 0)
    fail("%s at %p: exit status %d, want 0", what, (void *)va, status);
}

// Create TMPFILE holding n bytes of pattern() and return it opened for reading.
static int make_file(int n)
{
  static char chunk[512];
  int fd = open(TMPFILE, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    fail("cannot create " TMPFILE);
  for (int off = 0; off < n; off += sizeof(chunk)) {
    int m = n - off < (int)sizeof(chunk) ? n - off : (int)sizeof(chunk);
    for (int i = 0; i < m; i++)
      chunk[i] = pattern(off + i);
    if (write(fd, chunk, m) != m)
      fail("write to " TMPFILE " failed");
  }
  close(fd);
  fd = open(TMPFILE, O_RDONLY);
  if (fd < 0)
    fail("cannot reopen " TMPFILE);
  return fd;
}

static void remove_file(int fd)
{
  close(fd);
  unlink(TMPFILE);
}

// Index of the first byte of p[0..n) that is not pattern(first + i), or -1.
static long pattern_mismatch(const char *p, long n, uint64 first)
{
  for (long i = 0; i < n; i++)
    if (p[i] != pattern(first + i))
      return i;
  return -1;
}

static long first_nonzero(const char *p, long n)
{
  for (long i = 0; i < n; i++)
    if (p[i] != 0)
      return i;
  return -1;
}

// ---- Helper modes: what the exec tests run -----------------------------------------------

// `lazytests --print-policy`: report the policy this process got across exec, in the
// output for people and in the exit status (10 + policy) for the test that ran it.
static int print_policy(void)
{
  int policy = mempolicy(MEMPOLICY_QUERY);
  printf("lazytests --print-policy: %s\n", policy_name(policy));
  return 10 + policy;
}

// `lazytests --touch-at ADDR`: grow the heap past ADDR, store to it, and exit with 10 +
// the number of pages that store made resident (the window test_aroundexec asks about).
static int touch_at(const char *arg)
{
  uint64 addr = number_at(arg, 0);
  uint64 top = (uint64)sbrk(0);
  if (addr < top)
    fail("--touch-at %s: below the break %p, so maybe already present", arg, (void *)top);
  grow((long)(addr - top) + 2 * AROUND_CAP * PGSIZE);
  uint64 before = resident();
  *(volatile char *)addr = 1;
  return 10 + (int)(resident() - before);
}

// The arguments test_sysexec passes, all stored in fresh heap. The empty one sits in a
// page nobody touched, so the kernel reads it from a page it faults in itself.
static const char straddler[] = "this argument straddles two heap pages";
static const char *exec_args[] = { "--check-args", straddler, "", "omega" };
#define NEXEC_ARGS (sizeof(exec_args) / sizeof(exec_args[0]))

// `lazytests --check-args ...`: exit 0 iff the arguments arrived intact.
static int check_args(int argc, char *argv[])
{
  if (argc != 1 + NEXEC_ARGS) {
    printf("lazytests --check-args: argc %d, want %d\n", argc, (int)(1 + NEXEC_ARGS));
    return 1;
  }
  for (int i = 0; i < NEXEC_ARGS; i++) {
    if (strcmp(argv[1 + i], exec_args[i]) != 0) {
      printf("lazytests --check-args: argv[%d] = \"%s\", want \"%s\"\n", 1 + i,
             argv[1 + i], exec_args[i]);
      return 1;
    }
  }
  return 0;
}

// ---- The tests ----------------------------------------------------------------------------

#define SPARSE_SIZE GiB
#define SPARSE_STRIDE (64 * PGSIZE)
#define SPARSE_TOUCHED (SPARSE_SIZE / SPARSE_STRIDE)

// Under the eager policy the same reservation must fail cleanly: -1, break unchanged,
// and the process goes on working.
static void eager_sbrk_fails(void)
{
  set_policy(MEMPOLICY_EAGER);
  char *brk = sbrk(0);
  if (sbrk(SPARSE_SIZE) != SBRK_ERROR)
    fail("eager sbrk(1 GiB) succeeded on a machine with less memory than that");
  if (sbrk(0) != brk)
    fail("failed eager sbrk moved the break from %p to %p", brk, sbrk(0));
  uint64 before = resident();
  char *p = grow(PGSIZE);
  if (resident() != before + 1)
    fail("after a failed eager sbrk, eager sbrk(PGSIZE) mapped %d pages, want 1",
         (int)(resident() - before));
  p[0] = 1;
  printf("eager: sbrk(1 GiB) = -1 as expected\n");
}

// A 1 GiB heap on a 128 MiB machine: reserve it, touch every 64th page, read it back.
// Only the touched pages may become resident.
static void test_sparse(void)
{
  int policy = mempolicy(MEMPOLICY_QUERY);
  uint64 before = resident();
  char *base = sbrk(SPARSE_SIZE);
  if (base == SBRK_ERROR)
    fail("sbrk(1 GiB) = -1 under the %s policy%s", policy_name(policy),
         policy == MEMPOLICY_EAGER ? " (expected: only lazy sbrk can reserve more than RAM)"
                                   : "");
  if (resident() != before)
    fail("sbrk(1 GiB) made %d pages resident before any touch", (int)(resident() - before));

  // A word at each end of the page: the whole page must be mapped, not just one spot.
  for (uint64 off = 0; off < SPARSE_SIZE; off += SPARSE_STRIDE) {
    uint64 *page = (uint64 *)(base + off);
    page[0] = mark(1, off / PGSIZE);
    page[PGSIZE / 8 - 1] = ~mark(1, off / PGSIZE);
  }
  for (uint64 off = 0; off < SPARSE_SIZE; off += SPARSE_STRIDE) {
    uint64 *page = (uint64 *)(base + off);
    if (page[0] != mark(1, off / PGSIZE) || page[PGSIZE / 8 - 1] != ~mark(1, off / PGSIZE))
      fail("page at %p lost what was written to it", page);
  }
  uint64 touched = resident() - before;
  if (touched != SPARSE_TOUCHED)
    fail("%d pages resident after touching %d", (int)touched, (int)SPARSE_TOUCHED);

  // The pages in between were never touched: they read as zeros.
  for (uint64 off = SPARSE_STRIDE / 2; off < SPARSE_SIZE; off += SPARSE_SIZE / 16)
    if (*(uint64 *)(base + off) != 0)
      fail("untouched page at %p is not zero", base + off);

  // Shrinking frees the sparse range, whatever it holds.
  if (sbrk(-SPARSE_SIZE) == SBRK_ERROR)
    fail("sbrk(-1 GiB) failed");
  if (resident() != before)
    fail("%d pages still resident after sbrk(-1 GiB)", (int)(resident() - before));

  // The eager counterpart, in a child so that its policy stays its own.
  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    eager_sbrk_fails();
    exit(0);
  }
  int status;
  wait(&status);
  if (status != 0)
    fail("eager child: exit status %d", status);
}

// Shrinking frees at once: the freed range goes back to the allocator, and touching it
// afterwards kills, whether by a load or a store; a system call given it returns -1.
static void test_unmap(void)
{
  enum { N = 64 };
  char *base = grow(N * PGSIZE);
  for (int i = 0; i < N; i++)
    base[i * PGSIZE] = 1;
  uint64 resident_before = resident();
  int free_before = freemem();
  if (sbrk(-N * PGSIZE) != base + N * PGSIZE)
    fail("sbrk(-%d pages) did not return the old break", N);
  if (freemem() - free_before != N)
    fail("shrinking by %d touched pages freed %d", N, freemem() - free_before);
  if (resident_before - resident() != N)
    fail("shrinking by %d touched pages unmapped %d", N, (int)(resident_before - resident()));

  expect_killed(probe_load, (uint64)base, "load from the freed heap");
  expect_killed(probe_store, (uint64)base + (N - 1) * PGSIZE, "store to the freed heap");
  int fds[2];
  if (pipe(fds) < 0)
    fail("pipe failed");
  if (write(fds[1], base, 8) != -1)
    fail("write() from the freed heap did not return -1");
  close(fds[0]);
  close(fds[1]);
}

// Touch lazy pages until memory runs out; called in a child, which the kernel must kill.
static void exhaust_by_touching(uint64 unused)
{
  enum { CHUNK = 64 * KiB };
  set_policy(MEMPOLICY_LAZY);
  for (;;) {
    char *p = malloc(CHUNK);
    if (p == 0)
      exit(2);   // lazy sbrk only fails at MAXVA, far beyond what we can touch
    for (int off = 0; off < CHUNK; off += PGSIZE)
      p[off] = 1;
  }
}

// Out of memory in the fault path kills the process that faulted, not the kernel or
// its parent, and every page comes back.
static void test_oom(void)
{
  int free_before = freemem();
  int status = status_of(exhaust_by_touching, 0);
  if (status == 2)
    fail("malloc returned 0 under the lazy policy before memory ran out");
  if (status != KILLED)
    fail("the child that ran out of memory exited with %d, want %d", status, KILLED);
  if (freemem() != free_before)
    fail("%d free pages before the out-of-memory child, %d after", free_before, freemem());

  // The parent survived and can still allocate.
  char *p = grow(16 * PGSIZE);
  for (int i = 0; i < 16; i++)
    p[i * PGSIZE] = 1;
}

// Out of memory on every hart at once: OOMALL_CHILDREN processes, at least one per hart
// the kernel can run (NCPU), are let go together and touch lazy pages until the kernel
// kills each for lack of memory. As each dies its pages go to the others, so the last
// one standing takes the whole machine. Every child must be killed (status -1, not an
// exit of its own), this process lives on and can allocate, and once the children are
// reaped every page is back.
enum { OOMALL_CHILDREN = NCPU };

// Kill and reap the first n children of pids: the way out when a later fork fails.
static void reap_children(int *pids, int n)
{
  for (int i = 0; i < n; i++)
    kill(pids[i]);
  for (int i = 0; i < n; i++)
    wait(0);
}

// Fork the children, each held at the barrier until the parent closes its write end.
static void start_oom_children(int barrier[2])
{
  static int pids[OOMALL_CHILDREN];
  for (int i = 0; i < OOMALL_CHILDREN; i++) {
    pids[i] = fork();
    if (pids[i] < 0) {
      reap_children(pids, i);
      fail("fork of child %d of %d failed", i + 1, OOMALL_CHILDREN);
    }
    if (pids[i] == 0) {
      char c;
      close(barrier[1]);
      read(barrier[0], &c, 1);   // returns at EOF: everyone starts at once
      exhaust_by_touching(0);
    }
  }
}

static void test_oomall(void)
{
  int free_before = freemem();
  int barrier[2];
  if (pipe(barrier) < 0)
    fail("pipe failed");
  start_oom_children(barrier);
  close(barrier[0]);
  close(barrier[1]);   // go

  int killed = 0, other = 0;
  for (int i = 0; i < OOMALL_CHILDREN; i++) {
    int status;
    if (wait(&status) < 0)
      fail("wait found %d children, want %d", i, OOMALL_CHILDREN);
    if (status == KILLED)
      killed++;
    else
      other = status;
  }
  if (killed != OOMALL_CHILDREN)
    fail("%d of %d children were killed; one exited with %d%s", killed, OOMALL_CHILDREN,
         other, other == 2 ? " (malloc returned 0 under the lazy policy)" : "");
  if (freemem() != free_before)
    fail("%d free pages before the children, %d after", free_before, freemem());

  char *p = grow(16 * PGSIZE);   // the parent survived and can still allocate
  for (int i = 0; i < 16; i++)
    p[i * PGSIZE] = 1;
}

// Take every free page with eager sbrk, halving the request each time one is refused.
// Returns how much was taken; the break has moved up by that much.
static long take_all_memory(void)
{
  long taken = 0;
  set_policy(MEMPOLICY_EAGER);
  for (long chunk = 16 * MiB; chunk >= PGSIZE; ) {
    if (sbrk(chunk) == SBRK_ERROR)
      chunk /= 2;
    else
      taken += chunk;
  }
  return taken;
}

// Out of memory in a system call's copy into lazy heap: the call fails with -1 and the
// process lives on; with memory back, the same call succeeds.
static void test_oomsyscall(void)
{
  int fd = make_file(100);
  long taken = take_all_memory();

  set_policy(MEMPOLICY_LAZY);
  char *fresh = grow(2 * PGSIZE);
  if (fstat(fd, (struct stat *)fresh) != -1)
    fail("fstat into lazy heap with no memory left did not return -1 (%d pages free)",
         freemem());
  if (read(fd, fresh + PGSIZE, 100) != -1)
    fail("read into lazy heap with no memory left did not return -1 (%d pages free)",
         freemem());

  // Give the memory back: the same calls now work.
  if (sbrk(-(taken + 2 * PGSIZE)) == SBRK_ERROR)
    fail("could not give the memory back");
  fresh = grow(2 * PGSIZE);
  if (fstat(fd, (struct stat *)fresh) != 0)
    fail("fstat into lazy heap failed with memory back");
  if (read(fd, fresh + PGSIZE, 100) != 100)
    fail("read into lazy heap failed with memory back");
  if (pattern_mismatch(fresh + PGSIZE, 100, 0) >= 0)
    fail("read into lazy heap got the wrong bytes");
  remove_file(fd);
}

// Leave exactly one free page: take all memory, then give single pages back. A failed
// eager sbrk(PGSIZE) may have kept a page-table page, so the count is read, not assumed.
static void leave_one_free_page(void)
{
  take_all_memory();
  while (freemem() > 1 && sbrk(PGSIZE) != SBRK_ERROR)
    ;
  while (freemem() < 1)
    grow(-PGSIZE);
}

// Out of memory half way through a fault: with one free page, a lazy page in a 2 MiB
// region that has no page-table page yet needs two (the page and the table), so the
// fault gets one of them and must give it back when the other is refused. The call
// fails with -1; the runner's free-page check after the test catches a page kept.
static void test_oomedge(void)
{
  int fd = make_file(100);
  leave_one_free_page();
  set_policy(MEMPOLICY_LAZY);
  char *far = grow(GiB) + GiB / 2;   // far from every mapped page: no page table there
  if (fstat(fd, (struct stat *)far) != -1)
    fail("fstat needing a page and a page table with one page free did not return -1");
  grow(-GiB);
  remove_file(fd);
}

// read() from a file into fresh heap: one call spanning several untouched pages,
// starting in the middle of one.
static void test_sysread(void)
{
  enum { LEN = 3 * PGSIZE + 123, START = 100 };
  int fd = make_file(LEN);
  char *fresh = grow(4 * PGSIZE + START);
  int n = read(fd, fresh + START, LEN);
  if (n != LEN)
    fail("read into fresh heap returned %d, want %d", n, LEN);
  long bad = pattern_mismatch(fresh + START, LEN, 0);
  if (bad >= 0)
    fail("byte %ld read into fresh heap is wrong", bad);
  if (first_nonzero(fresh, START) >= 0)
    fail("read wrote before its buffer");
  remove_file(fd);
}

// write() from fresh heap that nobody touched: the kernel reads zeros.
static void test_syswrite(void)
{
  enum { LEN = 2 * PGSIZE + 5 };
  static char back[LEN];
  char *fresh = grow(3 * PGSIZE);
  int fd = open(TMPFILE, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    fail("cannot create " TMPFILE);
  int n = write(fd, fresh + 10, LEN);
  if (n != LEN)
    fail("write from fresh heap returned %d, want %d", n, LEN);
  close(fd);

  memset(back, 0xff, LEN);
  fd = open(TMPFILE, O_RDONLY);
  if (fd < 0 || read(fd, back, LEN) != LEN)
    fail("cannot read " TMPFILE " back");
  long bad = first_nonzero(back, LEN);
  if (bad >= 0)
    fail("byte %ld written from fresh heap is not zero", bad);
  remove_file(fd);
}

// Pipes into fresh heap: a small read straddling two untouched pages, then a large
// transfer from a writer process, read into fresh heap as it arrives.
static void test_syspipe(void)
{
  enum { SMALL = 300, BIG = 3 * PGSIZE + 77 };
  static char chunk[SMALL];
  int fds[2];
  if (pipe(fds) < 0)
    fail("pipe failed");

  for (int i = 0; i < SMALL; i++)
    chunk[i] = pattern(i);
  if (write(fds[1], chunk, SMALL) != SMALL)
    fail("write to pipe failed");
  char *fresh = grow(2 * PGSIZE);
  char *dst = fresh + PGSIZE - SMALL / 2;
  if (read(fds[0], dst, SMALL) != SMALL)
    fail("read from pipe into fresh heap failed");
  if (pattern_mismatch(dst, SMALL, 0) >= 0)
    fail("pipe data read into fresh heap is wrong");

  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    close(fds[0]);
    for (int off = 0; off < BIG; off += SMALL) {
      int m = BIG - off < SMALL ? BIG - off : SMALL;
      for (int i = 0; i < m; i++)
        chunk[i] = pattern(off + i);
      if (write(fds[1], chunk, m) != m)
        fail("writer: write to pipe failed");
    }
    exit(0);
  }
  close(fds[1]);
  char *big = grow(BIG);
  int got = 0, n;
  while (got < BIG && (n = read(fds[0], big + got, BIG - got)) > 0)
    got += n;
  close(fds[0]);
  int status;
  wait(&status);
  if (status != 0)
    fail("pipe writer exited with %d", status);
  if (got != BIG)
    fail("read %d bytes from the pipe, want %d", got, BIG);
  long bad = pattern_mismatch(big, BIG, 0);
  if (bad >= 0)
    fail("byte %ld read from the pipe into fresh heap is wrong", bad);
}

// Copy s into the heap at dst, returning dst.
static char *heap_string(char *dst, const char *s)
{
  strcpy(dst, s);
  return dst;
}

// exec whose argument vector and strings are in fresh heap: the vector straddles two
// pages, one string straddles two pages, and the empty string is in an untouched page.
static void test_sysexec(void)
{
  char *heap = grow(4 * PGSIZE);
  char *untouched = heap;                          // page 0: nobody writes it
  char **argv = (char **)(heap + 2 * PGSIZE - 16);  // pages 1 and 2
  char *strings = heap + 3 * PGSIZE - 10;          // pages 2 and 3
  char *next = strings;

  argv[0] = heap_string(next, progname);
  next += strlen(progname) + 1;
  for (int i = 0; i < NEXEC_ARGS; i++) {
    if (exec_args[i][0] == 0) {
      argv[1 + i] = untouched + 100;
      continue;
    }
    argv[1 + i] = heap_string(next, exec_args[i]);
    next += strlen(exec_args[i]) + 1;
  }
  argv[1 + NEXEC_ARGS] = 0;

  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    exec(progname, argv);
    fail("exec %s with arguments in fresh heap failed", progname);
  }
  int status;
  wait(&status);
  if (status != 0)
    fail("exec'd lazytests --check-args exited with %d (arguments damaged)", status);
}

// fstat into fresh heap, straddling two untouched pages; it must match fstat into the
// stack. Also fstat given a pointer above the break or into text returns -1 and writes
// nothing there.
static void test_sysfstat(void)
{
  struct stat want;
  int fd = make_file(1000);
  if (fstat(fd, &want) != 0)
    fail("fstat into the stack failed");
  char *fresh = grow(2 * PGSIZE);
  struct stat *got = (struct stat *)(fresh + PGSIZE - 8);
  if (fstat(fd, got) != 0)
    fail("fstat into fresh heap failed");
  if (memcmp(got, &want, sizeof(want)) != 0)
    fail("fstat into fresh heap gave different figures");

  if (fstat(fd, (struct stat *)(sbrk(0) + PGSIZE)) != -1)
    fail("fstat above the break did not return -1");
  static struct stat text_before;
  void *text = (void *)test_sysfstat;
  memcpy(&text_before, text, sizeof(text_before));
  if (fstat(fd, (struct stat *)text) != -1)
    fail("fstat into text did not return -1");
  if (memcmp(&text_before, text, sizeof(text_before)) != 0)
    fail("fstat into text changed the text");
  remove_file(fd);
}

// Recurse until the stack runs into its guard page. The frame stays live across the
// call (the result uses it), so the compiler cannot turn this into a loop.
static int dive(int depth)
{
  volatile char frame[128];
  frame[0] = (char)depth;
  if (depth > 1000000)
    return 0;   // never reached: the stack is one page
  return dive(depth + 1) + frame[0];
}

static void overflow_stack(uint64 unused)
{
  sink = (char)dive(0);
}

// The page below the stack is a guard: a user access to it kills (a stack overflow
// included), and a system call given a pointer into it returns -1.
static void test_guard(void)
{
  struct memstat st = self();
  uint64 guard = st.stack_base - PGSIZE;
  uint64 here = (uint64)&st;
  if (here < st.stack_base || here >= st.heap_base)
    fail("memstat says the stack is [%p, %p) but a local is at %p",
         (void *)st.stack_base, (void *)st.heap_base, (void *)here);

  expect_killed(probe_load, guard, "load from the guard page");
  expect_killed(probe_store, guard + PGSIZE - 1, "store to the guard page");
  expect_killed(overflow_stack, 0, "stack overflow");

  int fd = make_file(100);
  if (read(fd, (void *)guard, 8) != -1)
    fail("read() into the guard page did not return -1");
  int fds[2];
  if (pipe(fds) < 0)
    fail("pipe failed");
  if (write(fds[1], (void *)guard, 8) != -1)
    fail("write() from the guard page did not return -1");
  close(fds[0]);
  close(fds[1]);
  remove_file(fd);
}

// Store val at va with the stack pointer set to sp for the duration. The seeds took
// "below the saved sp" to mean "stack, not heap"; a program may point sp anywhere.
static void store_with_sp(uint64 sp, uint64 va, uint64 val)
{
  asm volatile("mv t0, sp\n"
               "mv sp, %0\n"
               "sd %2, 0(%1)\n"
               "mv sp, t0\n"
               :
               : "r"(sp), "r"(va), "r"(val)
               : "t0", "memory");
}

// The saved user sp is not a bound: a lazy heap page below a moved sp still faults in.
static void test_spbound(void)
{
  set_policy(MEMPOLICY_LAZY);
  char *heap = grow(4 * PGSIZE);
  uint64 top = (uint64)heap + 4 * PGSIZE;
  store_with_sp(top, (uint64)heap, 42);
  if (*(uint64 *)heap != 42)
    fail("store below a moved sp did not land");
}

// Text is mapped without write permission: a store to it kills.
static void test_textwrite(void)
{
  expect_killed(probe_store, (uint64)test_textwrite, "store to text");
  expect_runs(probe_load, (uint64)test_textwrite, "load from text");
}

// The heap is never executable: jumping into it kills, whether the page is present
// (holding a valid instruction) or still lazy.
static void jump_to(uint64 va)
{
  ((void (*)(void))va)();
}

static void test_heapexec(void)
{
  uint32 *code = (uint32 *)grow(2 * PGSIZE);
  code[0] = 0x00008067;   // ret
  expect_killed(jump_to, (uint64)code, "jump into a present heap page");
  expect_killed(jump_to, (uint64)code + PGSIZE, "jump into a lazy heap page");
}

// Nothing above the break is there: a load from it kills, and so does one from the
// trap frame (mapped, but not for user mode) or a kernel address.
static void test_abovebreak(void)
{
  uint64 brk = (uint64)sbrk(0);
  expect_killed(probe_load, PGROUNDUP(brk), "load at the break");
  expect_killed(probe_load, PGROUNDUP(brk) + 16 * MiB, "load 16 MiB above the break");
  expect_killed(probe_load, TRAPFRAME, "load from the trap frame");
  expect_killed(probe_load, MAXVA, "load at MAXVA");
  expect_killed(probe_load, KERNBASE | 0xffffffc000000000UL, "load from a kernel address");
  int fd = make_file(100);
  if (read(fd, (void *)(PGROUNDUP(brk) + PGSIZE), 1) != -1)
    fail("read() above the break did not return -1");
  remove_file(fd);
}

// Shrink to an address that is not page-aligned, then grow back: the page holding the
// new break stays mapped (it is still partly in use), but everything that comes back
// above the old break must read as zeros, as any fresh heap does.
static void check_regrow(long size, long shrink)
{
  char *base = grow(size);
  memset(base, 0xab, size);
  uint64 before = resident();
  grow(-shrink);
  char *brk = base + size - shrink;
  uint64 freed = PGROUNDUP((uint64)base + size) / PGSIZE - PGROUNDUP((uint64)brk) / PGSIZE;
  if (before - resident() != freed)
    fail("shrinking %ld to %ld bytes unmapped %d pages, want %d", size, size - shrink,
         (int)(before - resident()), (int)freed);
  for (char *p = base; p < brk; p++)
    if (*(unsigned char *)p != 0xab)
      fail("byte %ld below the new break changed", (long)(p - base));

  grow(shrink);
  long bad = first_nonzero(brk, shrink);
  if (bad >= 0)
    fail("after shrinking %ld bytes and growing back, byte %ld above the old break "
         "(offset %ld in its page) reads %x, want 0",
         shrink, bad, (long)(((uint64)brk + bad) % PGSIZE),
         *(unsigned char *)(brk + bad));
  grow(-size);
}

static void test_regrow(void)
{
  check_regrow(2 * PGSIZE + 100, PGSIZE + 50);   // the brief's example
  check_regrow(PGSIZE, 10);                      // inside one page
}

// sbrk may not shrink the heap below its start, into the stack, data or text: it returns
// -1 and changes nothing (a shrink below address 0 is a no-op, as on xv6).
static void test_belowheap(void)
{
  static int data = 12345;
  struct memstat st = self();
  char *brk = sbrk(0);
  long to_base = (long)((uint64)brk - st.heap_base);
  long tries[] = { -(to_base + 1), -(to_base + PGSIZE), -(long)(uint64)brk };
  for (int i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
    if (tries[i] < -0x7fffffff - 1)
      continue;   // does not fit sbrk's int
    if (sbrk((int)tries[i]) != SBRK_ERROR)
      fail("sbrk(%ld) below the heap start did not return -1", tries[i]);
    if (sbrk(0) != brk)
      fail("refused sbrk(%ld) moved the break", tries[i]);
  }
  // Below address 0 is not refused: as on xv6, the old break and nothing changed.
  long below_zero[] = { -(long)(uint64)brk - 1, -0x7fffffff - 1 };
  for (int i = 0; i < sizeof(below_zero) / sizeof(below_zero[0]); i++)
    if (sbrk((int)below_zero[i]) != brk || sbrk(0) != brk)
      fail("sbrk(%ld), below address 0, did not leave the break at %p", below_zero[i], brk);

  // With a heap in use, one byte too far is refused and the heap is left as it was.
  char *heap = grow(3 * PGSIZE + 10);
  memset(heap, 7, 3 * PGSIZE + 10);
  long all = (long)(sbrk(0) - (char *)st.heap_base);
  if (sbrk(-(all + 1)) != SBRK_ERROR)
    fail("sbrk one byte below the heap start did not return -1");
  if (heap[0] != 7 || heap[3 * PGSIZE + 9] != 7)
    fail("refused shrink damaged the heap");
  if (data != 12345 || self().resident != st.resident + 4)
    fail("refused shrink changed the data or the resident pages");
  if (sbrk(-all) == SBRK_ERROR || (uint64)sbrk(0) != st.heap_base)
    fail("shrinking exactly to the heap start failed");
}

// sbrk by the largest int, over and over: the break climbs until the next step would
// reach the trap frame, then sbrk returns -1 and the break stays put. Up to there the
// heap is usable; the page above it is not.
static void test_overflow(void)
{
  set_policy(MEMPOLICY_LAZY);   // this is about address space, not memory
  enum { STEP = 0x7fffffff };
  char *start = sbrk(0);
  uint64 before = resident();
  int steps = 0;
  while (sbrk(STEP) != SBRK_ERROR) {
    if (++steps > (int)(MAXVA / STEP))
      fail("sbrk went past MAXVA: break %p", sbrk(0));
  }
  uint64 brk = (uint64)sbrk(0);
  if (brk > TRAPFRAME)
    fail("the break %p reached the trap frame %p", (void *)brk, (void *)TRAPFRAME);
  if (TRAPFRAME - brk >= STEP)
    fail("sbrk(%d) refused with %p still free below the trap frame", STEP,
         (void *)(TRAPFRAME - brk));
  if (brk < TRAPFRAME && sbrk(TRAPFRAME - brk) == SBRK_ERROR)
    fail("sbrk up to exactly the trap frame failed");
  if (sbrk(1) != SBRK_ERROR || (uint64)sbrk(0) != TRAPFRAME)
    fail("sbrk past the trap frame did not return -1 with the break unchanged");

  uint64 *top = (uint64 *)(TRAPFRAME - 8);
  *top = 99;   // the highest heap page faults in like any other
  if (*top != 99)
    fail("the top heap page lost its value");
  expect_killed(probe_store, TRAPFRAME, "store to the trap frame");

  while ((uint64)sbrk(0) - (uint64)start > STEP)
    grow(-STEP);
  grow(-(int)((uint64)sbrk(0) - (uint64)start));
  if (resident() != before)
    fail("%d pages still resident after shrinking back", (int)(resident() - before));
}

// fork copies the pages that are there and nothing else: the child sees the parent's
// values and has exactly as many resident pages; the copies are private.
static void test_forksparse(void)
{
  enum { PAGES = 16384, STRIDE = 37 };
  set_policy(MEMPOLICY_LAZY);   // "untouched pages stay absent" needs lazy pages
  uint64 *heap = (uint64 *)grow((long)PAGES * PGSIZE);
  for (int i = 0; i < PAGES; i += STRIDE)
    heap[i * (PGSIZE / 8)] = mark(2, i);
  uint64 parent_resident = resident();

  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    uint64 child_resident = resident();
    if (child_resident != parent_resident)
      fail("child of a sparse heap has %d resident pages, parent %d",
           (int)child_resident, (int)parent_resident);
    for (int i = 0; i < PAGES; i += STRIDE)
      if (heap[i * (PGSIZE / 8)] != mark(2, i))
        fail("child sees the wrong value in heap page %d", i);
    if (heap[1 * (PGSIZE / 8)] != 0)
      fail("child sees a non-zero untouched page");
    heap[0] = 0;   // the child's copy is its own
    exit(0);
  }
  int status;
  wait(&status);
  if (status != 0)
    fail("child exited with %d", status);
  if (heap[0] != mark(2, 0))
    fail("the child's store reached the parent");
  if (resident() != parent_resident)
    fail("the parent's resident pages changed while the child ran");
}

// exec from a sparse heap frees what is mapped and nothing else (the runner's free-page
// check catches a leak or a double free).
static void test_execsparse(void)
{
  set_policy(MEMPOLICY_LAZY);
  char *heap = grow(GiB);
  for (long off = 0; off < GiB; off += GiB / 128)
    heap[off] = 1;
  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    char *argv[] = { progname, "--print-policy", 0 };
    exec(progname, argv);
    fail("exec from a sparse heap failed");
  }
  int status;
  wait(&status);
  if (status != 10 + MEMPOLICY_LAZY)
    fail("exec'd lazytests --print-policy exited with %d", status);
}

// Several processes fault at the same time, on as many harts as there are: each grows,
// touches and checks its own pages, shrinks, and does it again.
enum { NWORKERS = 3, WORKER_PAGES = 1500, WORKER_ROUNDS = 6 };

static void fault_worker(int id, int barrier)
{
  char c;
  read(barrier, &c, 1);   // returns at EOF, when the parent lets everyone go at once
  for (int round = 0; round < WORKER_ROUNDS; round++) {
    // Odd rounds eager: the allocator is hit back to back, the most contention for
    // its lock; even rounds lazy: one fault per page.
    set_policy(round % 2 ? MEMPOLICY_EAGER : MEMPOLICY_LAZY);
    uint64 *heap = (uint64 *)grow((long)WORKER_PAGES * PGSIZE);
    for (int i = 0; i < WORKER_PAGES; i++) {
      heap[i * (PGSIZE / 8)] = mark(id, i + round);
      heap[i * (PGSIZE / 8) + 511] = ~mark(id, i + round);
    }
    for (int i = 0; i < WORKER_PAGES; i++)
      if (heap[i * (PGSIZE / 8)] != mark(id, i + round) ||
          heap[i * (PGSIZE / 8) + 511] != ~mark(id, i + round))
        fail("worker %d round %d: page %d holds someone else's data", id, round, i);
    grow(-(long)WORKER_PAGES * PGSIZE);
  }
}

static void test_concurrent(void)
{
  int barrier[2];
  if (pipe(barrier) < 0)
    fail("pipe failed");
  for (int id = 0; id < NWORKERS; id++) {
    int pid = fork();
    if (pid < 0)
      fail("fork failed");
    if (pid == 0) {
      close(barrier[1]);
      fault_worker(3 + id, barrier[0]);
      exit(0);
    }
  }
  close(barrier[0]);
  close(barrier[1]);   // go
  int failed = 0;
  for (int i = 0; i < NWORKERS; i++) {
    int status;
    wait(&status);
    if (status != 0)
      failed++;
  }
  if (failed)
    fail("%d of %d workers failed", failed, NWORKERS);
}

// Set policy here, then check that a forked child sees it and that exec keeps it.
static void check_inherited(int policy)
{
  set_policy(policy);
  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (mempolicy(MEMPOLICY_QUERY) != policy || self().policy != policy)
      fail("forked child has policy %d, parent set %d", mempolicy(MEMPOLICY_QUERY), policy);
    char *argv[] = { progname, "--print-policy", 0 };
    exec(progname, argv);
    fail("exec %s failed", progname);
  }
  int status;
  wait(&status);
  if (status != 10 + policy)
    fail("after fork and exec the policy is %d, want %d (%s)", status - 10, policy,
         policy_name(policy));
}

// The policy call itself: it returns the old policy, QUERY changes nothing, a bad
// value is refused. Then inheritance across fork and exec, for every policy.
static void test_inherit(void)
{
  int old = mempolicy(MEMPOLICY_QUERY);
  if (old < 0 || old >= MEMPOLICY_COUNT)
    fail("mempolicy(QUERY) = %d", old);
  if (mempolicy(MEMPOLICY_EAGER) != old || mempolicy(MEMPOLICY_LAZY) != MEMPOLICY_EAGER)
    fail("mempolicy did not return the old policy");
  if (mempolicy(7) != -1 || mempolicy(MEMPOLICY_QUERY) != MEMPOLICY_LAZY)
    fail("a bad policy was not refused, or changed the policy");
  check_inherited(MEMPOLICY_EAGER);
  check_inherited(MEMPOLICY_FAULTAROUND);
  check_inherited(MEMPOLICY_LAZY);
}

// What the policy means in resident pages: eager sbrk maps every page at once, lazy
// sbrk maps none until they are touched. The break moves the same way in both.
static void test_residency(void)
{
  enum { PAGES = 64, TOUCH = 10 };
  struct memstat before = self();

  set_policy(MEMPOLICY_LAZY);
  char *lazy = grow(PAGES * PGSIZE);
  struct memstat st = self();
  if (st.resident != before.resident || st.vsz != before.vsz + PAGES * PGSIZE)
    fail("lazy sbrk: %d resident pages and vsz +%d, want 0 and +%d",
         (int)(st.resident - before.resident), (int)(st.vsz - before.vsz), PAGES * PGSIZE);
  for (int i = 0; i < TOUCH; i++)
    lazy[i * PGSIZE] = 1;
  if (resident() != before.resident + TOUCH)
    fail("touching %d lazy pages made %d resident", TOUCH,
         (int)(resident() - before.resident));

  set_policy(MEMPOLICY_EAGER);
  uint64 r = resident();
  grow(PAGES * PGSIZE);
  st = self();
  if (st.resident != r + PAGES || st.policy != MEMPOLICY_EAGER)
    fail("eager sbrk of %d pages made %d resident", PAGES, (int)(st.resident - r));

  grow(-2 * PAGES * PGSIZE);
  if (resident() != before.resident)
    fail("shrinking back left %d pages resident", (int)(resident() - before.resident));
}

// ---- Fault-around -------------------------------------------------------------------------
// Under MEMPOLICY_FAULTAROUND a lazy fault at the page right after what the previous one
// mapped maps twice as many pages (up to AROUND_CAP), any other maps its page alone
// (kernel/vmfault.c). Each test below sets the policy itself and ends the window one way.

// Move the break up to a page boundary, so that the pages counted from it start fresh
// (the page holding an unaligned break may already be present).
static void align_break(void)
{
  uint64 off = (uint64)sbrk(0) % PGSIZE;
  if (off)
    grow(PGSIZE - off);
}

// Grow by n pages under fault-around (setting the policy ends any earlier run); the top
// page is touched first, so that every window below ends at it at the latest. Returns
// the base; *base_resident is the resident count to measure from (the top page included).
static char *around_heap(int n, uint64 *base_resident)
{
  set_policy(MEMPOLICY_FAULTAROUND);
  align_break();
  char *base = grow((long)(n + 1) * PGSIZE);
  base[(long)n * PGSIZE] = 1;
  *base_resident = resident();
  return base;
}

// Store to page i of base; resident pages must then be from + want.
static void touch_expect(char *base, int i, uint64 from, int want, const char *why)
{
  base[(long)i * PGSIZE] = 1;
  int got = (int)(resident() - from);
  if (got != want)
    fail("%s: after touching page %d, %d pages resident, want %d", why, i, got, want);
}

// The window doubles while the faults run on sequentially, then stays at its cap; the
// pages it maps read as zeros and take stores.
static void test_around(void)
{
  enum { N = 400 };
  uint64 from;
  char *base = around_heap(N, &from);
  // Each fault hits the first page after the previous window: 1, 2, 4 ... 128, 128 pages.
  int mapped = 0, page = 0, window = 1;
  while (page + window <= N) {
    mapped += window;
    touch_expect(base, page, from, mapped, "sequential run");
    page += window;
    window = window * 2 > AROUND_CAP ? AROUND_CAP : window * 2;
  }
  if (mapped != 255 + 128)
    fail("the run mapped %d pages, want %d", mapped, 255 + 128);
  for (int i = 1; i < mapped; i++) {
    uint64 *page = (uint64 *)(base + (long)i * PGSIZE);   // word 0 of touched pages is 1
    if (page[1] != 0 || page[PGSIZE / 8 - 1] != 0)
      fail("page %d mapped by fault-around is not zero", i);
    page[PGSIZE / 8 - 1] = mark(2, i);
  }
  if (resident() - from != mapped)
    fail("stores to the window's pages faulted in more pages");
}

// A fault anywhere but the page after the run maps its page alone and starts a new run.
static void test_aroundbreak(void)
{
  enum { N = 64 };
  uint64 from;
  char *base = around_heap(N, &from);
  touch_expect(base, 0, from, 1, "first fault");
  touch_expect(base, 1, from, 3, "second fault in a row");        // pages 1, 2
  touch_expect(base, 10, from, 4, "a fault away from the run");   // page 10 alone
  touch_expect(base, 11, from, 6, "the new run's second fault");  // pages 11, 12
  touch_expect(base, 3, from, 7, "a fault behind the run");       // page 3 alone
  touch_expect(base, 5, from, 8, "a fault that skips a page");    // page 5 alone
  touch_expect(base, 6, from, 10, "the run from page 5");         // pages 6, 7
  // Page 8 continues the run, but the window (4 pages) ends at the present page 10.
  touch_expect(base, 8, from, 12, "a window that meets a present page");  // 8, 9
}

// The window never goes past the break, however far the run got; moving the break up
// lets the run go on at its pace.
static void test_aroundbrk(void)
{
  set_policy(MEMPOLICY_FAULTAROUND);   // no run yet
  align_break();
  uint64 from = resident();
  char *base = grow(5 * PGSIZE);
  touch_expect(base, 0, from, 1, "first fault");
  touch_expect(base, 1, from, 3, "second fault");   // pages 1, 2
  touch_expect(base, 3, from, 5, "a window cut at the break");   // 3, 4 of 4
  if (sbrk(0) != base + 5 * PGSIZE)
    fail("fault-around moved the break");
  expect_killed(probe_store, (uint64)base + 5 * PGSIZE, "store at the break after fault-around");
  grow(16 * PGSIZE);
  touch_expect(base, 5, from, 13, "the run on past the old break");   // 5 .. 12
}

// Out of memory cuts the window short and never fails the fault: a process that runs on
// sequentially while at least two pages are free (its own page and a page-table page)
// is never killed, though its windows ask for up to AROUND_CAP pages.
static void around_exhaust(uint64 unused)
{
  set_policy(MEMPOLICY_FAULTAROUND);
  long pages = freemem() + 2 * AROUND_CAP;
  char *base = sbrk(pages * PGSIZE);
  if (base == SBRK_ERROR)
    exit(2);
  long i = 0;
  while (i < pages && freemem() >= 2) {
    uint64 r = resident();
    base[i * PGSIZE] = 1;
    uint64 mapped = resident() - r;   // the run's pages are contiguous from page i
    i += mapped ? mapped : 1;
  }
  if (freemem() >= 2)
    exit(3);   // ran out of heap before memory: not the case this test is about
  exit(0);
}

static void test_aroundoom(void)
{
  int free_before = freemem();
  int status = status_of(around_exhaust, 0);
  if (status == KILLED)
    fail("killed while at least two pages were free: the window's pages cost the fault");
  if (status != 0)
    fail("the child exited with %d (2: sbrk failed, 3: heap ran out first)", status);
  if (freemem() != free_before)
    fail("%d free pages before the child, %d after", free_before, freemem());
}

// Shrinking the heap below a window frees the window's pages, touched or not; the pages
// come back zeroed, and a fault there after growing again starts a new run.
static void test_aroundshrink(void)
{
  enum { N = 64 };
  uint64 from;
  char *base = around_heap(N, &from);
  touch_expect(base, 0, from, 1, "first fault");
  touch_expect(base, 1, from, 3, "second fault");   // pages 1, 2
  touch_expect(base, 3, from, 7, "third fault");    // pages 3 .. 6
  base[5 * PGSIZE + 100] = 5;   // pages of the window, never touched by a fault
  base[6 * PGSIZE + 100] = 6;
  int free_before = freemem();
  char *brk = sbrk(0);
  if (sbrk(-(brk - (base + 5 * PGSIZE))) == SBRK_ERROR)
    fail("shrinking to page 5 failed");
  // Pages 5 and 6 (the window) and the top page go.
  if (freemem() - free_before != 3 || resident() - from != 4)
    fail("shrinking below the window freed %d pages and left %d, want 3 and 4",
         freemem() - free_before, (int)(resident() - from));
  expect_killed(probe_load, (uint64)base + 6 * PGSIZE, "load from the shrunk window");
  grow(N * PGSIZE);
  if (base[5 * PGSIZE + 100] != 0)
    fail("page 5 came back with its old contents");
  if (resident() - from != 5)
    fail("the fault at page 5 after regrowing mapped %d pages, want 1 (a new run)",
         (int)(resident() - from - 4));
  touch_expect(base, 6, from, 7, "the new run's second fault");   // pages 6, 7
  if (base[6 * PGSIZE + 100] != 0)
    fail("page 6 came back with its old contents");
}

// exec ends the run: the new image's first fault maps its page alone, even at the very
// address where the old image's run would have gone on with a window of 16 pages. (The
// same program keeps the same heap start, so that address is in the new heap.) The run
// is built in the child that execs, since fork starts the child without one.
static void test_aroundexec(void)
{
  enum { N = 64 };
  int pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    uint64 from;
    char *base = around_heap(N, &from);
    touch_expect(base, 0, from, 1, "first fault");
    touch_expect(base, 1, from, 3, "second fault");    // pages 1, 2
    touch_expect(base, 3, from, 7, "third fault");     // pages 3 .. 6
    touch_expect(base, 7, from, 15, "fourth fault");   // pages 7 .. 14; next: 16 from 15
    char addr[24];
    append_num(addr, (uint64)(base + 15 * PGSIZE), 16);
    char *argv[] = { progname, "--touch-at", addr, 0 };
    exec(progname, argv);
    fail("exec %s failed", progname);
  }
  int status;
  wait(&status);
  if (status != 10 + 1)
    fail("after exec, the first fault where the old run would go on mapped %d pages, "
         "want 1", status - 10);
}

// ---- The runner ---------------------------------------------------------------------------

struct test {
  const char *name;
  void (*fn)(void);
};

static struct test tests[] = {
  { "sparse", test_sparse },
  { "unmap", test_unmap },
  { "oom", test_oom },
  { "oomall", test_oomall },
  { "oomsyscall", test_oomsyscall },
  { "oomedge", test_oomedge },
  { "sysread", test_sysread },
  { "syswrite", test_syswrite },
  { "syspipe", test_syspipe },
  { "sysexec", test_sysexec },
  { "sysfstat", test_sysfstat },
  { "guard", test_guard },
  { "spbound", test_spbound },
  { "textwrite", test_textwrite },
  { "heapexec", test_heapexec },
  { "abovebreak", test_abovebreak },
  { "regrow", test_regrow },
  { "belowheap", test_belowheap },
  { "overflow", test_overflow },
  { "forksparse", test_forksparse },
  { "execsparse", test_execsparse },
  { "concurrent", test_concurrent },
  { "inherit", test_inherit },
  { "residency", test_residency },
  { "around", test_around },
  { "aroundbreak", test_aroundbreak },
  { "aroundbrk", test_aroundbrk },
  { "aroundoom", test_aroundoom },
  { "aroundshrink", test_aroundshrink },
  { "aroundexec", test_aroundexec },
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

// How long one test may run, in clock ticks (0.1 s). The whole suite takes seconds; a
// test that takes this long is stuck, typically in a fault that never resolves.
#define TEST_TIMEOUT 300

// Kill the test after TEST_TIMEOUT ticks, so that a kernel bug that hangs one test fails
// that test instead of the run. The test's children must go too, or they would hold
// the reason pipe open; xv6 has no process groups, but pids only grow, so every process
// created after this watchdog is the test or one of its descendants.
//
// The caller forks the watchdog before the test and before taking its free-page
// baseline: a watchdog forked while the test runs would take pages from under a test
// that counts them (test_oom, test_oomall, test_unmap compare freemem() before and
// after), and on several harts the test could read its baseline before or after that
// fork, at random.
//
// The watchdog closes the reason pipe fds: holding its write end would keep the
// runner's read from seeing the end of the test.
static int start_watchdog(int fds[2])
{
  int pid = fork();
  if (pid != 0)
    return pid;
  close(fds[0]);
  close(fds[1]);
  sleep(TEST_TIMEOUT);
  int me = getpid();
  for (int victim = me + 1; victim < me + 10000; victim++)
    kill(victim);
  exit(0);
}

// Read what the test process wrote to fd until every writer has exited.
static int read_reason(int fd, char *buf, int max)
{
  int len = 0, n;
  while (len < max - 1 && (n = read(fd, buf + len, max - 1 - len)) > 0)
    len += n;
  buf[len] = 0;
  return len;
}

// Fork the watchdog, then the test process, which runs t with the reason pipe's write
// end. Returns the test's pid, or -1 with neither left running if a fork failed.
static int spawn_test(struct test *t, int fds[2], int *watchdog)
{
  *watchdog = start_watchdog(fds);
  if (*watchdog < 0)
    return -1;
  int pid = fork();
  if (pid < 0) {
    kill(*watchdog);
    wait(0);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    reason_fd = fds[1];
    t->fn();
    exit(0);
  }
  return pid;
}

// Run t in a child; print its verdict. Returns 1 if it passed.
static int run_test(struct test *t)
{
  static char why[200];
  int fds[2];
  vmtrace_mark_test(t->name);   // lets a recording be cut per test
  if (pipe(fds) < 0) {
    printf("test %s: FAILED (runner: pipe failed)\n", t->name);
    return 0;
  }
  int free_before = freemem();   // before the watchdog: both are gone at free_after
  int started = uptime();
  int watchdog;
  int pid = spawn_test(t, fds, &watchdog);
  if (pid < 0) {
    printf("test %s: FAILED (runner: fork failed)\n", t->name);
    close(fds[0]);
    close(fds[1]);
    return 0;
  }
  close(fds[1]);
  int len = read_reason(fds[0], why, sizeof(why));
  int status = 0;
  for (int children = 2; children > 0; children--) {
    int st;
    int done = wait(&st);
    if (done == pid) {
      status = st;
      kill(watchdog);   // if it is still asleep, it exits without killing anyone
    }
  }
  int timed_out = uptime() - started >= TEST_TIMEOUT;
  int free_after = freemem();
  close(fds[0]);

  if (timed_out)
    printf("test %s: FAILED (timed out after %d s)\n", t->name, TEST_TIMEOUT / 10);
  else if (len > 0)   // every reason starts with "; "
    printf("test %s: FAILED (%s)\n", t->name, why + 2);
  else
    return test_verdict(t->name, status, free_before, free_after);
  return 0;
}

static struct test *find_test(const char *name)
{
  for (int i = 0; i < NTESTS; i++)
    if (strcmp(tests[i].name, name) == 0)
      return &tests[i];
  return 0;
}

static void usage(void)
{
  fprintf(2, "usage: lazytests [NAME...]\ntests:");
  for (int i = 0; i < NTESTS; i++)
    fprintf(2, " %s", tests[i].name);
  fprintf(2, "\n");
}

int main(int argc, char *argv[])
{
  progname = argv[0];
  if (argc >= 2 && strcmp(argv[1], "--print-policy") == 0)
    return print_policy();
  if (argc >= 2 && strcmp(argv[1], "--check-args") == 0)
    return check_args(argc, argv);
  if (argc == 3 && strcmp(argv[1], "--touch-at") == 0)
    return touch_at(argv[2]);

  // Which tests: all, or those named. Unknown names are an error before anything runs.
  static struct test *chosen[NTESTS];
  int nchosen = 0;
  for (int i = 1; i < argc; i++) {
    struct test *t = find_test(argv[i]);
    if (t == 0 || nchosen == NTESTS) {
      fprintf(2, "lazytests: no test %s\n", argv[i]);
      usage();
      return 1;
    }
    chosen[nchosen++] = t;
  }
  if (nchosen == 0)
    for (int i = 0; i < NTESTS; i++)
      chosen[nchosen++] = &tests[i];

  // These tests are about lazy memory: a caller that chose no policy gets the lazy one
  // (as `lazy lazytests` would); `eager lazytests` and `faultaround lazytests` keep theirs.
  if (mempolicy(MEMPOLICY_QUERY) == MEMPOLICY_DEFAULT)
    set_policy(MEMPOLICY_LAZY);
  printf("lazytests: %d tests, policy %s; \"killed\" lines from the kernel are expected\n",
         nchosen, policy_name(mempolicy(MEMPOLICY_QUERY)));
  int free_before = freemem();
  static const char *failed[NTESTS + 1];
  int nfailed = 0;
  for (int i = 0; i < nchosen; i++)
    if (!run_test(chosen[i]))
      failed[nfailed++] = chosen[i]->name;
  int free_after = freemem();
  if (free_after != free_before) {
    printf("free pages: %d before the run, %d after\n", free_before, free_after);
    failed[nfailed++] = "freemem";
  }

  if (nfailed == 0) {
    printf("ALL TESTS PASSED\n");
    return 0;
  }
  printf("SOME TESTS FAILED:");
  for (int i = 0; i < nfailed; i++)
    printf(" %s", failed[i]);
  printf("\n");
  return 1;
}
