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
// pointer that is not 16-byte aligned, lies outside [stack_base + 16, heap_base] or does
// not move up the stack.
//
// Guarantees, whatever the user registers and stack hold: user memory is read only
// inside p's stack, [stack_base, heap_base), a word at a time, through its user address
// with sstatus.SUM set for the walk alone (interrupts off meanwhile); nothing faults,
// sleeps, allocates or takes a lock, so the caller may hold interrupts off too. Those
// reads cannot fault: exec maps every stack page PTE_V|PTE_U|PTE_R (kernel/exec.c,
// make_stack) and nothing unmaps one while the image lives (sbrk refuses to shrink
// below heap_base; only exit and the next exec free the stack), and the kernel runs on
// p's own page table (one address space), which the walk checks first. No translation
// in software: the hardware does it. Fixed worst case: VMT_CHAIN_MAX frames and a look
// at the next (is the chain truncated?), two reads each.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "tracing/callchain.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: nothing records a chain

// The stack bounds a frame pointer must respect.
struct ustack {
  uint64 lo, hi;   // fp in [lo + 16, hi]: its two words lie in [lo, hi)
};

// The 64-bit word at user address va, which fp_ok has placed inside the stack. The
// caller has set sstatus.SUM.
static inline uint64 read_user_word(uint64 va)
{
  return *(volatile uint64 *)va;
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
// caller's fp. leaf_ra: the frame may be a leaf's, whose return address is this. The
// caller has checked fp_ok(*fp) and set sstatus.SUM.
static void step(const struct ustack *s, uint64 *fp, uint64 *ret, const uint64 *leaf_ra)
{
  uint64 w = read_user_word(*fp - 8);
  if (leaf_ra && fp_ok(s, w) && w > *fp) {
    *ret = *leaf_ra;
    *fp = w;
    return;
  }
  *ret = w;
  *fp = read_user_word(*fp - 16);
}

// The walk proper, under sstatus.SUM (callchain_user).
static int walk_frames(const struct ustack *s, const struct trapframe *tf, int from_ra,
                       uint32 ret[VMT_CHAIN_MAX])
{
  uint64 fp = tf->s0, pc = tf->ra;
  int n = 0;
  if (from_ra) {
    if (!ret_ok(s, pc))
      return 0;
    ret[n++] = pc;
  }
  while (n < VMT_CHAIN_MAX && fp_ok(s, fp)) {
    uint64 prev = fp;
    step(s, &fp, &pc, n == 0 && !from_ra ? &tf->ra : 0);
    if (!ret_ok(s, pc))
      return n;
    ret[n++] = pc;
    if (fp <= prev)
      return n;
  }
  // Full: truncated only if one more frame is really there (not _main's end).
  if (n == VMT_CHAIN_MAX && fp_ok(s, fp)) {
    step(s, &fp, &pc, 0);
    if (ret_ok(s, pc))
      return n | VMT_CHAIN_TRUNCATED;
  }
  return n;
}

int callchain_user(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX])
{
  struct ustack s = { p->stack_base, p->heap_base };
  // Off p's own page table the stack's user addresses mean nothing (never the case on
  // the fault path, whose process is the current one; a cheap check all the same).
  if (r_satp() != satp_of(p->pagetable))
    return 0;
  // SUM for the reads alone, and interrupts off meanwhile, so that no switch carries SUM
  // into other code; one write of sstatus sets both, one puts it back.
  uint64 sstatus = r_sstatus();
  w_sstatus((sstatus | SSTATUS_SUM) & ~SSTATUS_SIE);
  int flags = walk_frames(&s, p->trapframe, from_ra, ret);
  w_sstatus(sstatus & ~SSTATUS_SUM);
  return flags;
}

#endif // FAULTLINE_NO_TRACE
