// Helpers for the tools' unit tests: a tiny test harness, recordings built in memory,
// and converter output read back into a list of events to assert on.
#ifndef FAULTLINE_TEST_UTIL_H
#define FAULTLINE_TEST_UTIL_H

#include <stddef.h>

#include "tools/convert/vmt_filter.h"
#include "tracing/vmtrace_format.h"

// ---- Harness: CHECK fails the current test with a message and returns from it.
extern int t_failed;
void t_fail(const char *file, int line, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
#define CHECK(cond, ...)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      t_fail(__FILE__, __LINE__, __VA_ARGS__);                                             \
      return;                                                                              \
    }                                                                                      \
  } while (0)
void t_run(const char *name, void (*fn)(void));
void t_summary(void);           // prints "unit: N passed, M failed"
int t_any_failed(void);

// ---- Recordings in memory.
struct rec {
  unsigned char *data;
  size_t len, cap;
};
struct vmt_header t_header(unsigned ncpu);     // a valid header: 10 MHz, 4 KiB pages
void rec_header(struct rec *b, const struct vmt_header *h);
// A recording in memory that so far holds t_header(ncpu): what most tests start from.
struct rec t_recording(unsigned ncpu);
void rec_add(struct rec *b, struct vmt_record r);   // seq is filled in per CPU
void rec_raw(struct rec *b, const void *p, size_t n);
void rec_free(struct rec *b);
// Record constructors; ts is in ticks after the header's start_ts (10 ticks = 1 us).
struct vmt_record R(unsigned type, unsigned cpu, uint32 pid, uint64 tick);
struct vmt_record RA(unsigned type, unsigned cpu, uint32 pid, uint64 tick, uint32 arg,
                     uint64 a, uint64 b);
struct vmt_record R_exec(unsigned cpu, uint32 pid, uint64 tick, const char *name);
struct vmt_record R_marker(unsigned cpu, uint32 pid, uint64 tick, const char *text16,
                           int more);
// A version-5 unmap of n pages from va, all with perm, frame numbers pfn[0 .. n-1],
// freed or not: laid out bit by bit as tracing/vmtrace_format.h describes it, not with its
// macros, so that a test of a reader checks the layout too. Slots from n on stay 0.
struct vmt_record R_unmaps(unsigned cpu, uint32 pid, uint64 tick, uint32 perm, uint64 va,
                           unsigned n, int freed, const uint64 *pfn);

// ---- Conversion and its output.
#define T_MAX_ARGS 12
struct t_event {
  char ph;
  char name[128];
  char cat[16];                 // "" if absent
  long long pid, tid, ts, dur;  // ts/dur in ns, dur -1 if absent
  long long bind_id;            // -1 if absent
  long long id;                 // a v1 flow event's id, -1 if absent
  char bp[4];                   // a v1 flow event's binding point, "" if absent
  int flow_in, flow_out;
  char s[4];                    // instant scope
  int nargs;
  char key[T_MAX_ARGS][24];
  char val[T_MAX_ARGS][72];     // strings unquoted, numbers as written
};
struct t_trace {
  int rc;                       // vmt_convert's result
  char err[512];
  char *json;
  size_t len;
  struct t_event *ev;
  size_t n, cap;
  size_t violations;            // perfetto_check's verdict on the JSON
};
void t_convert(struct t_trace *t, const struct rec *b, const struct vmt_filter *f);
void t_trace_free(struct t_trace *t);
const char *t_arg(const struct t_event *e, const char *key);   // NULL if absent
// The i-th event (0-based) with this phase and name, on this pid (-1: any); NULL if none.
const struct t_event *t_find(const struct t_trace *t, char ph, const char *name,
                             long long pid, int i);
size_t t_count(const struct t_trace *t, char ph, const char *name, long long pid);

#endif
