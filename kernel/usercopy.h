// Moving bytes between kernel memory and a user address space. Every system call that
// touches user memory goes through here; a user pointer is never dereferenced directly.
// All return 0 on success and -1 if any byte is outside what the process may access.
#ifndef FAULTLINE_USERCOPY_H
#define FAULTLINE_USERCOPY_H

#include "kernel/types.h"
#include "kernel/riscv.h"

int copyout(pagetable_t pagetable, uint64 dstva, const char *src, uint64 len);
int copyin(pagetable_t pagetable, char *dst, uint64 srcva, uint64 len);
// Copy a NUL-terminated string of at most max bytes (including the NUL).
int copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max);

// Either side may be a user address (of the current process) or a kernel address.
int either_copyout(int user_dst, uint64 dst, const void *src, uint64 len);
int either_copyin(void *dst, int user_src, uint64 src, uint64 len);

#endif
