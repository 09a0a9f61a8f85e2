// Today's xv6-riscv (its riscv branch as of late 2025), as its programs use it: sbrk
// allocates at once and sbrklazy only moves the break, both over sys_sbrk(n, type) with
// kernel/vm.h's types; SBRK_ERROR on failure; pause for sleep; param.h's LOGBLOCKS and
// USERSTACK; printf's 64-bit and unsigned formats. Then faultline's policies over that
// contract: a process that chose none gets what each call asks for, and lazy, eager and
// faultaround override both calls, across fork and exec.
//
// Memory is measured with freemem (free physical pages): nothing else runs while make
// test runs this, so a change is this process's doing, give or take a page-table page.
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/syscall.h"
#include "kernel/vm.h"
#include "user/user.h"
#include "user/xv6conform/conform.h"

#define PAGES 16   // a growth big enough to tell eager from lazy
#define SLACK 3    // page-table pages a growth or a touch may add

// ---- printf ---------------------------------------------------------------------------

void
today_printf(void)
{
  int p[2];
  check(pipe(p) == 0, "pipe for printf output");
  fprintf(p[1], "%ld|%lld|%d|", -9223372036854775807L - 1, 1234567890123LL, -2147483647 - 1);
  fprintf(p[1], "%u|%lu|%llu|", -1, 18446744073709551615UL, 42ULL);
  fprintf(p[1], "%x|%x|%lx|%llx|", -1, 0x80000000, 0xfedcba9876543210UL, 1ULL << 40);
  fprintf(p[1], "%c%c|", 'o', 'k');
  close(p[1]);
  slurp(p[0]);
  close(p[0]);
  check(strcmp(buf, "-9223372036854775808|1234567890123|-2147483648|"
                    "4294967295|18446744073709551615|42|"
                    "ffffffff|80000000|fedcba9876543210|10000000000|ok|") == 0,
        "printf's %ld %lld %d %u %lu %llu %x %lx %llx %c print what xv6's do");
}

// ---- Names ----------------------------------------------------------------------------

void
today_names(void)
{
  char *(*lazy)(int) = sbrklazy;
  char *(*raw)(int, int) = sys_sbrk;
  int (*nap)(int) = pause;
  check(lazy != 0 && raw != 0 && nap != 0, "sbrklazy, sys_sbrk and pause exist");
  check(SBRK_EAGER == 1 && SBRK_LAZY == 2, "kernel/vm.h: SBRK_EAGER 1, SBRK_LAZY 2");
  check(SBRK_ERROR == (char *)-1, "user.h: SBRK_ERROR is (char *)-1");
  check(SYS_sbrk == 12 && SYS_pause == 13 && SYS_sleep == SYS_pause,
        "syscall.h: SYS_sbrk 12, SYS_pause 13 (SYS_sleep's number)");
  check(LOGBLOCKS == MAXOPBLOCKS * 3 && LOGBLOCKS == LOGSIZE, "param.h: LOGBLOCKS 30");
  check(USERSTACK == 1, "param.h: USERSTACK 1");
}

// ---- sbrk and sbrklazy under the default policy -------------------------------------------

// Pages that grow(n) took from the free list.
static int
pages_taken(char *(*grow)(int), int n)
{
  int before = freemem();
  check(grow(n) != SBRK_ERROR, "sbrk or sbrklazy of a few pages");
  return before - freemem();
}

// Pages that touching the first `pages` pages from p, in order, took.
static int
touch_taken(char *p, int pages)
{
  int before = freemem();
  for (int i = 0; i < pages; i++)
    p[i * PGSIZE] = 1;
  return before - freemem();
}

// The break moves to just below TRAPFRAME and no further, whichever call asks; what
// was refused changed nothing. xv6's usertests (lazy_sbrk) do the same.
static void
trapframe_limit(void)
{
  char *p = sbrk(0);
  while ((uint64)p < MAXVA - (1L << 30)) {
    check(sbrklazy(1 << 30) == p, "sbrklazy(1 GiB) on the way to MAXVA");
    p = sbrk(0);
  }
  int n = TRAPFRAME - PGSIZE - (uint64)p;
  check(sbrklazy(n) == p, "sbrklazy up to a page below TRAPFRAME");
  char *last = sbrk(PGSIZE);
  check((uint64)last == TRAPFRAME - PGSIZE, "sbrk of the last page below TRAPFRAME");
  last[0] = 1;
  check(last[1] == 0, "the last page is zero-filled");
  check(sbrk(1) == SBRK_ERROR && sbrklazy(1) == SBRK_ERROR,
        "growing past TRAPFRAME returns SBRK_ERROR");
  check((uint64)sbrk(0) == TRAPFRAME, "a refused growth moved the break");
}

