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
// last-level tables that map the stack, which the first walk of an image finds and
// keeps in the process (p->stack_tables; whoever sets stack_base clears them), so a walk
// needs no page-table walk of its own and calls nothing: its state stays in registers
// (trace_fault_begin_chain, below). Not through the user address with sstatus.SUM set, as the
// walk once did: under QEMU's TCG every change of SUM flushes the hart's whole software
// TLB, and the two per fault made a traced fault's host-clock time three and a half
// times an untraced one's, a cost icount's instruction counts never showed. Fixed worst
// case: VMT_CHAIN_MAX frames and a look at the next (is the chain truncated?), a
// frame's two words read together.
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

#define TABLE_SPAN (1UL << PXSHIFT(1))   // what one last-level table maps: 2 MiB

// The two tables stack_tables keeps cover a stack of up to one table's span.
typedef char stack_fits_two_tables[USERSTACK * PGSIZE <= TABLE_SPAN ? 1 : -1];

// The last-level table that maps user address va in p's page table, 0 if none.
static pte_t *table_of(struct proc *p, uint64 va)
{
  pte_t *leaf = walk(p->pagetable, va, 0);
  return leaf ? leaf - PX(0, va) : 0;
}

// Fill in p->stack_tables. 0 if p has no stack (no image yet: the bounds chain_walk
// works out from would be meaningless) or a stack page has no table (which exec never
// leaves).
static int find_tables(struct proc *p)
{
  if (p->heap_base < p->stack_base + PGSIZE)
    return 0;
  pte_t *lo = table_of(p, p->stack_base), *hi = table_of(p, p->heap_base - 1);
  if (lo == 0 || hi == 0)
    return 0;
  p->stack_tables[0] = lo;
  p->stack_tables[1] = hi;
  return 1;
}

// One walk's view of p's stack: the bounds a frame pointer must respect and the page
// read last, through the direct map.
struct ustack {
  uint64 lo16, span;    // fp in [lo16, lo16 + span] = [stack_base + 16, heap_base]
  uint64 ret_below;     // a return address ret has 1 <= ret <= ret_below
  uint64 first;         // the start of the 2 MiB that stack_tables[0] maps
  pte_t *const *tables; // p->stack_tables
  uint64 vpn;           // the user page translated last, as va >> PGSHIFT (~0: none)
  uint64 delta;         // its kernel address minus its user address (mod 2^64)
};

static inline int fp_ok(const struct ustack *s, uint64 fp)
{
  return (fp & 15) == 0 && fp - s->lo16 <= s->span;
}

// A plausible return address: not 0, in user text, below stack_base and 4 GiB.
static inline int ret_ok(const struct ustack *s, uint64 pc)
{
  return pc - 1 < s->ret_below;
}

// The two words of the frame at fp (fp_ok has placed it in the stack): *w8 at fp-8 (a
// return address, or a leaf's saved fp) and *w16 at fp-16 (the caller's fp). Both lie in
// one page, fp being 16-byte aligned. 0, which ends the chain, if that page is unmapped.
static inline int frame_words(struct ustack *s, uint64 fp, uint64 *w8, uint64 *w16)
{
  uint64 at = fp - 16;
  if (__builtin_expect(at >> PGSHIFT != s->vpn, 0)) {
    uint64 page = PGROUNDDOWN(at);
    pte_t pte = s->tables[page - s->first >= TABLE_SPAN][PX(0, page)];
    if ((pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
      return 0;
    s->vpn = at >> PGSHIFT;
    s->delta = (uint64)pte2kva(pte) - page;
  }
  const uint64 *w = (const uint64 *)(at + s->delta);
  *w16 = w[0];
  *w8 = w[1];
  return 1;
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

static inline int walk_frames(struct ustack *s, const struct trapframe *tf, int from_ra,
                              uint32 ret[VMT_CHAIN_MAX])
{
  uint64 fp = tf->s0, pc = tf->ra;
  uint32 *out = ret, *end = ret + VMT_CHAIN_MAX;
  if (from_ra) {
    if (!ret_ok(s, pc))
      return 0;
    *out++ = pc;
  } else if (fp_ok(s, fp)) {   // the innermost frame, which may be a leaf's
    uint64 prev = fp;
    step(s, &fp, &pc, &tf->ra);
    if (!ret_ok(s, pc))
      return 0;
    *out++ = pc;
    if (fp <= prev)
      return 1;
  }
  while (out < end && fp_ok(s, fp)) {
    uint64 prev = fp;
    step(s, &fp, &pc, 0);
    if (!ret_ok(s, pc))
      return out - ret;
    *out++ = pc;
    if (fp <= prev)
      return out - ret;
  }
  // Full: truncated only if one more frame is really there (not _main's end).
  if (out == end && fp_ok(s, fp)) {
    step(s, &fp, &pc, 0);
    if (ret_ok(s, pc))
      return VMT_CHAIN_MAX | VMT_CHAIN_TRUNCATED;
  }
  return out - ret;
}

static int begin_chain_first(int begin_flags, uint32 scause, uint64 va, uint64 epc,
                             struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX]);

// The walk is inlined here and calls nothing, and both ways out are tail calls (the
// emit, or the first walk of an image), with the begin's fields already where the emit
// takes them: so few registers need saving, and the walk's state and the begin's fields
// stay in registers throughout. The chain is walked before the emit reads the time, so
// that its cost falls before the fault's begin timestamp, not inside the fault's
// latency.
int trace_fault_begin_chain(int begin_flags, uint32 scause, uint64 va, uint64 epc,
                            struct proc *p, int from_ra, uint32 ret[VMT_CHAIN_MAX])
{
  if (__builtin_expect(p->stack_tables[0] == 0, 0))
    return begin_chain_first(begin_flags, scause, va, epc, p, from_ra, ret);
  for (int i = 0; i < VMT_CHAIN_MAX; i++)
    ret[i] = 0;
  struct ustack s = {
    .lo16 = p->stack_base + 16, .span = p->heap_base - (p->stack_base + 16),
    .ret_below = (p->stack_base < (1UL << 32) ? p->stack_base : (1UL << 32)) - 1,
    .first = p->stack_base & ~(TABLE_SPAN - 1), .tables = p->stack_tables, .vpn = ~0UL,
  };
  int flags = walk_frames(&s, p->trapframe, from_ra, ret);
  return trace_emit_begin_chain(begin_flags, scause, va, epc, flags, ret);
}

// trace_fault_begin_chain, the first time in an image: find the stack's tables first. A
// process without them (no stack) gets an empty chain.
static __attribute__((noinline)) int begin_chain_first(int begin_flags, uint32 scause,
                                                       uint64 va, uint64 epc, struct proc *p,
                                                       int from_ra, uint32 ret[VMT_CHAIN_MAX])
{
  static const uint32 no_chain[VMT_CHAIN_MAX];
  if (find_tables(p))
    return trace_fault_begin_chain(begin_flags, scause, va, epc, p, from_ra, ret);
  return trace_emit_begin_chain(begin_flags, scause, va, epc, 0, no_chain);
}

#endif // FAULTLINE_NO_TRACE
