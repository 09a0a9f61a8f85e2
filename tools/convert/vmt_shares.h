#ifndef FAULTLINE_VMT_SHARES_H
#define FAULTLINE_VMT_SHARES_H

#include "tools/convert/vmt_tracks.h"

// Copy-on-write fork on the timeline (vmt_shares.c).
// A VMT_SHARE record (pid = the child, p its process or NULL): gathered into its fork.
void vmt_share_record(struct vmt_conv *c, struct vmt_proc *p, const struct vmt_record *r,
                      uint64 ns);
// A FORK of parent p (or NULL) on track t: writes the fork with the shares gathered for
// it as one slice and returns 1; 0 if it had none (the caller writes the plain fork).
int vmt_share_fork(struct vmt_conv *c, struct vmt_track *t, struct vmt_proc *p,
                   const struct vmt_record *r, uint64 ns);
// Where the flow to a copy-on-write fault of pid at va starts: the fork that most
// recently shared that page with pid, or made it COW in pid; src->pid 0 if none shows.
void vmt_share_source(struct vmt_conv *c, uint32 pid, uint64 va, struct vmt_flow_src *src);
// p's address space is gone (EXEC, EXIT): its history goes too.
void vmt_share_forget(struct vmt_conv *c, struct vmt_proc *p);

#endif
