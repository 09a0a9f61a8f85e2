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
// inside p's stack, [stack_base, heap_base), a frame's two words at a time, through the
// direct map of the frame p's page table maps there; nothing faults, sleeps, allocates or takes a
// lock, so the caller may hold interrupts off too. exec maps every stack page
// PTE_V|PTE_U|PTE_R (kernel/exec.c, make_stack) and nothing unmaps one while the image
// lives (sbrk refuses to shrink below heap_base; only exit and the next exec free the
// stack); a page found unmapped all the same ends the chain. Each stack page is
// translated once per walk (a chain's frames mostly share one), by a look in the
// last-level table that maps the stack, which the first walk of an image finds and
// keeps in the process (p->stack_table; exec and fork clear it), so a walk costs no
// page-table walk of its own unless the stack crosses a 2 MiB boundary. Not through the
// user address with sstatus.SUM set, as the walk once did: under QEMU's TCG every change of
// SUM flushes the hart's whole software TLB, and the two per fault made a traced
// fault's host-clock time three and a half times an untraced one's, a cost icount's
// instruction counts never showed. Fixed worst case: VMT_CHAIN_MAX frames and a look at
// the next (is the chain truncated?), a frame's two words read together.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "kernel/kaddr.h"
#include "tracing/trace.h"
#include "tracing/callchain.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: nothing records a chain

// The stack bounds a frame pointer must respect, and the stack page read last.
struct ustack {
  uint64 lo, hi;        // fp in [lo + 16, hi]: its two words lie in [lo, hi)
  struct proc *p;       // the process whose stack it is
  uint64 page;          // the user page last translated (1: none yet)
  const uchar *kpage;   // its frame, through the direct map
};

#define TABLE_SPAN (1UL << PXSHIFT(1))   // what one last-level table maps: 2 MiB

// The leaf entry of p's stack page, 0 if no table maps it, the long way: through p's
// page table, keeping the table that maps stack_base in p->stack_table the first time.
static __attribute__((noinline)) pte_t *stack_leaf_walk(struct proc *p, uint64 page)
{
  uint64 first = p->stack_base & ~(TABLE_SPAN - 1);
  if (page - first >= TABLE_SPAN)
    return walk(p->pagetable, page, 0);
  pte_t *leaf = walk(p->pagetable, p->stack_base, 0);
  if (leaf == 0)
    return 0;
  p->stack_table = leaf - PX(0, p->stack_base);
  return &p->stack_table[PX(0, page)];
}

// The leaf entry of p's stack page, 0 if no table maps it. Found through the table that
// maps stack_base, looked up once an image; a page in another table (a stack that
// crosses a 2 MiB boundary) is looked up each time.
static inline pte_t *stack_leaf(struct proc *p, uint64 page)
{
  uint64 first = p->stack_base & ~(TABLE_SPAN - 1);
  if (__builtin_expect(p->stack_table != 0 && page - first < TABLE_SPAN, 1))
    return &p->stack_table[PX(0, page)];
  return stack_leaf_walk(p, page);
}

// Make user page the one s reads through; 0 if it is not mapped.
static inline int translate(struct ustack *s, uint64 page)
{
  pte_t *leaf = stack_leaf(s->p, page);
  if (leaf == 0 || (*leaf & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
    return 0;
  s->page = page;
  s->kpage = pte2kva(*leaf);
  return 1;
}

// The two words of the frame at fp (fp_ok has placed it in the stack): *w8 at fp-8 (a
// return address, or a leaf's saved fp) and *w16 at fp-16 (the caller's fp). Both lie in
// one page, fp being 16-byte aligned. 0, which ends the chain, if that page is unmapped.
static inline int frame_words(struct ustack *s, uint64 fp, uint64 *w8, uint64 *w16)
{
  uint64 page = PGROUNDDOWN(fp - 16);
  if (page != s->page && !translate(s, page))
    return 0;
  const uint64 *w = (const uint64 *)(s->kpage + (fp - 16 - page));
  *w16 = w[0];
  *w8 = w[1];
  return 1;
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
// caller has checked fp_ok(*fp).
static inline void step(struct ustack *s, uint64 *fp, uint64 *ret, const uint64 *leaf_ra)
{
  uint64 w8, w16;
  if (!frame_words(s, *fp, &w8, &w16)) {
    *ret = 0;
    return;
  }
  if (leaf_ra && fp_ok(s, w8) && w8 > *fp) {
    *ret = *leaf_ra;
    *fp = w8;
    return;
  }
  *ret = w8;
  *fp = w16;
}

static int walk_frames(struct ustack *s, const struct trapframe *tf, int from_ra,
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

// Fill ret[] with up to VMT_CHAIN_MAX return addresses of p's user call chain,
// innermost first; returns the VMT_FAULT_CHAIN flags (count | VMT_CHAIN_TRUNCATED).
// from_ra: the pc in p's trapframe lies where no frame was built (a system call's usys
// stub, or a jump to a bad address), so the chain starts at the trapframe's ra.
static inline int callchain_user(struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX])
{
  struct ustack s = { p->stack_base, p->heap_base, p, 1, 0 };
  return walk_frames(&s, p->trapframe, from_ra, ret);
}

// The chain is walked first, so that its cost falls before the fault's begin timestamp,
// not inside the fault's latency. In this file, not beside the emit, so that the walk
// is inlined here: one stack frame for the whole chain, not two.
void trace_fault_begin_chain(struct proc *p, uint64 va, uint64 epc, uint64 scause, int source,
                             int access)
{
  uint32 ret[VMT_CHAIN_MAX] = { 0 };
  int from_ra = source == VMT_SRC_KERNEL || access == VMT_ACC_EXEC;
  int flags = callchain_user(p, from_ra, ret);
  if (trace_emit_begin_chain(fault_begin_flags(source, access), scause, va, epc, flags, ret))
    trace_wake_reader();
}

#endif // FAULTLINE_NO_TRACE
