#ifndef FAULTLINE_VMT_COUNTERS_H
#define FAULTLINE_VMT_COUNTERS_H

#include "tools/convert/vmt_tracks.h"

// Counter tracks (vmt_counters.c). vmt_ctr_pages follows a KALLOC, KFREE, MAP or UNMAP.
void vmt_ctr_prime(struct vmt_conv *c, uint64 ns);
void vmt_ctr_pages(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
// A VMT_SHARE: the child's resident and COW pages, and the parent's pages it made COW.
void vmt_ctr_share(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
// A copy-on-write fault's end: its page is the process's own now, no longer COW.
void vmt_ctr_cow_end(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
void vmt_ctr_virtual(struct vmt_conv *c, struct vmt_proc *p, long long pages, uint64 ns);
void vmt_ctr_lost(struct vmt_conv *c, unsigned cpu, uint64 ns);
void vmt_ctr_flush_proc(struct vmt_conv *c, struct vmt_proc *p);   // safe from on_forget
void vmt_ctr_finish(struct vmt_conv *c);               // writes every held sample

#endif
