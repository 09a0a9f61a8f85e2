// A process holding two thirds of free memory forks, which only copy-on-write can do;
// then child and parent each write all of it (as cowtests big checks for correctness).
// The child writes from the top down and gives each page back once written (sbrk by
// one page), so its copies never need more than a page at a time; once it has exited
// the parent's writes find every page its alone and take it over without a copy. The
// figures: fork's time under each policy (copy's fails: "fail" in the CSV), each side's
// copies and take-overs and how long its pass took (the child's includes giving each
// page back), and what leaked: each round runs in a process of its own, and the free
// pages before it was forked are compared with those after it was reaped (the process
// itself keeps the page-table pages its heap needed until it exits).
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"
#include "user/forkbench/forkbench.h"

#define BIG_ROUNDS 3   // each round fills two thirds of memory: a few suffice

enum { HELD, FREE, FORK, CHILD_COPIED, CHILD_TAKEN, CHILD_NS, PARENT_COPIED, PARENT_TAKEN,
       PARENT_NS, LEAKED, NMETRICS };
static const char *const metric[NMETRICS] = { "held_pages", "free_pages", "fork_ns",
  "child_copied_pages", "child_taken_pages", "child_write_ns", "parent_copied_pages",
  "parent_taken_pages", "parent_write_ns", "leaked_pages" };
static const char *const unit[NMETRICS] = { "pages", "pages", "ns", "pages", "pages", "ns",
  "pages", "pages", "ns", "pages" };

static void child_writes(char *heap, long n, int fd)
{
  uint64 t0 = clock_now();
  for (long i = n - 1; i >= 0; i--) {
    heap[i * PGSIZE] = 'c';
    sbrk(-PGSIZE);
  }
  struct child_report r = { cow_now(), (long)clock_ns(clock_now() - t0) };
  exit(write(fd, &r, sizeof r) == sizeof r ? 0 : 1);
}

// Copying fork of the heap; its time, and *forked whether it worked.
static long try_copy_fork(int *forked)
{
  forkpolicy(FORKPOLICY_COPY);
  uint64 t0 = clock_now();
  int pid = fork();
  if (pid == 0)
    exit(0);
  long ns = (long)clock_ns(clock_now() - t0);
  if ((*forked = pid > 0))
    wait(0);
  return ns;
}

// What a round's process sends back.
struct round_report {
  long v[NMETRICS];
  long copy_ns;
  int copy_forked, ok;
};

// One round, in the round's process: v[m] gets each metric but LEAKED; returns 0 if
// something failed.
static int one_round(long v[NMETRICS], long copy_v[1], int *copy_forked)
{
  mempolicy(MEMPOLICY_EAGER);
  uint64 brk = (uint64)sbrk(0);
  sbrk((int)(PGROUNDUP(brk) - brk));   // whole pages, so that sbrk(-PGSIZE) frees one
  long free0 = freemem(), n = free0 * 2 / 3;
  char *heap = sbrk((int)(n * PGSIZE));
  if (heap == SBRK_ERROR)
    return 0;
  for (long i = 0; i < n; i++)
    heap[i * PGSIZE] = 1;
  copy_v[0] = try_copy_fork(copy_forked);
  int p[2], st = -1;
  struct child_report r;
  if (pipe(p) < 0)
    return 0;
  forkpolicy(FORKPOLICY_COW);
  struct cow before = cow_now();
  uint64 t0 = clock_now();
  int pid = fork();
  if (pid == 0)
    child_writes(heap, n, p[1]);
  v[FORK] = (long)clock_ns(clock_now() - t0);
  close(p[1]);
  int got = pid > 0 && read(p[0], &r, sizeof r) == sizeof r;
  close(p[0]);
  if (pid < 0 || wait(&st) != pid || st != 0 || !got)
    return 0;
  struct cow mid = cow_since(before);
  uint64 t1 = clock_now();
  for (long i = 0; i < n; i++)
    heap[i * PGSIZE] = 'p';
  v[PARENT_NS] = (long)clock_ns(clock_now() - t1);
  struct cow after = cow_since(before);
  sbrk((int)-(n * PGSIZE));
  v[HELD] = n;
  v[FREE] = free0;
  v[CHILD_COPIED] = r.cow.copied;
  v[CHILD_TAKEN] = r.cow.taken;
  v[CHILD_NS] = r.counts;
  v[PARENT_COPIED] = after.copied;   // before the child's exit: its stack, its calls
  v[PARENT_TAKEN] = after.taken - mid.taken;
  return 1;
}

// One round in a process of its own; r->v[LEAKED] is what its exit did not give back.
static void isolated_round(struct round_report *r)
{
  int p[2], st = -1, before = freemem();   // the pipe's page too comes back
  if (pipe(p) < 0)
    exit(1);
  int pid = fork();
  if (pid == 0) {
    close(p[0]);
    memset(r, 0, sizeof *r);
    r->ok = one_round(r->v, &r->copy_ns, &r->copy_forked);
    exit(write(p[1], r, sizeof *r) == sizeof *r ? 0 : 1);
  }
  close(p[1]);
  int got = pid > 0 && read(p[0], r, sizeof *r) == sizeof *r;
  close(p[0]);
  if (pid < 0 || wait(&st) != pid || st != 0 || !got || !r->ok) {
    fprintf(2, "forkbench: big: a fork, a pipe or the child failed\n");
    exit(1);
  }
  r->v[LEAKED] = before - settle_freemem(before);
}

void bench_big(void)
{
  int n = rounds < BIG_ROUNDS ? rounds : BIG_ROUNDS, copy_forked = 0, ok = 1;
  long v[NMETRICS][MAX_ROUNDS], copy_ns[MAX_ROUNDS];
  for (int i = 0; i < n; i++) {
    struct round_report r;
    isolated_round(&r);
    copy_ns[i] = r.copy_ns;
    copy_forked |= r.copy_forked;
    for (int m = 0; m < NMETRICS; m++)
      v[m][i] = r.v[m];
  }
  for (int m = 0; m < NMETRICS; m++)
    csv_row("big", FORKPOLICY_COW, 0, "", metric[m], v[m], n, unit[m], ok);
  csv_row("big", FORKPOLICY_COPY, 0, "", "fork_ns", copy_ns, n, "ns", copy_forked);
  long med[NMETRICS];
  for (int m = 0; m < NMETRICS; m++)
    med[m] = stat3_of(v[m], n).median;
  printf("forkbench: big, %ld of %ld free pages held: copy fork %s; cow fork %ld us; child "
         "copied %ld, took over %ld in %ld us; parent copied %ld, took over %ld in %ld us; "
         "%ld pages leaked\n", med[HELD], med[FREE], copy_forked ? "worked" : "failed",
         med[FORK] / 1000, med[CHILD_COPIED], med[CHILD_TAKEN], med[CHILD_NS] / 1000,
         med[PARENT_COPIED], med[PARENT_TAKEN], med[PARENT_NS] / 1000, med[LEAKED]);
}
