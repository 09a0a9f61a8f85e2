// The physical page allocator: whole 4096-byte pages between the kernel's end and PHYSTOP,
// handed out as kernel addresses (kernel/kaddr.h converts to physical ones).
#ifndef FAULTLINE_KALLOC_H
#define FAULTLINE_KALLOC_H

#include "kernel/types.h"

void   kinit(void);
void  *kalloc(void);          // a page, or 0 when memory is exhausted; contents are junk
void  *kalloc_zeroed(void);   // the same, zeroed (and never junk-filled first)
void   kfree(void *page);     // page must have come from kalloc
uint64 kfreepages(void);      // pages currently free
// A zeroed page that holds a page table: traced as such (a fault that needs a new
// page-table page shows two allocations, and a reader must be able to tell them apart).
void  *kalloc_pagetable(void);
void   kfree_pagetable(void *page);

#endif
