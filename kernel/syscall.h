// System call numbers: the one definition shared by the kernel's dispatch table and the
// user-space stubs (build/user/usys.S is generated from this file). 1..21 are xv6-riscv's ABI
// and never change; faultline's own calls follow. A number may have two names (xv6
// renamed sleep to pause): each gets a stub.
#ifndef FAULTLINE_SYSCALL_H
#define FAULTLINE_SYSCALL_H

#define SYS_fork     1
#define SYS_exit     2
#define SYS_wait     3
#define SYS_pipe     4
#define SYS_read     5
#define SYS_kill     6
#define SYS_exec     7
#define SYS_fstat    8
#define SYS_chdir    9
#define SYS_dup     10
#define SYS_getpid  11
#define SYS_sbrk    12   // sbrk(n, type); its user stub is sys_sbrk (user/user.h)
#define SYS_sleep   13   // the course years' name
#define SYS_pause   13   // today's xv6-riscv's name for the same call
#define SYS_uptime  14
#define SYS_open    15
#define SYS_write   16
#define SYS_mknod   17
#define SYS_unlink  18
#define SYS_link    19
#define SYS_mkdir   20
#define SYS_close   21
// faultline extensions
#define SYS_halt      22   // power the machine off
#define SYS_freemem   23   // number of free physical pages
#define SYS_mempolicy 24   // read or set this process's sbrk policy
#define SYS_memstat   25   // virtual size and resident pages of a process
#define SYS_forkpolicy 26  // read or set this process's fork policy

#endif
