// sbrk and sbrklazy: today's xv6-riscv library pair over the one sbrk system call, whose
// second argument says how the new heap gets memory (kernel/vm.h).
#include "kernel/types.h"
#include "kernel/vm.h"
#include "user/user.h"

char *
sbrk(int n)
{
  return sys_sbrk(n, SBRK_EAGER);
}

char *
sbrklazy(int n)
{
  return sys_sbrk(n, SBRK_LAZY);
}
