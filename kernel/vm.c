// Page tables (Sv39). The kernel's mappings live in the upper half (kernel/memlayout.h):
// a direct map of RAM and the devices, and the kernel stacks. kvminit builds them once,
// down to every page-table page they need, and each process's page table shares them:
// uvmcreate copies the kernel's top-level entries 256..511, which never change
// afterwards, so a trap runs the kernel on the process's page table and satp changes
// only when a hart switches to another process (vm_activate). The lower half is the
// process's own: user memory, the trampoline and its trap frame. Entries hold
// physical addresses; the kernel follows them through the direct map (kernel/kaddr.h).
//
// TLB: a hart caches translations of the page table it runs, and only one hart runs a
// process's page table at a time (a process has one thread; a hart leaving it goes to
// the kernel's table, flushing). So a translation that goes away or loses rights
// (uvmunmap, uvmclear, a copy-on-write fork turning the parent's pages read-only, a
// copy-on-write fault moving a page to a new frame) is flushed here, on this hart, when
// the table is the active one; a table not active anywhere needs nothing. An invalid
// entry becoming valid needs no flush: see vmfault.c's spurious case.
//
// User address spaces may be sparse: under the lazy policy heap pages are absent until
// first touched (kernel/vmfault.c). So every operation over a user range here visits
// the present leaves only, by walking the tree (each_leaf), and never assumes a page in
// [0, sz) exists. Strictness is kept where it matters: mapping over a present PTE, and
// freeing a page-table tree that still holds leaves, are kernel bugs and panic.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/kalloc.h"
#include "kernel/kaddr.h"
#include "kernel/ram.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "tracing/trace.h"

pagetable_t kernel_pagetable;

extern char etext[];        // kernel.ld: end of kernel text

void proc_mapstacks(pagetable_t kpgtbl);

// ---- Kernel page table ----------------------------------------------------------------

void kvmmap(pagetable_t kpgtbl, uint64 va, uint64 pa, uint64 size, int perm)
{
  if (mappages(kpgtbl, va, size, pa, perm) != 0)
    panic("kvmmap: out of memory at boot");
}

// Map physical [pa, pa+size) at its place in the direct map.
static void kvmmap_direct(pagetable_t k, uint64 pa, uint64 size, int perm)
{
  kvmmap(k, (uint64)pa2kva(pa), pa, size, perm);
}

