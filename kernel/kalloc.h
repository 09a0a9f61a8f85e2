// The physical page allocator: whole 4096-byte pages between the kernel's end and PHYSTOP.
#ifndef FAULTLINE_KALLOC_H
#define FAULTLINE_KALLOC_H

#include "kernel/types.h"

void   kinit(void);
void  *kalloc(void);          // a page, or 0 when memory is exhausted; contents are junk
void   kfree(void *pa);       // pa must have come from kalloc
uint64 kfreepages(void);      // pages currently free

#endif