// Every refusal returns SBRK_ERROR and leaves the break where it was; a shrink below
// address 0 is not a refusal: xv6 returns the old break and changes nothing.
static void
refusals(void)
{
  char *brk = sbrk(0);
  int before = freemem();
  int bad[] = { 0, 3, -1, 100 };
  for (int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    check(sys_sbrk(PGSIZE, bad[i]) == SBRK_ERROR, "sys_sbrk with an unknown type fails");
    check(sys_sbrk(-PGSIZE, bad[i]) == SBRK_ERROR, "sys_sbrk shrinking with an unknown type");
  }
  check(sbrk(0x7fffffff) == SBRK_ERROR, "eager sbrk of 2 GiB on a 128 MiB machine fails");
  check(sbrk(0) == brk, "a refused sbrk moved the break");
  // Its pages come back; page-table pages made on the way may stay, one per 512 pages.
  check(freemem() >= before - before / 512 - SLACK, "a refused sbrk kept memory");
  check(sbrk(-((uint64)brk + 1)) == brk, "sbrk(-(sbrk(0) + 1)) returns the old break");
  check(sbrklazy(-((uint64)brk + 1)) == brk, "sbrklazy below 0 returns the old break");
  check(sbrk(0) == brk, "a shrink below address 0 moved the break");
}

void
today_sbrk(void)
{
  if (fork() == 0) {
    mempolicy(MEMPOLICY_DEFAULT);   // whatever policy this run has, test the default's
    check(pages_taken(sbrk, PAGES * PGSIZE) >= PAGES, "sbrk allocates at once (default)");
    char *p = sbrk(0);
    check(pages_taken(sbrklazy, PAGES * PGSIZE) <= SLACK, "sbrklazy allocates nothing");
    check(touch_taken(p, 2) >= 2, "a touched sbrklazy page gets memory");
    check(p[PGSIZE + 8] == 0, "a lazy page is zero-filled");
    refusals();
    trapframe_limit();
    exit(0);
  }
  check(reap() == 0, "today's sbrk contract under the default policy");
}

// ---- Policies ---------------------------------------------------------------------------

// exec keeps the policy: xv6conform's probe mode reports it in its exit status.
static int
policy_after_exec(void)
{
  int pid = fork();
  if (pid == 0) {
    char *argv[] = { "xv6conform", POLICY_PROBE, 0 };
    exec("/xv6conform", argv);
    exit(99);
  }
  return reap();
}

// In a child: set policy; both calls grow as it says; fork and exec keep it.
static void
override(int policy)
{
  if (fork() != 0) {
    check(reap() == 0, "a policy's override of sbrk and sbrklazy");
    return;
  }
  check(mempolicy(policy) >= 0 && mempolicy(MEMPOLICY_QUERY) == policy, "set a policy");
  int eager = policy == MEMPOLICY_EAGER;
  int a = pages_taken(sbrk, PAGES * PGSIZE), b = pages_taken(sbrklazy, PAGES * PGSIZE);
  check(eager ? a >= PAGES : a <= SLACK, "the policy decides how sbrk grows");
  check(eager ? b >= PAGES : b <= SLACK, "the policy decides how sbrklazy grows");
  if (!eager) {
    // Four pages in order: lazy maps each alone, fault-around maps ahead (1 + 2 + 4).
    char *p = sbrklazy(8 * PGSIZE);
    int used = touch_taken(p, 4);
    if (policy == MEMPOLICY_FAULTAROUND)
      check(used >= 7, "fault-around maps ahead of a sequential run");
    else
      check(used >= 4 && used <= 4 + SLACK, "lazy maps the touched pages alone");
  }
  if (fork() == 0)
    exit(mempolicy(MEMPOLICY_QUERY) == policy ? 0 : 1);
  check(reap() == 0, "fork keeps the policy");
  check(policy_after_exec() == POLICY_STATUS(policy), "exec keeps the policy");
  exit(0);
}

void
today_policies(void)
{
  override(MEMPOLICY_LAZY);
  override(MEMPOLICY_EAGER);
  override(MEMPOLICY_FAULTAROUND);
  if (fork() == 0) {
    int old = mempolicy(MEMPOLICY_DEFAULT);
    check(old >= 0 && old < MEMPOLICY_COUNT, "mempolicy returns the old policy");
    check(mempolicy(MEMPOLICY_QUERY) == MEMPOLICY_DEFAULT, "the default is its own value");
    check(mempolicy(MEMPOLICY_COUNT) == -1 && mempolicy(MEMPOLICY_QUERY) == MEMPOLICY_DEFAULT,
          "an unknown policy is refused and changes nothing");
    check(policy_after_exec() == POLICY_STATUS(MEMPOLICY_DEFAULT), "exec keeps the default");
    exit(0);
  }
  check(reap() == 0, "the default policy");
}

// ---- pause ------------------------------------------------------------------------------

void
today_pause(void)
{
  int t0 = uptime();
  check(pause(-1) == 0 && pause(0) == 0, "pause(-1) and pause(0) return 0");
  int t1 = uptime();
  check(t1 - t0 <= 1, "pause(-1) returns at once");
  check(pause(2) == 0 && uptime() - t1 >= 2, "pause(2) sleeps two ticks");
}