void kvminit(void)
{
  pagetable_t k = kalloc_pagetable();
  if (k == 0)
    panic("kvminit");
  kvmmap_direct(k, TESTDEV, PGSIZE, PTE_R | PTE_W);
  kvmmap_direct(k, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap_direct(k, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap_direct(k, VIRTIO1, PGSIZE, PTE_R | PTE_W);
  kvmmap_direct(k, PLIC, 0x400000, PTE_R | PTE_W);
  uint64 text_end = kva2pa(etext);
  kvmmap_direct(k, KERNBASE, text_end - KERNBASE, PTE_R | PTE_X);
  kvmmap_direct(k, text_end, phys_top - text_end, PTE_R | PTE_W);
  proc_mapstacks(k);
  for (int i = 0; i < KERNEL_PT_FIRST; i++)
    if (k[i] & PTE_V)
      panic("kvminit: kernel mapping in the user half");
  kernel_pagetable = k;
}

uint64 satp_of(pagetable_t pagetable)
{
  return MAKE_SATP(kva2pa(pagetable));
}

void kvminithart(void)
{
  sfence_vma();   // finish stores to the page table before using it
  w_satp(satp_of(kernel_pagetable));
  sfence_vma();   // drop stale translations
}

void vm_activate(pagetable_t pagetable)
{
  uint64 satp = satp_of(pagetable ? pagetable : kernel_pagetable);
  if (r_satp() == satp)
    return;
  w_satp(satp);
  sfence_vma();   // no ASIDs: the previous table's translations must not survive
}

// Is pagetable the one this hart runs on (so that its TLB may cache its entries)?
static int active_here(pagetable_t pagetable)
{
  return r_satp() == satp_of(pagetable);
}

// ---- Walking and mapping --------------------------------------------------------------

pte_t *walk(pagetable_t pagetable, uint64 va, int alloc)
{
  if (va >= MAXVA && va < DIRECTMAP)
    panic("walk: va in neither half");
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &pagetable[PX(level, va)];
    if (*pte & PTE_V) {
      pagetable = pte2kva(*pte);
      continue;
    }
    if (!alloc || (pagetable = kalloc_pagetable()) == 0)
      return 0;
    *pte = PA2PTE(kva2pa(pagetable)) | PTE_V;
  }
  return &pagetable[PX(0, va)];
}

uint64 walkaddr(pagetable_t pagetable, uint64 va)
{
  if (va >= MAXVA)
    return 0;
  pte_t *pte = walk(pagetable, va, 0);
  if (pte == 0 || (*pte & PTE_V) == 0 || (*pte & PTE_U) == 0)
    return 0;
  return PTE2PA(*pte);
}

// va's leaf entry, which must be absent (a remap is a kernel bug); 0 if a page-table
// page cannot be allocated.
static pte_t *empty_leaf(pagetable_t pagetable, uint64 va)
{
  pte_t *pte = walk(pagetable, va, 1);
  if (pte && (*pte & PTE_V))
    panic("mappages: remap");
  return pte;
}

// Not traced: the kernel's map and each process's trampoline and trap frame. User
// memory is mapped by uvm_install below, which is traced.
int mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm)
{
  if (va % PGSIZE || size % PGSIZE || size == 0)
    panic("mappages: unaligned");
  for (uint64 off = 0; off < size; off += PGSIZE) {
    pte_t *pte = empty_leaf(pagetable, va + off);
    if (pte == 0)
      return -1;   // the pages mapped so far stay mapped; the caller owns the cleanup
    *pte = PA2PTE(pa + off) | perm | PTE_V;
  }
  return 0;
}

// Visit every last-level table of user memory that maps an address in [lo, hi), with
// the first address it maps, skipping absent subtrees. fn returns 0 to go on; any other
// value stops the walk and is returned. User memory is mapped a page at a time
// (mappages, uvm_install), so no superpage leaf can be met.
typedef int (*table_fn)(pte_t *leaves, uint64 base, uint64 lo, uint64 hi, void *arg);

static int each_table_at(pagetable_t pt, int level, uint64 base, uint64 lo, uint64 hi,
                         table_fn fn, void *arg)
{
  uint64 span = 1UL << PXSHIFT(level);
  for (int i = 0; i < 512; i++) {
    uint64 va = base + i * span;
    if (va >= hi)
      break;
    if (va + span <= lo || (pt[i] & PTE_V) == 0)
      continue;
    if (pt[i] & (PTE_R | PTE_W | PTE_X))
      panic("each_table: superpage in user memory");
    pagetable_t next = pte2kva(pt[i]);
    int r = level == 1 ? fn(next, va, lo, hi, arg)
                       : each_table_at(next, level - 1, va, lo, hi, fn, arg);
    if (r != 0)
      return r;
  }
  return 0;
}

static int each_table(pagetable_t pt, uint64 lo, uint64 hi, table_fn fn, void *arg)
{
  return each_table_at(pt, 2, 0, lo, hi, fn, arg);
}

// The entries [*first, *end) of the last-level table mapping from base that map
// addresses in [lo, hi), which overlaps the table's span (each_table's promise).
static void leaves_in(uint64 base, uint64 lo, uint64 hi, int *first, int *end)
{
  *first = lo > base ? (lo - base) / PGSIZE : 0;
  *end = hi - base >= 512 * PGSIZE ? 512 : (hi - base + PGSIZE - 1) / PGSIZE;
}

// Visit every valid leaf PTE that maps an address in [lo, hi); fn returns as each_table's.
typedef int (*leaf_fn)(pte_t *pte, uint64 va, void *arg);

struct leaf_walk {
  leaf_fn fn;
  void *arg;
};

