// Pages copied after fork: fork+exec of a shell-sized process, and the same process's
// child writing every page it has, for contrast.
//
// Shell-sized: as many writable pages (data, bss, heap) as sh's image has, all present.
// sh keeps its line, tokens and command tree in static arrays and never grows a heap,
// so its data and bss are all it writes; the text (shared for good under copy-on-write)
// is this program's own. Each round forks under one policy; the child either
//   exec: runs `forkbench -R FD` at once, writing nothing but its stack on the way, as
//         sh's child does (run_here, run_exec: argv is built before the fork), and the
//         exec'd program reports the child's counters, which exec keeps; or
//   writeall: stores to every page of data, bss, heap and stack, then reports.
// The parent reads the report, waits, and takes its own counters' growth since just
// before the fork: its copies are of pages it wrote while the child still held them
// (before the exec), its take-overs of pages it wrote after.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/param.h"
#include "kernel/memstat.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"
#include "user/forkbench/forkbench.h"

#define GOAL_EXEC_PAGES 4   // fork+exec: at most this many pages copied, parent and child

// What one round measured.
struct round {
  struct child_report child;
  struct cow parent;
  long ns;   // fork to wait's return
  int ok;
};

// The process's writable ranges, for the child that writes them all.
static struct memstat layout;
static struct image me;

static void fail(const char *what)
{
  fprintf(2, "forkbench: %s\n", what);
  exit(1);
}

// Heap grown or cut so that data, bss and heap together are sh's data and bss, every
// page present. Returns the resident pages; *sh_pages gets sh's (text, data, bss, stack).
static long become_shell_sized(long *sh_pages)
{
  struct image sh;
  if (image_pages("/sh", &sh) < 0 || image_pages(self, &me) < 0)
    fail("cannot read the ELF headers of /sh or of this program");
  *sh_pages = sh.text_pages + sh.write_pages + USERSTACK;
  mempolicy(MEMPOLICY_EAGER);
  if (memstat(0, &layout) < 0)
    fail("memstat failed");
  long heap = sh.write_pages > me.write_pages ? sh.write_pages - me.write_pages : 0;
  char *brk = sbrk(0);
  if (sbrk((int)((long)layout.heap_base + heap * PGSIZE - (long)brk)) == SBRK_ERROR)
    fail("cannot size the heap");
  for (long i = 0; i < heap; i++)
    poke(layout.heap_base + i * PGSIZE, 1);
  memstat(0, &layout);
  return (long)layout.resident;
}

// Store to every page of [lo, hi) what it holds already.
static void rewrite(uint64 lo, uint64 hi)
{
  for (uint64 va = lo; va < hi; va += PGSIZE)
    poke(va, peek(va));
}

static void exec_child(int fd)
{
  char arg[24];
  char *argv[] = { (char *)self, "-R", arg, 0 };
  append_num(arg, fd, 10);
  exec(self, argv);
  exit(1);
}

static void writeall_child(int fd)
{
  uint64 t0 = clock_now();
  rewrite(me.write_lo, me.write_hi);
  rewrite(layout.heap_base, layout.vsz);
  rewrite(layout.stack_base, layout.stack_base + USERSTACK * PGSIZE);
  struct child_report r = { cow_now(), (long)clock_ns(clock_now() - t0) };
  exit(write(fd, &r, sizeof r) == sizeof r ? 0 : 1);
}

// One fork under policy; the child runs child_side with the pipe's write end.
static struct round fork_round(int policy, void (*child_side)(int fd))
{
  struct round r;
  int p[2], st = -1;
  memset(&r, 0, sizeof r);
  if (pipe(p) < 0)
    fail("pipe failed");
  forkpolicy(policy);
  struct cow before = cow_now();
  uint64 t0 = clock_now();
  int pid = fork();
  if (pid == 0)
    child_side(p[1]);
  if (pid < 0)
    fail("fork failed");
  close(p[1]);
  int n = read(p[0], &r.child, sizeof r.child);
  wait(&st);
  r.ns = (long)clock_ns(clock_now() - t0);
  r.parent = cow_since(before);
  close(p[0]);
  r.ok = n == sizeof r.child && st == 0;
  return r;
}

