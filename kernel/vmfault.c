// Page faults on user memory, from every source, in one place.
//
// A fault is first classified from the address and the page-table entry alone, then
// handed to the one action for its kind:
//
//   PTE present, access allowed    spurious (flush that address)     -> FAULT_MAPPED
//   PTE present, write, PTE_COW    page shared by copy-on-write fork:
//                                  copy it, or take it over if ours  -> FAULT_MAPPED / NOMEM
//   PTE present, access forbidden  guard page, write to text, ...    -> FAULT_PROTECTION
//   absent, in [heap_base, sz),
//     access allowed on heap       lazy heap page: allocate and map  -> FAULT_MAPPED / NOMEM
//   anything else                  above the break, below the heap,
//                                  beyond MAXVA, exec in the heap    -> FAULT_ILLEGAL
//
// The bounds come from what exec built (p->heap_base) and from sbrk (p->sz); the saved
// user sp is never consulted, since a program may point it anywhere.
//
// Fault-around (MEMPOLICY_FAULTAROUND): a lazy fault on the page right after the pages
// the process's previous lazy fault mapped continues a sequential run, and maps a window
// of pages after its own: twice as many pages in all as the previous fault mapped, up to
// AROUND_MAX_PAGES. Any other lazy fault breaks the run and maps its page alone. The
// window ends early at the break, at a page already present, or when memory runs out;
// running out shrinks the window (the run goes on from what was mapped) and never fails
// the fault, which only needs its own page. The extra pages are mapped inside the fault,
// between its two trace events, and VMT_FAULT_END counts them. The faulting page's own
// kalloc and map are said by VMT_FAULT_END itself while ends are recorded (two records
// per lazy fault: begin, with its call chain, and end), else recorded with it.
//
// Copy-on-write (kernel/vm.c's uvmshare): a write to a user page whose entry has PTE_COW
// gets the process a frame of its own, copied, or the shared frame itself made writable
// when no other process holds it any more. The fault's end says which (VMT_OUT_COPIED or
// VMT_OUT_TAKEN) and the references it found; a copy's unmap of the old frame is recorded
// inside the fault, and the new frame's kalloc and map are said by the end, as a lazy
// page's are. A kernel write to user memory (copyout) finds no PTE_W there and comes here
// too (kernel/usercopy.c).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/kalloc.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "kernel/vmfault.h"
#include "kernel/mempolicy.h"
#include "tracing/trace.h"

// 128 pages, 512 KiB: the most a fault's trace record can count (VMT_AROUND_MAX after
// the faulting page). Linux maps 64 KiB around a file fault (fault_around_bytes); an
// anonymous heap is cheaper to over-map, and a sparse toucher never starts a run.
#define AROUND_MAX_PAGES (VMT_AROUND_MAX + 1)

enum fault_kind { KIND_SPURIOUS, KIND_LAZY, KIND_COW, KIND_PROTECTION, KIND_ILLEGAL };

static uint64 access_bit(enum fault_access access)
{
  switch (access) {
  case ACCESS_WRITE: return PTE_W;
  case ACCESS_EXEC:  return PTE_X;
  default:           return PTE_R;
  }
}

// *pte gets va's leaf entry as the walk found it (0 if no last-level table), so that
// resolve need not walk again: a spurious fault reads its frame there, and a lazy one
// installs its page there when the table exists.
static enum fault_kind classify(struct proc *p, uint64 va, enum fault_access access,
                                pte_t **ptep, const char **why)
{
  *ptep = 0;
  if (va >= MAXVA) {
    *why = va >= DIRECTMAP ? "kernel address" : "beyond MAXVA";
    return KIND_ILLEGAL;
  }
  pte_t *pte = *ptep = walk(p->pagetable, va, 0);
  if (pte && (*pte & PTE_V)) {
    if ((*pte & PTE_U) == 0) {
      *why = va < p->heap_base ? "stack guard page" : "kernel-only page";
      return KIND_PROTECTION;
    }
    if (access == ACCESS_WRITE && (*pte & PTE_COW))
      return KIND_COW;
    if ((*pte & access_bit(access)) == 0) {
      *why = access == ACCESS_WRITE ? "write to a read-only page" : "access not permitted";
      return KIND_PROTECTION;
    }
    return KIND_SPURIOUS;
  }
  if (va >= p->sz) {
    *why = "at or above the break";
    return KIND_ILLEGAL;
  }
  if (va < p->heap_base) {
    *why = "below the heap";
    return KIND_ILLEGAL;
  }
  if ((HEAP_PERM & access_bit(access)) == 0) {
    *why = "execute in the heap";
    return KIND_ILLEGAL;
  }
  return KIND_LAZY;
}

void vm_fault_end_run(struct proc *p)
{
  p->around_next = 0;
  p->around_pages = 0;
}

// How many pages the fault at page-aligned va maps in all, its own included.
static int window_pages(struct proc *p, uint64 va)
{
  if (p->mempolicy != MEMPOLICY_FAULTAROUND || va != p->around_next)
    return 1;
  int n = 2 * p->around_pages;
  return n > AROUND_MAX_PAGES ? AROUND_MAX_PAGES : n;
}

// After lazy page va was mapped: map up to want-1 zeroed pages after it, stopping at the
// break, at a present page or when memory runs out. Returns how many were mapped.
static int map_around(struct proc *p, uint64 va, int want)
{
  int n = 0, oom = 0;
  for (uint64 a = va + PGSIZE; n < want - 1 && a < p->sz; a += PGSIZE, n++) {
    int r = uvmmap_zeroed_if_absent(p->pagetable, a, HEAP_PERM, 0);
    if (r != 0) {
      oom = r < 0;
      break;
    }
  }
  if (p->mempolicy == MEMPOLICY_FAULTAROUND) {
    p->around_next = va + (uint64)(n + 1) * PGSIZE;
    p->around_pages = oom ? n + 1 : want;   // the break or a present page keeps the pace
  }
  return n;
}