static int table_leaves(pte_t *leaves, uint64 base, uint64 lo, uint64 hi, void *arg)
{
  struct leaf_walk *w = arg;
  int first, end;
  leaves_in(base, lo, hi, &first, &end);
  for (int i = first; i < end; i++) {
    if ((leaves[i] & PTE_V) == 0)
      continue;
    int r = w->fn(&leaves[i], base + (uint64)i * PGSIZE, w->arg);
    if (r != 0)
      return r;
  }
  return 0;
}

static int each_leaf(pagetable_t pt, uint64 lo, uint64 hi, leaf_fn fn, void *arg)
{
  struct leaf_walk w = { fn, arg };
  return each_table(pt, lo, hi, table_leaves, &w);
}

// What unmap_leaf does with each leaf's frame (its arg, as a pointer).
enum frame_fate { FRAME_KEPT, FRAME_FREED };

// "Freed" means one reference dropped: a frame that copy-on-write fork shared stays
// allocated until its last mapping goes (kernel/kalloc.c).
static int unmap_leaf(pte_t *pte, uint64 va, void *fate)
{
  uint64 pa = PTE2PA(*pte);
  *pte = 0;
  if ((uint64)fate == FRAME_FREED)
    kfree(pa2kva(pa));
  return 0;
}

// Unmap one user leaf and drop its frame's reference, traced: the unmap record says the
// frame was freed (VMT_UNMAP_FREED) when this was its last reference and kfrees are
// recorded, and the record goes out before the frame is free for another hart to take.
static TRACED_INLINE void unmap_traced_drop(pte_t *pte, uint64 va)
{
  uint64 pa = PTE2PA(*pte);
  int perm = PTE_FLAGS(*pte);
  *pte = 0;
  int last = kpage_drop(pa2kva(pa));
  int folded = last && trace_wanted(VMT_KFREE);
  trace_unmap(va, pa, perm, folded ? VMT_UNMAP_FREED : 0);
  if (folded)
    kfree_dropped_untraced(pa2kva(pa));
  else if (last)
    kfree_dropped(pa2kva(pa));
}

// While unmaps are traced, uvmunmap's pages go out a few at a time: one VMT_UNMAP
// (VMT_UNMAP_PAGES, tracing/vmtrace_format.h) says up to VMT_UNMAP_PAGES_MAX pages in a
// row of one last-level table, with the same PTE bits, each frame named. So an exit, an
// exec or a shrink writes a record per five pages, not one per page.
//
// The record goes out before any of its frames' references is dropped: a frame another
// process still maps (copy-on-write, shared text) could otherwise be freed by that
// process, its kfree recorded, between our drop and our record, and a reader would see
// the frame freed while we still map it. A writable page is this process's alone (fork
// demotes a shared page to copy-on-write in both), so the record may say its frame is
// freed with it (VMT_UNMAP_FREED, when kfrees are recorded); any other page's frame,
// if ours was the last reference, gets a kfree record of its own after the unmap.
typedef char unmap_pfn_fits[(PHYSMAX - 1) >> PGSHIFT <= VMT_UNMAP_PFN_MASK ? 1 : -1];

// How uvmunmap's traced walk treats frames (its arg).
struct unmap_how {
  int drop;        // drop each frame's reference (uvmunmap's do_free)
  int fold;        // kfrees are recorded: a writable page's record says its free
};

// Record the unmap of n pages from va, all with PTE bits perm, whose frames are pa[],
// then drop their references as how says, freeing each frame referenced only here:
// untraced when the record says the frees (one call a frame, kfree_untraced: a drop and
// a free apart, kpage_drop then kfree_dropped_untraced, cost about 23 instructions more
// a page), else with a kfree record of its own. Those frames are mostly shared ones (a
// forked child's), of which one call drops a reference and frees nothing: kpage_drop
// alone is the cheaper call then.
static void unmap_run_traced(const struct unmap_how *how, uint64 va, int perm,
                             const uint64 *pa, int n)
{
  uint32 arg = perm;
  uint64 a = va, b = 0;
  for (int i = 0; i < n; i++)
    VMT_UNMAP_PUT(i, pa[i] >> PGSHIFT, &arg, &a, &b);
  int said = how->drop && how->fold && (perm & PTE_W);
  trace_unmap_pages(a, b, arg, n, said);
  for (int i = 0; how->drop && i < n; i++) {
    void *kva = pa2kva(pa[i]);
    if (said)
      kfree_untraced(kva);
    else if (kpage_drop(kva))
      kfree_dropped(kva);
  }
}

