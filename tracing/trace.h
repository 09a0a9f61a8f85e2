// The kernel's trace points. Until the tracing layer lands (tracing/*.c), every trace
// point compiles to nothing; the calls stay so the places that will emit are visible.
#ifndef FAULTLINE_TRACE_H
#define FAULTLINE_TRACE_H

#include "kernel/types.h"

static inline void trace_kalloc(uint64 pa) { (void)pa; }
static inline void trace_kfree(uint64 pa) { (void)pa; }
static inline void trace_map(uint64 va, uint64 pa, int perm) { (void)va; (void)pa; (void)perm; }
static inline void trace_unmap(uint64 va, uint64 pa, int perm) { (void)va; (void)pa; (void)perm; }

#endif
