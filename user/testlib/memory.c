// Probing memory from user space: accesses the kernel must allow or kill, pages made
// resident, free pages coming back (see testlib.h).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memstat.h"
#include "user/user.h"
#include "user/testlib/testlib.h"

uchar peek(uint64 va)
{
  uchar c;
  asm volatile("lbu %0, 0(%1)" : "=r"(c) : "r"(va) : "memory");
  return c;
}

void poke(uint64 va, uchar c)
{
  asm volatile("sb %0, 0(%1)" : : "r"(c), "r"(va) : "memory");
}

void probe_load(uint64 va)
{
  peek(va);
}

void probe_store(uint64 va)
{
  poke(va, 42);
}

void touch_pages(char *p, int pages)
{
  for (int i = 0; i < pages; i++)
    p[(long)i * PGSIZE] = i;
}

uint64 resident_pages(void)
{
  struct memstat st;
  if (memstat(0, &st) < 0)
    return 0;
  return st.resident;
}

int run_in_child(void (*fn)(uint64), uint64 arg, int *status)
{
  int pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    fn(arg);
    exit(0);   // still alive: the access was allowed
  }
  return wait(status) == pid ? 0 : -1;
}

int settle_freemem(int want)
{
  int f = freemem();
  for (int i = 0; i < 5 * TICK_HZ && f != want; i++) {
    sleep(1);
    f = freemem();
  }
  return f;
}