// uvmunmap's walk of one last-level table while unmaps are traced (arg: the unmap_how):
// a table at a time, as share_table, so that a page costs no call through the walker,
// and a run of pages at a time, cleared as it is gathered, so that the run lives in
// registers and on this frame.
static int unmap_table_traced(pte_t *leaves, uint64 base, uint64 lo, uint64 hi, void *arg)
{
  int first, end;
  leaves_in(base, lo, hi, &first, &end);
  for (int i = first; i < end; ) {
    if ((leaves[i] & PTE_V) == 0) {
      i++;
      continue;
    }
    int perm = PTE_FLAGS(leaves[i]), n = 0;
    uint64 pa[VMT_UNMAP_PAGES_MAX];
    for (; n < VMT_UNMAP_PAGES_MAX && i < end && (leaves[i] & PTE_V) &&
           PTE_FLAGS(leaves[i]) == perm; i++) {
      pa[n++] = PTE2PA(leaves[i]);
      leaves[i] = 0;
    }
    unmap_run_traced(arg, base + (uint64)(i - n) * PGSIZE, perm, pa, n);
  }
  return 0;
}

void unmappages(pagetable_t pagetable, uint64 va, uint64 npages)
{
  if (va % PGSIZE)
    panic("unmappages: unaligned");
  each_leaf(pagetable, va, va + npages * PGSIZE, unmap_leaf, (void *)FRAME_KEPT);
}

// ---- User address spaces --------------------------------------------------------------

// Every mapping of user memory is installed here: these are the pages traces and
// resident counts describe. Each maps a frame allocated for it, untraced
// (kalloc_*_untraced), so that one record can say both (trace_map_new); traced: whether
// to record them here, or leave that to the caller (a fault's end record). pte is va's
// leaf entry, not valid.
static TRACED_INLINE void uvm_install(pte_t *pte, uint64 va, uint64 pa, int perm, int traced)
{
  *pte = PA2PTE(pa) | perm | PTE_V;
  if (traced)
    trace_map_new(va, pa, perm);
}

// Map pa, a frame from kalloc_*_untraced, at va; traced. 0, or -1 if a page-table page
// cannot be allocated (pa is then still the caller's).
static int uvmmap_new(pagetable_t pagetable, uint64 va, uint64 pa, int perm)
{
  pte_t *pte = empty_leaf(pagetable, va);
  if (pte == 0)
    return -1;
  uvm_install(pte, va, pa, perm, 1);
  return 0;
}

// Past this many pages, one flush of the whole TLB is cheaper than one per page.
#define FLUSH_PAGES_MAX 32

// Drop this hart's cached translations of [va, va + npages pages) if pagetable is active
// here. Frames unmapped just before may already be free: only user mode could still
// reach them through the TLB, and this hart is in the kernel until the flush is done.
static void flush_range(pagetable_t pagetable, uint64 va, uint64 npages)
{
  if (!active_here(pagetable))
    return;
  if (npages > FLUSH_PAGES_MAX) {
    sfence_vma();
    return;
  }
  for (uint64 i = 0; i < npages; i++)
    sfence_vma_page(va + i * PGSIZE);
}

void uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free)
{
  if (va % PGSIZE)
    panic("uvmunmap: unaligned");
  // Whether to trace is asked once for the range, not per page. A recording that starts
  // midway misses the rest of the range's unmaps: pages mapped before it started (a
  // process's table changes only under the process), whose maps it never saw either.
  uint64 end = va + npages * PGSIZE;
  if (trace_wanted(VMT_UNMAP)) {
    struct unmap_how how = { .drop = do_free, .fold = trace_wanted(VMT_KFREE) };
    each_table(pagetable, va, end, unmap_table_traced, &how);
  } else {
    uint64 fate = do_free ? FRAME_FREED : FRAME_KEPT;
    each_leaf(pagetable, va, end, unmap_leaf, (void *)fate);
  }
  flush_range(pagetable, va, npages);
}

// The one body of "a zeroed frame at user page va": leaf is va's leaf entry if the
// caller has walked to it, else 0; traced as uvm_install's. Returns 1 if va is mapped
// (nothing done), else as uvmmap_zeroed.
static TRACED_INLINE int map_zeroed(pagetable_t pagetable, pte_t *leaf, uint64 va, int perm,
                                    uint64 *pa, int traced)
{
  // Walk first, allocate second: running out of memory for a page-table page then
  // leaves no data page to give back.
  pte_t *pte = leaf ? leaf : walk(pagetable, va, 1);
  if (pte == 0)
    return -1;
  if (*pte & PTE_V)
    return 1;
  char *mem = kalloc_zeroed_untraced();
  if (mem == 0)
    return -1;
  uvm_install(pte, va, kva2pa(mem), perm, traced);
  if (pa)
    *pa = kva2pa(mem);
  return 0;
}

int uvmmap_zeroed_if_absent(pagetable_t pagetable, uint64 va, int perm, uint64 *pa)
{
  return map_zeroed(pagetable, 0, va, perm, pa, 1);
}

// map_zeroed for a page that must be absent.
static TRACED_INLINE int map_zeroed_absent(pagetable_t pagetable, pte_t *leaf, uint64 va,
                                           int perm, uint64 *pa, int traced)
{
  int r = map_zeroed(pagetable, leaf, va, perm, pa, traced);
  if (r == 1)
    panic("uvmmap_zeroed: remap");
  return r;
}

int uvmmap_zeroed(pagetable_t pagetable, uint64 va, int perm, pte_t *leaf, uint64 *pa)
{
  return map_zeroed_absent(pagetable, leaf, va, perm, pa, 1);
}

int uvmmap_zeroed_untraced(pagetable_t pagetable, uint64 va, int perm, pte_t *leaf, uint64 *pa)
{
  return map_zeroed_absent(pagetable, leaf, va, perm, pa, 0);
}

pagetable_t uvmcreate(void)
{
  pagetable_t pt = kalloc_pagetable();
  if (pt)
    for (int i = KERNEL_PT_FIRST; i < 512; i++)
      pt[i] = kernel_pagetable[i];
  return pt;
}

// The page holding an unaligned break stays mapped when the break moves down into it;
// clear the bytes above the break so that memory handed out again reads as zeros, as a
// fresh page would. A page shared copy-on-write gets a frame of its own first, since the
// other holders' bytes must not change; if there is no memory for one, the tail is left
// as it is (bytes this process could read already, never another process's later ones).
static void clear_tail(pagetable_t pagetable, uint64 sz)
{
  uint64 off = sz % PGSIZE;
  if (off == 0)
    return;
  uint64 va = PGROUNDDOWN(sz);
  pte_t *pte = walk(pagetable, va, 0);
  if (pte == 0 || (*pte & PTE_V) == 0)
    return;
  int refs;
  if ((*pte & PTE_COW) && uvmcow_unshare(pagetable, va, pte, &refs, 1) < 0)
    return;
  memset((char *)pte2kva(*pte) + off, 0, PGSIZE - off);
}

static uint64 alloc_range(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int perm)
{
  if (newsz <= oldsz)
    return oldsz;
  for (uint64 va = PGROUNDUP(oldsz); va < newsz; va += PGSIZE) {
    if (uvmmap_zeroed(pagetable, va, perm, 0, 0) != 0) {
      uvmdealloc(pagetable, newsz, oldsz);
      return 0;
    }
  }
  return newsz;
}

uint64 uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int xperm)
{
  return alloc_range(pagetable, oldsz, newsz, PTE_R | PTE_U | xperm);
}

