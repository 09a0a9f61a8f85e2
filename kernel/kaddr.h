// Physical and kernel-virtual addresses: the one place that converts between them.
//
// The kernel sees all of physical memory through the direct map (kernel/memlayout.h):
// physical address pa is at kernel address DIRECTMAP + pa. Page-table entries, satp,
// the trace records and the addresses handed to virtio devices are physical; every
// pointer the kernel dereferences (kalloc's pages, page-table pages, device registers)
// is a kernel address. A caller converts exactly where a value crosses from one kind to
// the other, so that a physical address is never used as a pointer.
#ifndef FAULTLINE_KADDR_H
#define FAULTLINE_KADDR_H

#include "kernel/types.h"
#include "kernel/memlayout.h"

// The kernel address of physical address pa (RAM or a device register).
static inline void *pa2kva(uint64 pa)
{
  return (void *)(pa + DIRECTMAP);
}

// The physical address behind kernel address kva, which must lie in the direct map (the
// kernel image does: it is linked at its load address's place there). Kernel stacks
// are mapped elsewhere and have no such conversion.
static inline uint64 kva2pa(const void *kva)
{
  return (uint64)kva - DIRECTMAP;
}

// The page a page-table entry maps, as a kernel pointer: a lower-level page table or
// a user page's frame.
static inline void *pte2kva(pte_t pte)
{
  return pa2kva(PTE2PA(pte));
}

#endif
