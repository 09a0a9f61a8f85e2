// Chrome trace-event objects ("traceEvents" array entries) written through json_writer:
// one call opens an event with its phase, category, name, pid, tid and ts, further calls
// add the top-level keys (dur, flow binding) and the args, and one call closes it. Knows
// nothing about vmtrace; the mapping from records to events lives in vmt_perfetto.c.
#ifndef FAULTLINE_TRACE_EVENTS_H
#define FAULTLINE_TRACE_EVENTS_H

#include "tools/convert/json_writer.h"

struct te {
  struct jw *w;
  uint64 nevents;
  int in_args;        // nonzero once the args object is open
};

void te_init(struct te *t, struct jw *w);

// Opens an event. name is a literal that needs no escaping (quoted by te_open);
// te_open_str escapes an arbitrary byte string instead. cat may be NULL (no category).
// An instant ('I') without an "s" key is thread-scoped in Perfetto's and DevTools'
// importers, which is the only scope the converter uses, so none is written.
void te_open(struct te *t, char ph, const char *cat, const char *name, uint32 pid,
             uint32 tid, uint64 ts_ns);
void te_open_str(struct te *t, char ph, const char *cat, const char *name, size_t n,
                 uint32 pid, uint32 tid, uint64 ts_ns);
// Opens a counter sample ('C', no category, no tid); its args are the values.
void te_counter(struct te *t, const char *name, uint32 pid, uint64 ts_ns);
// A metadata event (no ts) naming a process or a thread.
void te_meta_name(struct te *t, const char *what, uint32 pid, uint32 tid, const char *name,
                  size_t n);

// Top-level keys; call before any te_arg_*.
void te_dur(struct te *t, uint64 dur_ns);
void te_flow(struct te *t, uint64 id, int out);     // bind_id + flow_out or flow_in
// The id of a flow event ('s' or 'f', v1), for an 'f' bound to the slice enclosing it
// ("bp":"e") rather than to the next slice that starts.
void te_flow_event(struct te *t, uint64 id, int enclosing);

void te_arg_u64(struct te *t, const char *key, uint64 v);
void te_arg_i64(struct te *t, const char *key, long long v);
// A number if JavaScript's doubles hold it exactly (|v| < 2^53), else a decimal string.
void te_arg_i64_safe(struct te *t, const char *key, long long v);
void te_arg_hex(struct te *t, const char *key, uint64 v);
void te_arg_lit(struct te *t, const char *key, const char *v);  // v needs no escaping
void te_arg_str(struct te *t, const char *key, const char *v, size_t n);

void te_close(struct te *t);

#endif
