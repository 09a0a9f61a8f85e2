#ifndef FAULTLINE_VMT_PAIRS_H
#define FAULTLINE_VMT_PAIRS_H

#include "tools/convert/vmt_tracks.h"

// Page events paired into one slice, runs of pairs into one (vmt_pairs.c).
// vmt_pair_settle runs first for every record on t: it writes t's held event alone
// unless r is its partner, and t's run unless r may start the run's next pair.
// vmt_pair_page then takes a shown page event outside a fault: returns 1 if it
// completed a pair or is now held, 0 if the caller writes it as an instant.
void vmt_pair_settle(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r);
int vmt_pair_page(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r,
                  uint64 ns);
// Writes t's run and held event; needs no lookup in the process table (safe from
// on_forget).
void vmt_pair_flush(struct vmt_conv *c, struct vmt_track *t);
void vmt_pair_finish(struct vmt_conv *c);                      // ... on every track

#endif
