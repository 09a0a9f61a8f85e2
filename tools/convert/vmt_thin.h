// Counter thinning: which samples of one counter track are written. A recording changes
// the free pages counter at every kalloc and kfree and a process's resident pages at
// every map and unmap, a sample every few microseconds; written out in full, the
// counters were 40% of a whole-run JSON, far more detail than a counter track can
// show. Thinning keeps:
//   - at most about one sample per `gap` nanoseconds on a busy track (a sample is held
//     back, and replaced by newer ones, until `gap` has passed since the last written);
//   - every peak and trough: a held value is written (at its own time) when the counter
//     turns around, so a short burst of allocations still shows its full height;
//   - the last value before a pause: a held value is written at its own time as soon as
//     a later change comes `gap` after the last written one, so a counter never shows a
//     stale level across a quiet stretch;
//   - the final value: the caller flushes what is held when the track ends.
// Every written sample is a real value at the real time it took it; only intermediate
// steps are left out. A track therefore gets at most two samples per `gap` (a held one
// and a new one), and never more samples than changes. gap 0 writes every change.
#ifndef FAULTLINE_VMT_THIN_H
#define FAULTLINE_VMT_THIN_H

#include "kernel/types.h"

struct vmt_sample {
  long long v;
  uint64 ns;
};

struct vmt_thin {
  struct vmt_sample shown;     // the last sample written
  struct vmt_sample held;      // the newest value, not written yet (if holding)
  signed char dir;             // +1 or -1: which way held moved from the value before it
  uint8 any;                   // a sample has been written
  uint8 holding;
};

// The counter took value v at ns. Stores the samples to write now in out, oldest first,
// and returns how many (0, 1 or 2). A v equal to the current value is no change.
unsigned thin_update(struct vmt_thin *t, long long v, uint64 ns, uint64 gap,
                     struct vmt_sample out[2]);
// The held sample, to be written at the track's end: returns 1 and stores it in out, or
// returns 0 if nothing is held.
unsigned thin_flush(struct vmt_thin *t, struct vmt_sample *out);

#endif
