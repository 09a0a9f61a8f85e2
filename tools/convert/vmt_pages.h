// A bounded hash table from keys (a nonzero 64-bit number and a 32-bit tag) to 64-bit
// values: the converter's page tables (vmt_space.h keeps which frames each process maps,
// at which va, and how many times each frame is mapped, in three of them).
//
// Bounded: a table grows from VMT_PAGES_MIN slots up to VMT_PAGES_MAX (12 MiB), at most
// half full; past that, new keys go untracked (pages_put fails and counts them).
#ifndef FAULTLINE_VMT_PAGES_H
#define FAULTLINE_VMT_PAGES_H

#include "kernel/types.h"

#define VMT_PAGES_MIN (1u << 12)
#define VMT_PAGES_MAX (1u << 19)     // 262,144 entries

struct vmt_page {
  uint64 key;                        // 0: empty slot
  uint64 val;
  uint32 tag;
};

struct vmt_pages {
  struct vmt_page *slot;
  uint32 cap, n;
  uint64 untracked;                  // puts that found the table full
};

int pages_init(struct vmt_pages *t);           // 0, or -1 if out of memory
void pages_free(struct vmt_pages *t);
// The value of (key, tag) (key nonzero), or NULL if absent; valid until the next put or
// del.
uint64 *pages_find(struct vmt_pages *t, uint64 key, uint32 tag);
// Sets (key, tag) (key nonzero) to val: 0, or -1 if the table is full (left out).
int pages_put(struct vmt_pages *t, uint64 key, uint32 tag, uint64 val);
// Removes (key, tag); 1 if it was there.
int pages_del(struct vmt_pages *t, uint64 key, uint32 tag);

#endif
