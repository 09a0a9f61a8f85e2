// The user-space API: system calls (stubs generated into build/user/usys.S from
// kernel/syscall.h) and the small C library in user/lib/ (an archive: a program
// carries only the parts it uses).
// Source-compatible with xv6-riscv: include "kernel/types.h" before this file.
#ifndef FAULTLINE_USER_H
#define FAULTLINE_USER_H

#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"

struct stat;
struct memstat;   // kernel/memstat.h

// System calls (xv6-riscv ABI)
int fork(void);
int exit(int status) __attribute__((noreturn));
int wait(int *status);
int pipe(int *fds);
int write(int fd, const void *buf, int n);
int read(int fd, void *buf, int n);
int close(int fd);
int kill(int pid);
int exec(const char *path, char **argv);
int open(const char *path, int omode);
int mknod(const char *path, short major, short minor);
int unlink(const char *path);
int fstat(int fd, struct stat *st);
int link(const char *old, const char *new);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
// sbrk(n, type): move the break by n, type SBRK_EAGER or SBRK_LAZY (kernel/vm.h); the
// old break, or SBRK_ERROR with nothing changed. Programs call sbrk or sbrklazy below.
char *sys_sbrk(int n, int type);
int sleep(int ticks);
int pause(int ticks);         // the same call under today's xv6 name; ticks <= 0: at once
int uptime(void);

// sbrk.c. Both return the old break, or SBRK_ERROR. A process that has chosen no sbrk
// policy gets what it asks for: sbrk allocates every page now (eager), sbrklazy only
// moves the break and each page comes on its first touch (lazy). A policy set with
// mempolicy() (or `lazy CMD`, `eager CMD`, `faultaround CMD`) overrides both.
#define SBRK_ERROR ((char *)-1)
char *sbrk(int n);
char *sbrklazy(int n);

// faultline system calls
int halt(void);               // power the machine off; returns only on failure
int freemem(void);            // free physical pages right now
// Set this process's sbrk policy (kernel/mempolicy.h) and return the old one;
// MEMPOLICY_QUERY only returns it. -1 on a bad argument.
int mempolicy(int policy);
// Set this process's fork policy (kernel/forkpolicy.h) and return the old one;
// FORKPOLICY_QUERY only returns it. -1 on a bad argument.
int forkpolicy(int policy);
// Fill *st with pid's memory figures (pid 0: the caller). -1 if there is no such
// process, or if it is running on another hart right now (its page table is in flux).
int memstat(int pid, struct memstat *st);

// ulib.c
int stat(const char *path, struct stat *st);
char *strcpy(char *dst, const char *src);
void *memmove(void *dst, const void *src, int n);
char *strchr(const char *s, char c);
int strcmp(const char *p, const char *q);
char *gets(char *buf, int max);
uint strlen(const char *s);
void *memset(void *dst, int c, uint n);
int atoi(const char *s);
int memcmp(const void *a, const void *b, uint n);
void *memcpy(void *dst, const void *src, uint n);

// printf.c. Declared as xv6 declares them, without a format attribute: xv6 programs pass
// an argument too many or too few, or a uint64 for %p, and must still build with the
// default -Wall -Werror. faultline's own programs opt into checking: user/printf_check.h.
void fprintf(int fd, const char *fmt, ...);
void printf(const char *fmt, ...);

// tracemark.c: write text as a marker into the vmtrace recording (if one is running);
// 0, or -1 if there is no trace device.
int vmtrace_mark(const char *text);
int vmtrace_mark_test(const char *name);   // "test NAME": a suite's test starts

// vmtracectl.c: /dev/vmtracectl. vmtrace_ctl sends one command (0, or -1 if refused);
// vmtrace_status reads the status text into buf (its length, or -1 if there is none:
// tracing compiled out); vmtrace_status_value finds "name value" in it (-1 if absent).
int vmtrace_ctl(const char *cmd);
int vmtrace_status(char *buf, int max);
long vmtrace_status_value(const char *status, const char *name);

// umalloc.c
void *malloc(uint n);
void free(void *p);

#endif
