// The physical page allocator: whole 4096-byte pages between the kernel's end and the end
// of RAM (phys_top, kernel/ram.h), handed out as kernel addresses (kernel/kaddr.h converts to physical ones). Every page
// in use has a reference count, 1 when allocated; each free drops one reference and the
// page is freed only when its last one goes.
#ifndef FAULTLINE_KALLOC_H
#define FAULTLINE_KALLOC_H

#include "kernel/types.h"

void   kinit(void);
void  *kalloc(void);          // a page, or 0 when memory is exhausted; contents are junk
void   kfree(void *page);     // drop a reference to page (from kalloc); free it at the last
uint64 kfreepages(void);      // pages currently free
// A zeroed page that holds a page table: traced as such (a fault that needs a new
// page-table page shows two allocations, and a reader must be able to tell them apart).
void  *kalloc_pagetable(void);
void   kfree_pagetable(void *page);
// Untraced, for a caller that records the allocation or the free itself inside a record
// that implies it (a map that says its page was allocated for it, an unmap that says
// its page was freed with it, a fault's end: tracing/vmtrace_format.h), or leaves it
// out because that record's type is not recorded. A recording must see both a page's
// kalloc and its kfree or neither: a page from a kalloc_*_untraced whose map never happened
// goes back through kfree_untraced.
void  *kalloc_zeroed_untraced(void);  // as kalloc, but zeroed (and never junk-filled first)
void  *kalloc_copy_untraced(const void *page);   // as kalloc, holding a copy of page
void   kfree_untraced(void *page);    // as kfree

// Sharing a page (copy-on-write fork). The caller of each must hold a reference to page
// (it maps it, or allocated it), so the page cannot be freed under the call.
void   kpage_share(void *page);   // one more holder: the count goes up by one
int    kpage_refs(void *page);    // the holders now; 1 means the caller's is the only one
// Drop the caller's reference without freeing; 1 if it was the last. For a caller that
// must record something between the last reference going and the page being freed
// (an unmap record that says it frees its page, which must come before another hart
// can allocate the page again): it then frees the page at once with kfree_dropped, or
// with kfree_dropped_untraced when its own record says the free.
int    kpage_drop(void *page);
void   kfree_dropped(void *page);
void   kfree_dropped_untraced(void *page);

#endif
