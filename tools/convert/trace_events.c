// Keys are written in a fixed order (ph, cat, name, pid, tid, ts, then the rest) so the
// output is diffable and the checker's error messages point at predictable text.
#include "tools/convert/trace_events.h"

void te_init(struct te *t, struct jw *w)
{
  t->w = w;
  t->nevents = 0;
  t->in_args = 0;
}

// cat is optional: NULL leaves the key out, for events whose name already says what
// they are (a category only repeating it would cost bytes on every such event).
static void open_common(struct te *t, char ph, const char *cat)
{
  struct jw *w = t->w;
  if (t->nevents++)
    jw_lit(w, ",\n");
  jw_lit(w, "{\"ph\":\"");
  jw_ch(w, ph);
  if (cat) {
    jw_lit(w, "\",\"cat\":\"");
    jw_raw(w, cat, strlen(cat));
  }
  jw_lit(w, "\",\"name\":");
  t->in_args = 0;
}

static void ids_ts(struct te *t, uint32 pid, uint32 tid, uint64 ts_ns)
{
  struct jw *w = t->w;
  jw_lit(w, ",\"pid\":");
  jw_u64(w, pid);
  jw_lit(w, ",\"tid\":");
  jw_u64(w, tid);
  jw_lit(w, ",\"ts\":");
  jw_us(w, ts_ns);
}

void te_open(struct te *t, char ph, const char *cat, const char *name, uint32 pid,
             uint32 tid, uint64 ts_ns)
{
  open_common(t, ph, cat);
  jw_ch(t->w, '"');
  jw_raw(t->w, name, strlen(name));
  jw_ch(t->w, '"');
  ids_ts(t, pid, tid, ts_ns);
}

void te_open_str(struct te *t, char ph, const char *cat, const char *name, size_t n,
                 uint32 pid, uint32 tid, uint64 ts_ns)
{
  open_common(t, ph, cat);
  jw_str(t->w, name, n);
  ids_ts(t, pid, tid, ts_ns);
}

void te_meta_name(struct te *t, const char *what, uint32 pid, uint32 tid, const char *name,
                  size_t n)
{
  struct jw *w = t->w;
  if (t->nevents++)
    jw_lit(w, ",\n");
  jw_lit(w, "{\"ph\":\"M\",\"name\":\"");
  jw_raw(w, what, strlen(what));
  jw_lit(w, "\",\"pid\":");
  jw_u64(w, pid);
  jw_lit(w, ",\"tid\":");
  jw_u64(w, tid);
  jw_lit(w, ",\"args\":{\"name\":");
  jw_str(w, name, n);
  jw_lit(w, "}}");
}

// No tid: a counter belongs to its process (Perfetto puts it on a process track, and
// reads a missing tid as the pid), so the tid would only repeat the pid.
void te_counter(struct te *t, const char *name, uint32 pid, uint64 ts_ns)
{
  struct jw *w = t->w;
  open_common(t, 'C', NULL);
  jw_ch(w, '"');
  jw_raw(w, name, strlen(name));
  jw_lit(w, "\",\"pid\":");
  jw_u64(w, pid);
  jw_lit(w, ",\"ts\":");
  jw_us(w, ts_ns);
}

void te_dur(struct te *t, uint64 dur_ns)
{
  jw_lit(t->w, ",\"dur\":");
  jw_us(t->w, dur_ns);
}

void te_flow(struct te *t, uint64 id, int out)
{
  jw_lit(t->w, ",\"bind_id\":");
  jw_u64(t->w, id);
  if (out)
    jw_lit(t->w, ",\"flow_out\":true");
  else
    jw_lit(t->w, ",\"flow_in\":true");
}

void te_flow_event(struct te *t, uint64 id, int enclosing)
{
  jw_lit(t->w, ",\"id\":");
  jw_u64(t->w, id);
  if (enclosing)
    jw_lit(t->w, ",\"bp\":\"e\"");
}

// Writes the separator and the quoted key of the next arg.
static void key(struct te *t, const char *k)
{
  struct jw *w = t->w;
  if (t->in_args == 0)
    jw_lit(w, ",\"args\":{\"");
  else
    jw_lit(w, ",\"");
  t->in_args = 1;
  jw_raw(w, k, strlen(k));
  jw_lit(w, "\":");
}

void te_arg_u64(struct te *t, const char *k, uint64 v) { key(t, k); jw_u64(t->w, v); }
void te_arg_i64(struct te *t, const char *k, long long v) { key(t, k); jw_i64(t->w, v); }
void te_arg_i64_safe(struct te *t, const char *k, long long v)
{
  const long long limit = 1ll << 53;
  key(t, k);
  if (v > -limit && v < limit) {
    jw_i64(t->w, v);
    return;
  }
  jw_ch(t->w, '"');
  jw_i64(t->w, v);
  jw_ch(t->w, '"');
}

void te_arg_hex(struct te *t, const char *k, uint64 v) { key(t, k); jw_hex(t->w, v); }

void te_arg_lit(struct te *t, const char *k, const char *v)
{
  key(t, k);
  jw_ch(t->w, '"');
  jw_raw(t->w, v, strlen(v));
  jw_ch(t->w, '"');
}

void te_arg_str(struct te *t, const char *k, const char *v, size_t n)
{
  key(t, k);
  jw_str(t->w, v, n);
}

void te_close(struct te *t)
{
  if (t->in_args)
    jw_ch(t->w, '}');
  jw_ch(t->w, '}');
  t->in_args = 0;
}
