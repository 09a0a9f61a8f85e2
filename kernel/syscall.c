// System call dispatch and argument fetching. Arguments arrive in the trap frame's
// a0..a5, the number in a7; the result goes back in a0. Pointer arguments are only ever
// used through copyin/copyout, which refuse anything the process may not access.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/proc.h"
#include "kernel/usercopy.h"
#include "kernel/syscall.h"
#include "kernel/sysarg.h"

int fetchaddr(uint64 addr, uint64 *ip)
{
  return copyin(myproc()->pagetable, (char *)ip, addr, sizeof(*ip));
}

int fetchstr(uint64 addr, char *buf, int max)
{
  if (copyinstr(myproc()->pagetable, buf, addr, max) < 0)
    return -1;
  return strlen(buf);
}

static uint64 argraw(int n)
{
  struct trapframe *tf = myproc()->trapframe;
  switch (n) {
  case 0: return tf->a0;
  case 1: return tf->a1;
  case 2: return tf->a2;
  case 3: return tf->a3;
  case 4: return tf->a4;
  case 5: return tf->a5;
  }
  panic("argraw: no such argument");
}

void argint(int n, int *ip)
{
  *ip = argraw(n);
}

// Addresses are not checked here: copyin/copyout check them when they are used.
void argaddr(int n, uint64 *ip)
{
  *ip = argraw(n);
}

int argstr(int n, char *buf, int max)
{
  uint64 addr;
  argaddr(n, &addr);
  return fetchstr(addr, buf, max);
}

extern uint64 sys_fork(void), sys_exit(void), sys_wait(void), sys_pipe(void);
extern uint64 sys_read(void), sys_kill(void), sys_exec(void), sys_fstat(void);
extern uint64 sys_chdir(void), sys_dup(void), sys_getpid(void), sys_sbrk(void);
extern uint64 sys_sleep(void), sys_uptime(void), sys_open(void), sys_write(void);
extern uint64 sys_mknod(void), sys_unlink(void), sys_link(void), sys_mkdir(void);
extern uint64 sys_close(void), sys_halt(void), sys_freemem(void), sys_mempolicy(void);
extern uint64 sys_forkpolicy(void);
extern uint64 sys_memstat(void);

static uint64 (*const syscalls[])(void) = {
  [SYS_fork] sys_fork,     [SYS_exit] sys_exit,       [SYS_wait] sys_wait,
  [SYS_pipe] sys_pipe,     [SYS_read] sys_read,       [SYS_kill] sys_kill,
  [SYS_exec] sys_exec,     [SYS_fstat] sys_fstat,     [SYS_chdir] sys_chdir,
  [SYS_dup] sys_dup,       [SYS_getpid] sys_getpid,   [SYS_sbrk] sys_sbrk,
  [SYS_sleep] sys_sleep,   [SYS_uptime] sys_uptime,   [SYS_open] sys_open,
  [SYS_write] sys_write,   [SYS_mknod] sys_mknod,     [SYS_unlink] sys_unlink,
  [SYS_link] sys_link,     [SYS_mkdir] sys_mkdir,     [SYS_close] sys_close,
  [SYS_halt] sys_halt,     [SYS_freemem] sys_freemem, [SYS_mempolicy] sys_mempolicy, [SYS_forkpolicy] sys_forkpolicy,
  [SYS_memstat] sys_memstat,
};

#define NSYSCALLS (sizeof(syscalls) / sizeof(syscalls[0]))

void syscall(void)
{
  struct proc *p = myproc();
  uint64 num = p->trapframe->a7;
  if (num < NSYSCALLS && syscalls[num]) {
    p->trapframe->a0 = syscalls[num]();
  } else {
    printf("pid %d (%s): unknown system call %lu\n", p->pid, p->name, num);
    p->trapframe->a0 = -1;
  }
}
