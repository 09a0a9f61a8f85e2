// Which user pages each process maps, as the records tell it: the converter's count of a
// process's resident pages is the pages mapped in its page table, and its count of
// copy-on-write pages is those of them that are COW. Under copy-on-write fork a frame
// is mapped by several processes at once, and a shared page counts in each of them.
//
// A mapping is keyed by (frame, pid): the kernel records every map and unmap under the
// pid of the page table's owner (kernel/proc.c, charge_to), and exec builds the new
// image's table while the old one still maps the same vas under the same pid, so a va
// alone does not tell the two apart. A map of a frame the process already maps replaces
// that mapping (its unmap was lost) instead of counting twice. A mapping counts from a
// map with PTE_U (or a share) to its unmap, whatever that unmap's permissions (exec
// clears the stack guard page's PTE_U without a record). An unmap of a frame the
// process never mapped comes off the one other process that maps that frame at that va,
// if there is exactly one (xv6 records a dead child's teardown under its parent), else
// off the record's pid if it has PTE_U (a page mapped before the recording started).
// A share (VMT_SHARE) maps in the child the frames the parent maps at the same vas
// (looked up by va; a frame the records never showed gets a stand-in of its own), and a
// COW share makes those pages COW in the parent too.
//
// Bounded: three vmt_pages tables (mappings; the frame at each process's va; how many
// times each frame is mapped); past their size, past VMT_SHARE_TRACKED pages of one
// share, and past a budget of VMT_SHARE_CREDIT pages per record read so far, pages
// still count but are not remembered (their unmap is taken as it comes). The budget
// keeps a share's cost bounded by the recording's size: a real share's pages were each
// mapped by a record of their own before it, so it never runs out there, while a
// handful of made-up records cannot ask for millions of pages.
#ifndef FAULTLINE_VMT_SPACE_H
#define FAULTLINE_VMT_SPACE_H

#include "tools/convert/vmt_pages.h"

#define VMT_SHARE_TRACKED (1u << 18)   // pages of one share remembered page by page (1 GiB)
#define VMT_SHARE_CREDIT  64           // pages a share may remember, per record read

struct vmt_space {
  struct vmt_pages maps;       // (frame + 1, pid) -> va's page number << 1 | COW
  struct vmt_pages byva;       // (pid << 32 | va's page number, 0) -> frame
  struct vmt_pages frames;     // (frame + 1, 0) -> mappings << 32 | XOR of their pids
  unsigned shift;              // log2 of the page size
  uint64 budget;               // pages shares may still remember
};

// How one record changes one process's counts.
struct vmt_space_delta {
  uint32 pid;                  // 0: nobody's
  int resident, cow;
};

// What a share changes: the child's counts and the parent's COW pages.
struct vmt_share_delta {
  long long resident, cow, parent_cow;
};

int space_init(struct vmt_space *s, uint32 page_size);   // 0, or -1 if out of memory
// One more record read: more pages shares may remember.
void space_credit(struct vmt_space *s);
void space_free(struct vmt_space *s);
// pid (nonzero) maps va to pa, copy-on-write or not.
struct vmt_space_delta space_map(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa,
                                 int cow);
// pid unmaps va, which it mapped to pa; perm: the record's PTE bits.
struct vmt_space_delta space_unmap(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa,
                                   uint32 perm);
// child maps pages [va, va + n pages) as parent maps them; cow: they are COW in both now.
struct vmt_share_delta space_share(struct vmt_space *s, uint32 child, uint32 parent,
                                   uint64 va, uint64 n, int cow);
// pid's page at va is no longer COW (a COW fault copied it into frame pa, or took frame
// pa over): -1 if it was, else 0.
int space_cow_done(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa);

#endif