uint64 uvmgrowheap(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  return alloc_range(pagetable, oldsz, newsz, HEAP_PERM);
}

uint64 uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  if (newsz >= oldsz)
    return oldsz;
  uint64 from = PGROUNDUP(newsz), to = PGROUNDUP(oldsz);
  if (from < to)
    uvmunmap(pagetable, from, (to - from) / PGSIZE, 1);
  clear_tail(pagetable, newsz);
  return newsz;
}

// Free a page-table tree, or its first n entries' subtrees and then the page itself.
// Every leaf must already be gone: a leaf left here would be a page nobody frees.
static void freewalk(pagetable_t pagetable, int n)
{
  for (int i = 0; i < n; i++) {
    pte_t pte = pagetable[i];
    if ((pte & PTE_V) == 0)
      continue;
    if (pte & (PTE_R | PTE_W | PTE_X))
      panic("freewalk: leaf still mapped");
    freewalk(pte2kva(pte), 512);
  }
  kfree_pagetable(pagetable);
}

// No hart may run on the table (it would walk freed pages): the caller has switched
// away from it (vm_activate), and a hart that ran it before left it when it switched
// to another table, flushing its TLB.
void uvmfree(pagetable_t pagetable, uint64 sz)
{
  if (active_here(pagetable))
    panic("uvmfree: page table in use");
  uvmunmap(pagetable, 0, PGROUNDUP(sz) / PGSIZE, 1);
  freewalk(pagetable, KERNEL_PT_FIRST);   // the kernel's half is shared, not this table's
}

// The permissions of a private copy of the page pte maps: a page shared copy-on-write
// (the parent may itself be a child that has not written it yet) is writable again.
static int private_perm(pte_t pte)
{
  int perm = PTE_FLAGS(pte) & ~PTE_V;
  return (perm & PTE_COW) ? (perm & ~PTE_COW) | PTE_W : perm;
}

static int copy_leaf(pte_t *pte, uint64 va, void *child)
{
  char *mem = kalloc_copy_untraced(pte2kva(*pte));
  if (mem == 0)
    return -1;
  if (uvmmap_new((pagetable_t)child, va, kva2pa(mem), private_perm(*pte)) != 0) {
    kfree_untraced(mem);
    return -1;
  }
  return 0;
}

int uvmcopy(pagetable_t old, pagetable_t new, uint64 sz)
{
  if (each_leaf(old, 0, sz, copy_leaf, new) == 0)
    return 0;
  uvmunmap(new, 0, PGROUNDUP(sz) / PGSIZE, 1);
  return -1;
}

// What share_table needs: the child's table, whether a parent entry lost PTE_W, and
// while shares are recorded (runs), the pages shared since the last record: run_n pages
// from run_va, copy-on-write if run_cow.
struct share {
  pagetable_t child;
  int demoted;
  int runs;
  uint64 run_va, run_n;
  int run_cow;
};

// Record the pending run of shared pages, if any. The caller is the parent, whose pid
// the record names; the record itself carries the child's (fork's charge_to).
static void share_flush(struct share *sh)
{
  if (sh->run_n)
    trace_share(sh->run_va, sh->run_n, sh->run_cow, myproc()->pid);
  sh->run_n = 0;
}

// The child's page va now maps what pte maps. While shares are recorded, the page joins
// the pending run, or starts a new one after that is recorded: a run is pages in a row
// of one kind, so a fork writes a record for text, one for data and stack and one for
// the heap, not one per page. Else the page is recorded as a map of its own (when maps
// are), as before shares existed.
static void share_traced(struct share *sh, uint64 va, pte_t pte)
{
  if (!sh->runs) {
    trace_map(va, PTE2PA(pte), PTE_FLAGS(pte) & ~PTE_V);
    return;
  }
  int cow = (pte & PTE_COW) != 0;
  if (sh->run_n && (va != sh->run_va + sh->run_n * PGSIZE || cow != sh->run_cow))
    share_flush(sh);
  if (sh->run_n++ == 0) {
    sh->run_va = va;
    sh->run_cow = cow;
  }
}

