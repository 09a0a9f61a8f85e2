// System calls about processes, time and memory.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/printf.h"
#include "kernel/vmfault.h"
#include "kernel/kalloc.h"
#include "kernel/trap.h"
#include "kernel/sysarg.h"
#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"
#include "kernel/memstat.h"
#include "kernel/usercopy.h"
#include "kernel/vm.h"
#include "kernel/kaddr.h"

uint64 sys_exit(void)
{
  int status;
  argint(0, &status);
  exit(status);
}

uint64 sys_getpid(void)
{
  return myproc()->pid;
}

uint64 sys_fork(void)
{
  return fork();
}

uint64 sys_wait(void)
{
  uint64 addr;
  argaddr(0, &addr);
  return wait(addr);
}

// sbrk(n, type): returns the old break, or -1 (SBRK_ERROR) with nothing changed. type
// says how the new range gets memory, unless the process's policy overrides it
// (growproc); a type that is neither SBRK_EAGER nor SBRK_LAZY is refused.
uint64 sys_sbrk(void)
{
  int n, type;
  argint(0, &n);
  argint(1, &type);
  if (type != SBRK_EAGER && type != SBRK_LAZY)
    return -1;
  uint64 old = myproc()->sz;
  if (growproc(n, type) < 0)
    return -1;
  return old;
}

// sleep(n), or pause(n) as today's xv6 calls it: n ticks; n <= 0 returns at once.
uint64 sys_sleep(void)
{
  int n;
  argint(0, &n);
  acquire(&tickslock);
  uint64 start = ticks;
  while (n > 0 && ticks - start < (uint64)n) {
    if (killed(myproc())) {
      release(&tickslock);
      return -1;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return 0;
}

uint64 sys_kill(void)
{
  int pid;
  argint(0, &pid);
  return kill(pid);
}

uint64 sys_uptime(void)
{
  acquire(&tickslock);
  uint64 t = ticks;
  release(&tickslock);
  return t;
}

// Power off through QEMU's test device. Every file-system call has committed by the
// time it returns, so the disk is consistent. The last line says how often a hart on its
// way to idle found a process runnable after all (proc.c, idle()): the 1-hart test
// suites require 0.
uint64 sys_halt(void)
{
  printf("halt: %lu wakeups found on the way to idle\n", sched_idle_rescans());
  *(volatile uint32 *)pa2kva(TESTDEV) = TESTDEV_POWEROFF;
  return -1;   // still here: no test device
}

uint64 sys_freemem(void)
{
  return kfreepages();
}

// The body of a policy call: argument 0 is -1 (MEMPOLICY_QUERY, FORKPOLICY_QUERY) to
// read *policy, or a value in [0, count) to set it. Returns the old value, or -1 for any
// other argument (nothing changed); *set says whether it changed *policy. policy must be
// a field of the calling process.
static int query_or_set(int *policy, int count, int *set)
{
  int arg;
  argint(0, &arg);
  int old = *policy;
  *set = 0;
  if (arg == -1)
    return old;
  if (arg < 0 || arg >= count)
    return -1;
  *policy = arg;
  *set = 1;
  return old;
}

uint64 sys_mempolicy(void)
{
  struct proc *p = myproc();
  int set, r = query_or_set(&p->mempolicy, MEMPOLICY_COUNT, &set);
  if (set)
    vm_fault_end_run(p);
  return r;
}

uint64 sys_forkpolicy(void)
{
  int set;
  return query_or_set(&myproc()->forkpolicy, FORKPOLICY_COUNT, &set);
}

uint64 sys_memstat(void)
{
  int pid;
  uint64 addr;
  struct memstat st;
  argint(0, &pid);
  argaddr(1, &addr);
  if (procmemstat(pid, &st) < 0)
    return -1;
  return copyout(myproc()->pagetable, addr, (char *)&st, sizeof(st));
}
