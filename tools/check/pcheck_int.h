// Internals shared by pcheck.c (per-event rules) and pcheck_store.c (tracks, slices and
// flows, and the checks that need all of them).
#ifndef FAULTLINE_PCHECK_INT_H
#define FAULTLINE_PCHECK_INT_H

#include <stdint.h>

#include "tools/check/pcheck.h"

struct pc_open {                // a B waiting for its E
  int64_t ts;
  size_t index;
  char *name;
};

struct pc_track {
  uint32_t pid, tid;
  size_t slices;
  int64_t last_be_ts;           // B/E must come in time order on a track
  struct pc_open *open;
  size_t nopen, capopen;
};

struct pc_slice {
  unsigned track;
  int64_t start, end;
  size_t index;
};

struct pc_flow {
  uint64_t id;
  int used, version;
  size_t starts, ends;
  int64_t start_ts, end_ts;
  size_t index;                 // an event of the flow, for messages
};

struct pc_point {
  unsigned track;
  int64_t ts;
  size_t index;
};

void pc_violation(struct pcheck *pc, size_t index, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
unsigned pc_track(struct pcheck *pc, uint32_t pid, uint32_t tid);
void pc_add_slice(struct pcheck *pc, unsigned track, int64_t start, int64_t end, size_t index);
void pc_add_flow(struct pcheck *pc, int version, uint64_t id, int start, int end, int64_t ts,
                 size_t index);
void pc_add_point(struct pcheck *pc, unsigned track, int64_t ts, size_t index);
// Grows *arr (of *cap elements of size sz) to hold n + 1; 0, or -1 when out of memory.
int pc_grow(struct pcheck *pc, void **arr, size_t *cap, size_t n, size_t sz);

#endif
