// The user call chain of a fault, from the frame pointers user programs are built with.
//
// The frames followed are those gcc builds with -fno-omit-frame-pointer on RISC-V (the
// Makefile's CFLAGS, for user programs too). s0 is the frame pointer fp: the value sp
// had on entry to the function. A function that calls others saves the return address
// at fp-8 and its caller's fp at fp-16. A leaf saves no return address: its caller's fp
// is at fp-8 and the return address is still in ra. A text address never lies in the
// stack (text, guard page, stack, heap: kernel/exec.c), so the word at fp-8 tells the
// two apart. Only the innermost frame can be a leaf.
//
// Where the walk starts (the trapframe holds the user registers at the trap):
//   - fault in user code: epc (recorded by VMT_FAULT_BEGIN) lies in the faulting
//     function, whose fp is s0;
//   - fault in copyin/copyout on behalf of a system call (from_ra): epc lies in the usys
//     stub, which builds no frame; ra returns into the stub's caller and s0 is the
//     caller's fp. The same holds for a jump to a bad address (instruction fault).
// The walk ends at a return address of 0 (exec zeroes ra and s0, so the outermost frame,
// _main's, ends the chain), one at or above 4 GiB or outside user text, or a frame
// pointer that is not 16-byte aligned, lies outside [stack_base + 16, heap_base], does
// not move up the stack, or whose page is not mapped for user reads.
//
// Guarantees, whatever the user registers and stack hold: user memory is read only
// through p's page table, a word at a time and only from pages mapped PTE_V|PTE_U|PTE_R;
// nothing faults, sleeps, allocates or takes a lock, so the caller may hold interrupts
// off. Fixed worst case: VMT_CHAIN_MAX frames and a look at the next (is the chain
// truncated?), two reads each, one page-table walk per page read (one, mostly).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "kernel/kaddr.h"
#include "tracing/callchain.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: nothing records a chain

#define USER_READABLE (PTE_V | PTE_U | PTE_R)

// The stack bounds a frame pointer must respect, and the last page looked up (frames
// are close together: most walks translate one page once).
struct ustack {
  pagetable_t pt;
  uint64 lo, hi;   // fp in [lo + 16, hi]: its two words lie in [lo, hi)
  uint64 va;       // the user page last looked up (1: none yet) ...
  char *page;      // ... and where the kernel sees it
};

// The 64-bit word at user address va (8-byte aligned, below MAXVA), if its page is
// mapped for user reads. 0 if so, -1 if not.
static int read_user_word(struct ustack *s, uint64 va, uint64 *w)
{
  if (PGROUNDDOWN(va) != s->va) {
    pte_t *pte = walk(s->pt, va, 0);
    if (pte == 0 || (*pte & USER_READABLE) != USER_READABLE)
      return -1;
    s->va = PGROUNDDOWN(va);
    s->page = pte2kva(*pte);
  }
  *w = *(uint64 *)(s->page + (va & (PGSIZE - 1)));
  return 0;
}

static int fp_ok(const struct ustack *s, uint64 fp)
{
  return (fp & 15) == 0 && fp >= s->lo + 16 && fp <= s->hi;
}

// A plausible return address: in user text, below the guard page and 4 GiB.
static int ret_ok(const struct ustack *s, uint64 pc)
{
  return pc != 0 && pc < s->lo && (pc >> 32) == 0;
}

// Step from the frame at *fp: *ret gets the return address into its caller, *fp the
// caller's fp. leaf_ra: the frame may be a leaf's, whose return address is this.
// 0, or -1 if the frame cannot be read.
static int step(struct ustack *s, uint64 *fp, uint64 *ret, const uint64 *leaf_ra)
{
  uint64 w;
  if (read_user_word(s, *fp - 8, &w) < 0)
    return -1;
  if (leaf_ra && fp_ok(s, w) && w > *fp) {
    *ret = *leaf_ra;
    *fp = w;
    return 0;
  }
  *ret = w;
  return read_user_word(s, *fp - 16, fp);
}

int callchain_user(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX])
{
  struct ustack s = { p->pagetable, p->stack_base, p->heap_base, 1, 0 };
  struct trapframe *tf = p->trapframe;
  uint64 fp = tf->s0, pc = tf->ra;
  int n = 0;
  if (from_ra) {
    if (!ret_ok(&s, pc))
      return 0;
    ret[n++] = pc;
  }
  while (n < VMT_CHAIN_MAX && fp_ok(&s, fp)) {
    uint64 prev = fp;
    if (step(&s, &fp, &pc, n == 0 && !from_ra ? &tf->ra : 0) < 0 || !ret_ok(&s, pc))
      return n;
    ret[n++] = pc;
    if (fp <= prev)
      return n;
  }
  // Full: truncated only if one more frame is really there (not _main's end).
  if (n == VMT_CHAIN_MAX && fp_ok(&s, fp) && step(&s, &fp, &pc, 0) == 0 && ret_ok(&s, pc))
    return n | VMT_CHAIN_TRUNCATED;
  return n;
}

#endif // FAULTLINE_NO_TRACE
