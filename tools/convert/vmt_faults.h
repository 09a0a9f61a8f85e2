#ifndef FAULTLINE_VMT_FAULTS_H
#define FAULTLINE_VMT_FAULTS_H

#include "tools/convert/vmt_tracks.h"

// Page faults as slices (vmt_faults.c).
void vmt_fault_begin(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                     uint64 ns);
// src: for a copy-on-write fault, where the arrow from the fork that shared its page
// starts (NULL or pid 0: none).
void vmt_fault_end(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                   uint64 ns, const struct vmt_flow_src *src);
// Holds a kalloc/kfree/map/unmap in the open fault of t; 0 if t has no open fault.
int vmt_fault_hold(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                   uint64 ns);
// Closes t's open fault, if any, as unfinished at ns (lost FAULT_END, exit, end of input).
void vmt_fault_abandon(struct vmt_conv *c, struct vmt_track *t, uint64 ns);

#endif