// Map the frames of one of the parent's last-level tables (leaves, mapping from base)
// into the child too, those in [lo, hi). A writable page becomes copy-on-write in both
// (PTE_W off, PTE_COW on); a read-only one is shared as it is, never copied. A table at
// a time, so that the child's table is walked to once per 2 MiB and a page costs no
// call through the walker (fork's time is this loop's: a page's share against its copy).
static int share_table(pte_t *leaves, uint64 base, uint64 lo, uint64 hi, void *arg)
{
  struct share *sh = arg;
  pte_t *child = 0;
  int first, end;
  leaves_in(base, lo, hi, &first, &end);
  for (int i = first; i < end; i++) {
    uint64 va = base + (uint64)i * PGSIZE;
    if ((leaves[i] & PTE_V) == 0)
      continue;
    if (child == 0) {
      pte_t *slot = empty_leaf(sh->child, va);
      if (slot == 0)
        return -1;
      child = slot - i;
    }
    pte_t pte = leaves[i];
    if (pte & PTE_W) {
      leaves[i] = pte = (pte & ~PTE_W) | PTE_COW;
      sh->demoted = 1;
    }
    if (child[i] & PTE_V)
      panic("uvmshare: remap");
    kpage_share(pte2kva(pte));
    child[i] = pte;
    share_traced(sh, va, pte);
  }
  return 0;
}

int uvmshare(pagetable_t old, pagetable_t new, uint64 sz)
{
  struct share sh = { .child = new, .runs = trace_wanted(VMT_SHARE) };
  int r = each_table(old, 0, sz, share_table, &sh);
  share_flush(&sh);   // before any unmap below, which must follow the pages' share
  // The parent's pages that lost PTE_W must not stay writable through this hart's TLB.
  if (sh.demoted)
    flush_range(old, 0, PGROUNDUP(sz) / PGSIZE);
  if (r == 0)
    return 0;
  uvmunmap(new, 0, PGROUNDUP(sz) / PGSIZE, 1);
  return -1;
}

int uvmcow_unshare(pagetable_t pagetable, uint64 va, pte_t *pte, int *refs, int map_traced)
{
  uint64 oldpa = PTE2PA(*pte);
  int perm = (PTE_FLAGS(*pte) & ~(PTE_V | PTE_COW)) | PTE_W;
  int how = COW_TAKEN;
  *refs = kpage_refs(pa2kva(oldpa));
  if (*refs == 1) {
    // Ours alone: nobody can take a reference to it but this process, which is here.
    *pte = PA2PTE(oldpa) | perm | PTE_V;
  } else {
    char *mem = kalloc_copy_untraced(pa2kva(oldpa));
    if (mem == 0)
      return -1;
    // The old frame's reference goes as an unmap would drop it (the other holders may
    // have dropped theirs since its count was read, making this the last), and the new
    // frame is mapped as a fresh page: a recording sees the copy as an unmap and a map.
    unmap_traced_drop(pte, va);
    uvm_install(pte, va, kva2pa(mem), perm, map_traced);
    how = COW_COPIED;
  }
  // The entry gained PTE_W (and maybe a new frame): this hart may cache the read-only one.
  flush_range(pagetable, va, 1);
  return how;
}

void uvmclear(pagetable_t pagetable, uint64 va)
{
  pte_t *pte = walk(pagetable, va, 0);
  if (pte == 0 || (*pte & PTE_V) == 0)
    panic("uvmclear: page absent");
  *pte &= ~PTE_U;
  flush_range(pagetable, va, 1);
}

// Every mapped page below sz counts, the stack guard page too: each holds a frame.
static int count_leaf(pte_t *pte, uint64 va, void *count)
{
  (*(uint64 *)count)++;
  return 0;
}

uint64 uvmresident(pagetable_t pagetable, uint64 sz)
{
  uint64 n = 0;
  each_leaf(pagetable, 0, sz, count_leaf, &n);
  return n;
}
