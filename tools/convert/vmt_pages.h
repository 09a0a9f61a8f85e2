// A bounded hash table from nonzero 64-bit keys to 64-bit values: the converter's page
// tables (vmt_space.h keeps which process maps which page, and which frames are mapped
// how many times, in two of them).
//
// Bounded: a table grows from VMT_PAGES_MIN slots up to VMT_PAGES_MAX (16 MiB), at most
// half full; past that, new keys go untracked (pages_put fails and counts them).
#ifndef FAULTLINE_VMT_PAGES_H
#define FAULTLINE_VMT_PAGES_H

#include "kernel/types.h"

#define VMT_PAGES_MIN (1u << 12)
#define VMT_PAGES_MAX (1u << 20)     // 524,288 entries

struct vmt_page {
  uint64 key;                        // 0: empty slot
  uint64 val;
};

struct vmt_pages {
  struct vmt_page *slot;
  uint32 cap, n;
  uint64 untracked;                  // puts that found the table full
};

int pages_init(struct vmt_pages *t);           // 0, or -1 if out of memory
void pages_free(struct vmt_pages *t);
// The value of key (nonzero), or NULL if absent; valid until the next put or del.
uint64 *pages_find(struct vmt_pages *t, uint64 key);
// Sets key (nonzero) to val: 0, or -1 if the table is full (key left out).
int pages_put(struct vmt_pages *t, uint64 key, uint64 val);
// Removes key; 1 if it was there.
int pages_del(struct vmt_pages *t, uint64 key);

#endif