// What resolve did, for the fault's end record.
struct resolved {
  uint64 pa;        // the frame now mapped at va, when the outcome is MAPPED
  int around;       // pages after it that fault-around mapped
  int mapped_as;    // the recorded outcome when it is MAPPED: VMT_OUT_MAPPED, or the
                    // kind of fault that needed nothing new (SPURIOUS) or a frame of its
                    // own (COPIED, TAKEN)
  int own_perm;     // 0, or the fault mapped its own page with these bits, untraced
                    // (trace_fault_end records its kalloc and map)
  int cow_refs;     // 0, or a copy-on-write fault's frame had that many references
};

// A write to copy-on-write page va, whose leaf entry is pte.
static enum fault_outcome resolve_cow(struct proc *p, uint64 va, pte_t *pte,
                                      struct resolved *r)
{
  int how = uvmcow_unshare(p->pagetable, va, pte, &r->cow_refs, 0);
  if (how < 0)
    return FAULT_NOMEM;
  r->pa = PTE2PA(*pte);
  if (how == COW_COPIED) {
    r->mapped_as = VMT_OUT_COPIED;
    r->own_perm = PTE_FLAGS(*pte) & ~PTE_V;   // its kalloc and map go with the end
    p->cow_copied++;
  } else {
    r->mapped_as = VMT_OUT_TAKEN;
    p->cow_taken++;
  }
  return FAULT_MAPPED;
}

// Classify, then act.
static enum fault_outcome resolve(struct proc *p, uint64 va, enum fault_access access,
                                  struct resolved *r, const char **why)
{
  pte_t *pte;
  switch (classify(p, va, access, &pte, why)) {
  case KIND_SPURIOUS:
    r->mapped_as = VMT_OUT_SPURIOUS;
    // The entry allows the access, so the hart faulted on a translation it cached
    // before the entry became valid: mapping a page never flushes (kernel/vm.c), and
    // hardware may cache invalid entries. Only this hart can hold it: a process runs
    // on one hart at a time, and a hart that ran this page table before flushed its
    // whole TLB when it switched away (vm_activate). So flushing this one address here
    // is enough; the access is retried on return and sees the valid entry.
    sfence_vma_page(PGROUNDDOWN(va));
    r->pa = PTE2PA(*pte);
    return FAULT_MAPPED;
  case KIND_COW:
    *why = "out of memory for a copy-on-write copy";
    return resolve_cow(p, PGROUNDDOWN(va), pte, r);
  case KIND_PROTECTION:
    return FAULT_PROTECTION;
  case KIND_ILLEGAL:
    return FAULT_ILLEGAL;
  case KIND_LAZY:
    *why = "out of memory";
    if (uvmmap_zeroed_untraced(p->pagetable, PGROUNDDOWN(va), HEAP_PERM, pte, &r->pa) != 0)
      return FAULT_NOMEM;
    r->own_perm = HEAP_PERM;   // its kalloc and map are recorded with the end
    r->around = map_around(p, PGROUNDDOWN(va), window_pages(p, PGROUNDDOWN(va)));
    return FAULT_MAPPED;
  }
  return FAULT_ILLEGAL;
}

// resolve() between the fault's two trace events.
static TRACED_INLINE enum fault_outcome traced_resolve(struct proc *p, uint64 va, enum fault_access access,
                                         enum fault_source source, uint64 scause,
                                         const char **why)
{
  struct resolved r = { .mapped_as = VMT_OUT_MAPPED };
  trace_fault_begin(p, va, p->trapframe->epc, scause, source, access);
  enum fault_outcome out = resolve(p, va, access, &r, why);
  trace_fault_end(va, out == FAULT_MAPPED ? r.pa : 0, out == FAULT_MAPPED ? r.mapped_as : out,
                  source, r.around, r.own_perm, r.cow_refs);
  return out;
}

enum fault_outcome vm_fault(uint64 va, enum fault_access access, enum fault_source source)
{
  const char *why = "";
  uint64 scause = access == ACCESS_WRITE ? SCAUSE_STORE_PAGE : SCAUSE_LOAD_PAGE;
  return traced_resolve(myproc(), va, access, source, scause, &why);
}

static enum fault_access access_of(uint64 scause)
{
  switch (scause) {
  case SCAUSE_STORE_PAGE: return ACCESS_WRITE;
  case SCAUSE_INSN_PAGE:  return ACCESS_EXEC;
  default:                return ACCESS_READ;
  }
}

static const char *cause_name(uint64 scause)
{
  switch (scause) {
  case SCAUSE_STORE_PAGE: return "store page fault";
  case SCAUSE_INSN_PAGE:  return "instruction page fault";
  default:                return "load page fault";
  }
}

void vm_fault_user(uint64 scause, uint64 stval)
{
  struct proc *p = myproc();
  const char *why = "";
  if (traced_resolve(p, stval, access_of(scause), FAULT_FROM_USER, scause, &why) == FAULT_MAPPED)
    return;
  printf("pid %d (%s): killed: %s at %p, pc %p: %s\n", p->pid, p->name,
         cause_name(scause), (void *)stval, (void *)p->trapframe->epc, why);
  trace_kill(p->pid, 1);
  setkilled(p);
}
