// Two things live at this path. For user programs, xv6-riscv's kernel/vm.h: the types
// sys_sbrk takes (user/user.h's sbrk and sbrklazy pass them). For the kernel (built with
// FAULTLINE_KERNEL defined), also the page tables: the kernel's identity map and
// per-process user address spaces, where all sizes and addresses are bytes and "sz" is
// the top of a user address space. The guard keeps kernel prototypes out of user
// programs, whose own functions may share their names.
#ifndef FAULTLINE_VM_H
#define FAULTLINE_VM_H

// sys_sbrk(n, type): how the new part of the heap gets memory, unless the process's
// policy overrides it (kernel/mempolicy.h). xv6-riscv's names and values.
#define SBRK_EAGER 1   // allocate and map every page now (what sbrk asks for)
#define SBRK_LAZY  2   // only move the break; each page on its first touch (sbrklazy)

#ifdef FAULTLINE_KERNEL

#include "kernel/types.h"
#include "kernel/riscv.h"

void kvminit(void);       // build the kernel page table (boot hart, once)
void kvminithart(void);   // switch this hart to it
// The satp value that selects pagetable (a kernel pointer to its root page).
uint64 satp_of(pagetable_t pagetable);
// Run this hart on pagetable (a process's, or 0: the kernel's own, for a hart without a
// process or a process whose memory is gone), flushing the TLB if satp changes.
void vm_activate(pagetable_t pagetable);
// The first top-level entry of the kernel's half: entries from here to 511 are the
// kernel's, built at boot and the same in every page table.
#define KERNEL_PT_FIRST 256

// The PTE for va, creating page-table pages on the way if alloc; 0 if absent or out of memory.
pte_t *walk(pagetable_t pagetable, uint64 va, int alloc);
// The physical address user page va maps to, or 0 if it is not mapped for user access.
uint64 walkaddr(pagetable_t pagetable, uint64 va);
// Map [va, va+size) to [pa, ...), untraced: for the kernel's map and a process's
// trampoline and trap frame, never user memory (uvm* below). Panics on remapping a
// present PTE (a kernel bug); returns -1 if a page-table page cannot be allocated.
int mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm);
// Undo mappages for npages from page-aligned va, untraced; the frames are not freed.
void unmappages(pagetable_t pagetable, uint64 va, uint64 npages);
void kvmmap(pagetable_t kpgtbl, uint64 va, uint64 pa, uint64 size, int perm);

// Permissions of a heap page, whether eager sbrk maps it or a fault maps it lazily.
#define HEAP_PERM (PTE_R | PTE_W | PTE_U)

pagetable_t uvmcreate(void);
// Give user page va (page-aligned, absent: a remap panics) a zeroed frame mapped with
// perm; *pa gets the frame if pa is not 0. leaf: va's leaf entry, if the caller has
// walked to it already (walk(pagetable, va, 0), nothing mapped since), so that it is not
// walked twice; else 0. 0, or -1 if memory ran out (no data page is left allocated; a
// page-table page it allocated stays, for the process's later use). Traced: one record
// says both the page's kalloc and its map (trace_map_new).
int uvmmap_zeroed(pagetable_t pagetable, uint64 va, int perm, pte_t *leaf, uint64 *pa);
// The same, untraced: the caller records the page's kalloc and map itself (a fault's end
// record, trace_fault_end).
int uvmmap_zeroed_untraced(pagetable_t pagetable, uint64 va, int perm, pte_t *leaf, uint64 *pa);
// The same for a page that may be mapped already (fault-around's window), with the same
// one page-table walk, traced: 1 if va is mapped (nothing done), else as uvmmap_zeroed.
int uvmmap_zeroed_if_absent(pagetable_t pagetable, uint64 va, int perm, uint64 *pa);
// Grow to newsz with fresh zeroed pages mapped R|U|xperm; returns newsz, or 0 and undoes all.
uint64 uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int xperm);
// The same for the heap (eager sbrk): pages mapped HEAP_PERM.
uint64 uvmgrowheap(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
// Shrink to newsz, freeing the pages wholly above it and zeroing the rest of the page
// that holds newsz; returns newsz.
uint64 uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
// Unmap npages of user memory from page-aligned va (traced), freeing the frames if do_free. Absent pages are
// skipped; it is the caller's job to unmap only ranges that may be lazily absent.
void uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free);
// Copy the present pages of [0, sz) into a child page table; 0, or -1 and nothing left behind.
int  uvmcopy(pagetable_t old, pagetable_t new, uint64 sz);
// Copy-on-write fork: map every present page of [0, sz) of old into new, sharing the
// frame (a reference more each). Writable pages become read-only with PTE_COW in both
// tables; read-only ones are shared as they are. Flushes this hart's TLB if old is the
// active table; the caller must make sure no other hart runs old (old is the caller's
// own, and a process runs on one hart at a time). 0, or -1 (out of memory for the
// child's page tables) and nothing left in new; old's pages may stay copy-on-write, which
// costs nothing but a fault that takes the page over.
int  uvmshare(pagetable_t old, pagetable_t new, uint64 sz);
// Give user page va, mapped with PTE_COW at its leaf pte, a frame the process may write:
// the same frame made writable if the process holds its last reference (COW_TAKEN), else
// a copy (COW_COPIED; the old frame's reference dropped, and freed if that was the
// last). The caller must be the process that owns pagetable (or its exclusive owner), so
// that nobody else changes the entry meanwhile. Flushes va on this hart if pagetable is
// active. *refs gets the references the frame had when looked at. A copy's unmap is
// recorded here; its new frame's map too if map_traced, else (a fault: its end record
// says it) not at all. -1 when there is no memory for the copy (nothing changed).
enum cow_unshared { COW_TAKEN, COW_COPIED };
int  uvmcow_unshare(pagetable_t pagetable, uint64 va, pte_t *pte, int *refs, int map_traced);
// Free the pages of [0, sz) and every page-table page of the user half. No hart may be
// running on pagetable (panics if this one is).
void uvmfree(pagetable_t pagetable, uint64 sz);
// Make page va inaccessible to user mode (the stack guard page).
void uvmclear(pagetable_t pagetable, uint64 va);
// Number of present user pages in [0, sz).
uint64 uvmresident(pagetable_t pagetable, uint64 sz);

#endif // FAULTLINE_KERNEL

#endif
