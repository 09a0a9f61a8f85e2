// The physical page allocator: whole 4096-byte pages between the kernel's end and PHYSTOP,
// handed out as kernel addresses (kernel/kaddr.h converts to physical ones).
#ifndef FAULTLINE_KALLOC_H
#define FAULTLINE_KALLOC_H

#include "kernel/types.h"

void   kinit(void);
void  *kalloc(void);          // a page, or 0 when memory is exhausted; contents are junk
void   kfree(void *page);     // page must have come from kalloc
uint64 kfreepages(void);      // pages currently free
// A zeroed page that holds a page table: traced as such (a fault that needs a new
// page-table page shows two allocations, and a reader must be able to tell them apart).
void  *kalloc_pagetable(void);
void   kfree_pagetable(void *page);
// Untraced, for a caller that records the allocation or the free itself inside a record
// that implies it (a map that says its page was allocated for it, an unmap that says
// its page was freed with it, a fault's end: tracing/vmtrace_format.h), or leaves it
// out because that record's type is not recorded. A recording must see both a page's
// kalloc and its kfree or neither: a page from kalloc_untraced whose map never happened
// goes back through kfree_untraced.
void  *kalloc_untraced(void);         // as kalloc
void  *kalloc_zeroed_untraced(void);  // as kalloc, but zeroed (and never junk-filled first)
void   kfree_untraced(void *page);    // as kfree

#endif