// Rounds of one case under both policies, interleaved; its CSV lines. Returns the cow
// policy's most and median pages copied, parent and child together.
static void run_case(const char *name, void (*child_side)(int fd), long resident,
                     long *most, long *median)
{
  enum { COPIED, CHILD_COPIED, CHILD_TAKEN, PARENT_COPIED, PARENT_TAKEN, NS, NMETRICS };
  static const char *const metric[NMETRICS] = { "copied_pages", "child_copied_pages",
    "child_taken_pages", "parent_copied_pages", "parent_taken_pages", "total_ns" };
  long v[FORKPOLICY_COUNT][NMETRICS][MAX_ROUNDS];
  int ok[FORKPOLICY_COUNT] = { 1, 1 };
  for (int i = 0; i < rounds; i++)
    for (int p = 0; p < FORKPOLICY_COUNT; p++) {
      struct round r = fork_round(p, child_side);
      ok[p] &= r.ok;
      v[p][COPIED][i] = r.child.cow.copied + r.parent.copied;
      v[p][CHILD_COPIED][i] = r.child.cow.copied;
      v[p][CHILD_TAKEN][i] = r.child.cow.taken;
      v[p][PARENT_COPIED][i] = r.parent.copied;
      v[p][PARENT_TAKEN][i] = r.parent.taken;
      v[p][NS][i] = r.ns;
    }
  for (int p = 0; p < FORKPOLICY_COUNT; p++) {
    long res[MAX_ROUNDS];
    for (int i = 0; i < rounds; i++)
      res[i] = resident;
    csv_row(name, p, resident, "pages", "resident_pages", res, rounds, "pages", ok[p]);
    for (int m = 0; m < NMETRICS; m++)
      csv_row(name, p, resident, "pages", metric[m], v[p][m], rounds,
              m == NS ? "ns" : "pages", ok[p]);
  }
  struct stat3 c = stat3_of(v[FORKPOLICY_COW][COPIED], rounds);
  struct stat3 t[FORKPOLICY_COUNT];
  for (int p = 0; p < FORKPOLICY_COUNT; p++)
    t[p] = stat3_of(v[p][NS], rounds);
  printf("forkbench: %s, %ld resident pages: cow copies %ld pages (median; most %ld; child "
         "%ld, parent %ld), fork to wait %ld us; copy %ld us\n", name, resident, c.median,
         c.max, stat3_of(v[FORKPOLICY_COW][CHILD_COPIED], rounds).median,
         stat3_of(v[FORKPOLICY_COW][PARENT_COPIED], rounds).median,
         t[FORKPOLICY_COW].median / 1000, t[FORKPOLICY_COPY].median / 1000);
  if (!ok[0] || !ok[1])
    fail("a child failed to report");
  *most = c.max;
  *median = c.median;
}

void bench_exec(void)
{
  long sh, most, median;
  long resident = become_shell_sized(&sh);
  run_case("exec", exec_child, resident, &most, &median);
  char fig[160], *f = fig;
  f = append_num(append_str(f, "fork+exec of a shell-sized process ("), resident, 10);
  f = append_num(append_str(f, " resident pages; sh "), sh, 10);
  f = append_num(append_str(f, "): at most "), most, 10);
  f = append_num(append_str(f, " pages copied between fork and exec (median "), median, 10);
  append_str(f, "; goal at most 4)");
  print_goal("(b)", fig, most <= GOAL_EXEC_PAGES);
}

void bench_writeall(void)
{
  long sh, most, median;
  long resident = become_shell_sized(&sh);
  run_case("writeall", writeall_child, resident, &most, &median);
}
