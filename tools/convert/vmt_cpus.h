#ifndef FAULTLINE_VMT_CPUS_H
#define FAULTLINE_VMT_CPUS_H

#include "tools/convert/vmt_tracks.h"

// Per-CPU tracks (vmt_cpus.c): what ran, markers assembled from VMT_MORE pieces.
void vmt_cpu_switch(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
void vmt_cpu_marker(struct vmt_conv *c, const struct vmt_record *r, uint64 ns);
void vmt_cpu_flush_marker(struct vmt_conv *c, unsigned cpu);
void vmt_cpu_finish(struct vmt_conv *c);   // ends runs and markers at the last record
#endif
