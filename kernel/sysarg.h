// Fetching system call arguments from the current process's trap frame and memory.
#ifndef FAULTLINE_SYSARG_H
#define FAULTLINE_SYSARG_H

#include "kernel/types.h"

void argint(int n, int *ip);
void argaddr(int n, uint64 *ip);
// Copy argument n as a string into buf; returns its length, or -1.
int  argstr(int n, char *buf, int max);
// Read a 64-bit word / a string at user address addr; 0 or length on success, -1 on failure.
int  fetchaddr(uint64 addr, uint64 *ip);
int  fetchstr(uint64 addr, char *buf, int max);

void syscall(void);

#endif
