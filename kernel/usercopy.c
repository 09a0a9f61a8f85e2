// Copying between kernel memory and user address spaces. The kernel never dereferences
// a user pointer: it translates each page through the process's page table, and a page
// that is not there yet goes through the same fault path as a user access (vmfault.c),
// so system calls on untouched lazy heap just work.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/kstring.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "kernel/kaddr.h"
#include "kernel/vmfault.h"
#include "kernel/usercopy.h"

// The kernel address of user page va if it is mapped for `access` by user mode, else 0.
static char *mapped_page(pagetable_t pagetable, uint64 va, enum fault_access access)
{
  if (va >= MAXVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  uint64 need = PTE_V | PTE_U | (access == ACCESS_WRITE ? PTE_W : PTE_R);
  return (pte && (*pte & need) == need) ? pte2kva(*pte) : 0;
}

// The kernel address of user page va, ready for `access`, or 0 if the process may not
// make that access there. A page that is not mapped yet goes through the fault path,
// but only for the current process's page table: exec building a new image has no
// lazy pages.
static char *user_page(pagetable_t pagetable, uint64 va, enum fault_access access)
{
  char *k = mapped_page(pagetable, va, access);
  struct proc *p = myproc();
  if (k || p == 0 || pagetable != p->pagetable)
    return k;
  if (vm_fault(va, access, FAULT_FROM_KERNEL) != FAULT_MAPPED)
    return 0;
  return mapped_page(pagetable, va, access);
}

// Copy len bytes between kernel buffer buf and user address va, page by page: into
// user memory if access is ACCESS_WRITE, out of it if ACCESS_READ. 0, or -1 if some
// page may not be accessed so (bytes before it have been copied).
static int copy_user(pagetable_t pagetable, uint64 va, char *buf, uint64 len,
                     enum fault_access access)
{
  while (len > 0) {
    uint64 page = PGROUNDDOWN(va);
    char *k = user_page(pagetable, page, access);
    if (k == 0)
      return -1;
    uint64 n = PGSIZE - (va - page);
    if (n > len)
      n = len;
    if (access == ACCESS_WRITE)
      memmove(k + (va - page), buf, n);
    else
      memmove(buf, k + (va - page), n);
    len -= n;
    buf += n;
    va += n;
  }
  return 0;
}

int copyout(pagetable_t pagetable, uint64 dstva, const char *src, uint64 len)
{
  return copy_user(pagetable, dstva, (char *)src, len, ACCESS_WRITE);
}

int copyin(pagetable_t pagetable, char *dst, uint64 srcva, uint64 len)
{
  return copy_user(pagetable, srcva, dst, len, ACCESS_READ);
}

int copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max)
{
  while (max > 0) {
    uint64 page = PGROUNDDOWN(srcva);
    char *k = user_page(pagetable, page, ACCESS_READ);
    if (k == 0)
      return -1;
    for (uint64 off = srcva - page; off < PGSIZE && max > 0; off++, max--) {
      *dst = k[off];
      if (*dst == 0)
        return 0;
      dst++;
    }
    srcva = page + PGSIZE;
  }
  return -1;   // no NUL within max bytes
}

int either_copyout(int user_dst, uint64 dst, const void *src, uint64 len)
{
  if (user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((char *)dst, src, len);
  return 0;
}

int either_copyin(void *dst, int user_src, uint64 src, uint64 len)
{
  if (user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (char *)src, len);
  return 0;
}
