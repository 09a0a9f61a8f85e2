// Fault attribution on the timeline: a fault's user call chain (VMT_FAULT_CHAIN, kept
// with its open fault) and the two args that name where it happened, `at` (the faulting
// pc: "touch+0x12 (user/probe.c:9)") and `stack` (the pc and the chain's return
// addresses as functions, innermost first: "touch < fill < main"). Addresses the
// symbols cannot name stay hex ("0x1a2"); a chain the kernel cut short ends in "< ...".
#ifndef FAULTLINE_VMT_ATTRIB_H
#define FAULTLINE_VMT_ATTRIB_H

#include "tools/convert/vmt_symbols.h"
#include "tools/convert/vmt_tracks.h"

#define VMT_STACK_SEP " < "
#define VMT_STACK_MORE "..."

// Keeps a VMT_FAULT_CHAIN record with the fault open on t (the one its FAULT_BEGIN
// opened just before on the same CPU); ignored when there is none.
void vmt_attrib_chain(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r);
// Writes `at` (when symbols were asked for) and `stack` (when there are symbols or a
// chain) into the fault slice being written.
void vmt_attrib_args(struct vmt_conv *c, const struct vmt_fault *f);

#endif
