// forkbench: what copy-on-write fork costs and saves against copying fork, and whether
// it meets its goals. A benchmark: it prints figures and a "goal met" / "NOT met" line
// per goal, and fails only when it cannot run a case (a fork or a pipe failed).
//
//   forkbench [-i] [-n ROUNDS] [-o FILE] [WORKLOAD...]
//
//   -i          label the figures as taken under QEMU -icount (the program cannot tell
//               which clock QEMU gave it; the flag only labels)
//   -n ROUNDS   measurements per case and policy, 1..21 (default 5)
//   -o FILE     the CSV to FILE (e.g. /dev/hostlink); without it the CSV goes to the
//               console, each line prefixed "csv,"
//   WORKLOAD    any of (default all, in this order):
//     exec      fork+exec of a shell-sized process: pages copied by parent and child
//               between the fork and the exec (pages.c)
//     writeall  the same process, its child writing every page it has (pages.c)
//     size      fork time against resident size, 1 MiB up to 64 MiB (size.c)
//     breakeven a 32 MiB heap, the child writing all of it: fork + the writes, copy
//               against copy-on-write (breakeven.c)
//     big       a process holding two thirds of free memory forks, child and parent
//               each write all of it (big.c)
//
//   forkbench -R FD   (what the exec case runs in its child) write this process's
//               copy-on-write counters to descriptor FD as a struct child_report and
//               exit: exec keeps the counters, so they are the child's since its fork
//
// Every case runs under both fork policies (kernel/forkpolicy.h), interleaved round by
// round, except where one cannot run (copying more than memory holds). The counters are
// memstat's cow_copied and cow_taken (kernel/memstat.h).
//
// CSV: the header below, then one line per figure; the columns are sbrkbench's
// (user/sbrkbench.c), policy being cow or copy. Times in ns of the time CSR (100 ns
// resolution), pages of 4 KiB.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/memstat.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"
#include "user/forkbench/forkbench.h"

int rounds = DEFAULT_ROUNDS;
const char *const policy_names[] = FORKPOLICY_NAMES;
const char *self = "forkbench";

static int csv_fd = 1;
static const char *csv_prefix = "csv,";
const char *clock_name = "host";

struct cow cow_now(void)
{
  struct memstat st;
  struct cow c = { -1, -1 };
  memset(&st, 0, sizeof st);
  if (memstat(0, &st) == 0) {
    c.copied = (long)st.cow_copied;
    c.taken = (long)st.cow_taken;
  }
  return c;
}

struct cow cow_since(struct cow before)
{
  struct cow now = cow_now();
  now.copied -= before.copied;
  now.taken -= before.taken;
  return now;
}

void csv_row(const char *workload, int policy, long param, const char *param_unit,
             const char *metric, const long *v, int n, const char *unit, int ok)
{
  struct stat3 s = stat3_of(v, n);
  fprintf(csv_fd, "%s%s,%s,%s,%ld,%s,%d,%s,%ld,%ld,%ld,%s,%s\n", csv_prefix, clock_name,
          workload, policy < 0 ? "" : policy_names[policy], param, param_unit, n, metric,
          s.median, s.min, s.max, unit, ok ? "ok" : "fail");
}

void print_goal(const char *goal, const char *figure, int met)
{
  printf("forkbench: goal %s: %s -- %s\n", goal, figure, met ? "goal met" : "NOT met");
}

// The child's side of the exec case, after exec: report and exit.
static int report(const char *fdarg)
{
  struct child_report r = { cow_now(), 0 };
  int fd = atoi(fdarg);
  if (r.cow.copied < 0 || write(fd, &r, sizeof r) != sizeof r)
    exit(1);
  exit(0);
}

static const struct {
  const char *name;
  void (*run)(void);
} workloads[] = {
  { "exec", bench_exec },   { "writeall", bench_writeall }, { "size", bench_size },
  { "breakeven", bench_breakeven }, { "big", bench_big },
};
#define NWORKLOADS ((int)(sizeof workloads / sizeof workloads[0]))

static void usage(void)
{
  fprintf(2, "usage: forkbench [-i] [-n ROUNDS] [-o FILE] [WORKLOAD...]\n"
             "  ROUNDS 1..%d; WORKLOAD: exec writeall size breakeven big (default all)\n",
          MAX_ROUNDS);
  exit(2);
}

// The workload called name; -1 if there is none.
static int workload_index(const char *name)
{
  for (int w = 0; w < NWORKLOADS; w++)
    if (strcmp(workloads[w].name, name) == 0)
      return w;
  return -1;
}

int main(int argc, char *argv[])
{
  self = argv[0];
  if (argc == 3 && strcmp(argv[1], "-R") == 0)
    return report(argv[2]);
  const char *out = 0;
  int a = 1;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (strcmp(argv[a], "-i") == 0)
      clock_name = "icount";
    else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc)
      rounds = atoi(argv[++a]);
    else if (strcmp(argv[a], "-o") == 0 && a + 1 < argc)
      out = argv[++a];
    else
      usage();
  }
  if (rounds < 1 || rounds > MAX_ROUNDS)
    usage();
  int chosen[NWORKLOADS], nchosen = 0;
  for (; a < argc; a++)
    if ((chosen[nchosen++] = workload_index(argv[a])) < 0) {
      fprintf(2, "forkbench: no workload '%s'\n", argv[a]);
      usage();
    }
  if (nchosen == 0)
    for (; nchosen < NWORKLOADS; nchosen++)
      chosen[nchosen] = nchosen;
  if (out) {
    // O_TRUNC for a regular file; a device such as /dev/hostlink ignores it.
    if ((csv_fd = open(out, O_WRONLY | O_CREATE | O_TRUNC)) < 0) {
      fprintf(2, "forkbench: cannot open %s\n", out);
      exit(1);
    }
    csv_prefix = "";
  }
  fprintf(csv_fd, "%sclock,workload,policy,param,param_unit,runs,metric,median,min,max,"
          "unit,status\n", csv_prefix);
  for (int i = 0; i < nchosen; i++)
    workloads[chosen[i]].run();
  if (out)
    close(csv_fd);
  printf("forkbench: done\n");
  return 0;
}
