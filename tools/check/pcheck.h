// The rules a trace-event JSON file must follow to load the same way in Perfetto's JSON
// importer and in Chrome DevTools' trace engine, checked event by event:
//   - every event is an object with a known one-letter "ph";
//   - pid and tid are integers in [0, 2^32); ts is a number >= 0 (all but metadata);
//   - an X has a numeric dur >= 0; B is matched by a later E on the same (pid, tid), in
//     time order, with the same name if the E names one;
//   - slices on one (pid, tid) track nest strictly: sorted by start (longer first on
//     ties), each slice ends before its parent ends or starts at/after it ends;
//   - flow v2 keys (bind_id, flow_in, flow_out) are top-level, never in args, only on
//     slice events (X, B, b, n), and each id has one start and one end, start not later;
//     flow v1 events (s, t, f) have ids, s is matched by f, and both sit inside a slice;
//   - counter (C) args are a non-empty object of JSON numbers;
//   - no integer anywhere has magnitude >= 2^63 (such values must be strings);
//   - process_name/thread_name metadata carry a string args.name.
// Slices are counted per track: X, matched B/E pairs and thread-scoped instants.
#ifndef FAULTLINE_PCHECK_H
#define FAULTLINE_PCHECK_H

#include <stdio.h>

#include "tools/check/json_parse.h"

struct pc_track;
struct pc_slice;
struct pc_flow;
struct pc_point;

struct pcheck {
  const char *name;             // for messages
  size_t events, violations, max_report;
  size_t counters, metadata;
  struct pc_track *track;       // tracks, indexed through a hash table
  size_t ntrack, captrack;
  unsigned *thash;              // track index + 1, 0 empty
  size_t thashcap;
  struct pc_slice *slice;
  size_t nslice, capslice;
  struct pc_flow *flow;         // open-addressing table by (version, id)
  size_t nflow, capflow;
  struct pc_point *point;       // v1 flow events, to check they sit inside slices
  size_t npoint, cappoint;
  int oom;
};

void pcheck_init(struct pcheck *pc, const char *name, size_t max_report);
void pcheck_event(struct pcheck *pc, const struct jval *ev, size_t index);
void pcheck_finish(struct pcheck *pc);  // checks that need every event seen
// Prints "slices pid=P tid=T count=N" per track (sorted) and a summary line.
void pcheck_report(const struct pcheck *pc, FILE *out);
void pcheck_free(struct pcheck *pc);

// Reads a whole trace file held in memory (object with traceEvents, or a bare array).
// Returns 0 if it parsed (violations are counted in pc), -1 with err on a syntax error.
int pcheck_buffer(struct pcheck *pc, const char *buf, size_t len, char *err, size_t errlen);

#endif
