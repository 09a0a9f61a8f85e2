// Per-event rules of the trace-event checker, and the walk over a whole trace file.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/check/pcheck_int.h"

void pcheck_init(struct pcheck *pc, const char *name, size_t max_report)
{
  memset(pc, 0, sizeof *pc);
  pc->name = name;
  pc->max_report = max_report;
}

// An integer of magnitude 2^63 or more: JavaScript and Perfetto lose or reject it.
static int too_big(const struct jval *v)
{
  const char *t = v->text;
  size_t n = v->textlen;
  if (!v->is_int)
    return 0;
  if (*t == '-') {
    t++;
    n--;
  }
  return n > 19 || (n == 19 && memcmp(t, "9223372036854775808", 19) >= 0);
}

static void check_numbers(struct pcheck *pc, const struct jval *v, size_t index)
{
  for (; v; v = v->next) {
    if (v->type == J_NUM && too_big(v))
      pc_violation(pc, index, "integer %.*s is 2^63 or more; write it as a string",
                   (int)v->textlen, v->text);
    if (v->type == J_OBJ || v->type == J_ARR)
      check_numbers(pc, v->first, index);
  }
}

// pid or tid: required, an integer in [0, 2^32).
static int get_id(struct pcheck *pc, const struct jval *ev, const char *key, size_t index,
                  uint32_t *out)
{
  const struct jval *v = jv_get(ev, key);
  if (!v || v->type != J_NUM || !v->is_int || v->text[0] == '-' || v->num > 4294967295.0) {
    pc_violation(pc, index, "%s must be an integer in [0, 2^32)", key);
    return -1;
  }
  *out = (uint32_t)strtoull(v->text, NULL, 10);
  return 0;
}

// A time in microseconds as integer nanoseconds, rounded as Perfetto's importer does.
static int get_time(struct pcheck *pc, const struct jval *ev, const char *key, size_t index,
                    int64_t *ns)
{
  const struct jval *v = jv_get(ev, key);
  if (!v || v->type != J_NUM || v->num < 0 || v->num > 9e12) {
    pc_violation(pc, index, "%s must be a number of microseconds >= 0", key);
    return -1;
  }
  *ns = llround(v->num * 1000.0);
  return 0;
}

// The (pid, tid) track of an event, or -1 if either id is bad.
static long event_track(struct pcheck *pc, const struct jval *ev, size_t index)
{
  uint32_t pid, tid;
  if (get_id(pc, ev, "pid", index, &pid) < 0 || get_id(pc, ev, "tid", index, &tid) < 0)
    return -1;
  return (long)pc_track(pc, pid, tid);
}

static int flow_id(const struct jval *v, uint64_t *id)
{
  char *end;
  if (v->type == J_NUM && v->is_int && v->text[0] != '-') {
    *id = strtoull(v->text, NULL, 10);
    return 0;
  }
  if (v->type == J_STR && v->len) {            // Perfetto reads string ids as hex
    *id = strtoull(v->str, &end, 16);
    return *end ? -1 : 0;
  }
  return -1;
}

static int get_flag(struct pcheck *pc, const struct jval *ev, const char *key, size_t index)
{
  const struct jval *v = jv_get(ev, key);
  if (v && v->type != J_BOOL)
    pc_violation(pc, index, "%s must be true or false", key);
  return v && v->type == J_BOOL && v->boolean;
}

// Flow v2: bind_id with flow_out (start) and/or flow_in (end), on a slice event only.
static void check_flow2(struct pcheck *pc, const struct jval *ev, char ph, int64_t ts,
                        size_t index)
{
  const struct jval *bind = jv_get(ev, "bind_id");
  int out = get_flag(pc, ev, "flow_out", index), in = get_flag(pc, ev, "flow_in", index);
  uint64_t id;
  if (!bind && !out && !in)
    return;
  if (!strchr("XBbn", ph))
    pc_violation(pc, index, "flow keys on a '%c' event, which is not a slice", ph);
  else if (!bind || flow_id(bind, &id) < 0)
    pc_violation(pc, index, "flow_in/flow_out need an integer bind_id");
  else if (!out && !in)
    pc_violation(pc, index, "bind_id without flow_in or flow_out");
  else
    pc_add_flow(pc, 2, id, out, in, ts, index);
}

static void check_args(struct pcheck *pc, const struct jval *ev, size_t index)
{
  static const char *const flowkeys[] = { "bind_id", "flow_in", "flow_out" };
  const struct jval *args = jv_get(ev, "args");
  if (!args)
    return;
  if (args->type != J_OBJ) {
    pc_violation(pc, index, "args must be an object");
    return;
  }
  for (int i = 0; i < 3; i++)
    if (jv_get(args, flowkeys[i]))
      pc_violation(pc, index, "%s inside args: it must be a top-level key", flowkeys[i]);
}

static void on_complete(struct pcheck *pc, const struct jval *ev, int64_t ts, size_t index)
{
  int64_t dur;
  long t = event_track(pc, ev, index);
  if (get_time(pc, ev, "dur", index, &dur) < 0 || t < 0)
    return;
  pc_add_slice(pc, (unsigned)t, ts, ts + dur, index);
}

// B/E pairs are matched in file order, which must also be time order on the track.
static int be_in_order(struct pcheck *pc, struct pc_track *t, int64_t ts, size_t index)
{
  if (ts < t->last_be_ts) {
    pc_violation(pc, index, "B/E events out of time order on pid %u tid %u", t->pid, t->tid);
    return 0;
  }
  t->last_be_ts = ts;
  return 1;
}

// The track of a B or E event, if it has one and the event keeps the track's time order;
// NULL otherwise (the violation is recorded).
static struct pc_track *be_track(struct pcheck *pc, const struct jval *ev, int64_t ts,
                                 size_t index)
{
  long ti = event_track(pc, ev, index);
  if (ti < 0 || !be_in_order(pc, &pc->track[ti], ts, index))
    return NULL;
  return &pc->track[ti];
}

static void on_begin(struct pcheck *pc, const struct jval *ev, int64_t ts, size_t index)
{
  struct pc_track *t = be_track(pc, ev, ts, index);
  const struct jval *name = jv_get(ev, "name");
  if (!t)
    return;
  if (pc_grow(pc, (void **)&t->open, &t->capopen, t->nopen, sizeof *t->open) < 0)
    return;
  t->open[t->nopen++] = (struct pc_open){ ts, index,
                                          name && name->type == J_STR ? strdup(name->str) : NULL };
}

static void on_end(struct pcheck *pc, const struct jval *ev, int64_t ts, size_t index)
{
  struct pc_track *t = be_track(pc, ev, ts, index);
  const struct jval *name = jv_get(ev, "name");
  if (!t)
    return;
  if (t->nopen == 0) {
    pc_violation(pc, index, "E without a B on pid %u tid %u", t->pid, t->tid);
    return;
  }
  struct pc_open *b = &t->open[--t->nopen];
  if (name && name->type == J_STR && b->name && strcmp(name->str, b->name) != 0)
    pc_violation(pc, index, "E named '%s' closes B named '%s'", name->str, b->name);
  pc_add_slice(pc, (unsigned)(t - pc->track), b->ts, ts, b->index);
  free(b->name);
}

static void on_instant(struct pcheck *pc, const struct jval *ev, int64_t ts, size_t index)
{
  const struct jval *s = jv_get(ev, "s");
  if (s && !jv_is_str(s, "t") && !jv_is_str(s, "p") && !jv_is_str(s, "g")) {
    pc_violation(pc, index, "instant scope s must be \"g\", \"p\" or \"t\"");
    return;
  }
  if (s && !jv_is_str(s, "t"))
    return;                           // process and global instants are not on a thread
  long t = event_track(pc, ev, index);
  if (t >= 0)
    pc_add_slice(pc, (unsigned)t, ts, ts, index);
}

static void on_counter(struct pcheck *pc, const struct jval *ev, size_t index)
{
  uint32_t pid;
  const struct jval *args = jv_get(ev, "args");
  get_id(pc, ev, "pid", index, &pid);
  pc->counters++;
  if (!args || args->type != J_OBJ || !args->first) {
    pc_violation(pc, index, "a counter needs a non-empty args object");
    return;
  }
  for (const struct jval *v = args->first; v; v = v->next)
    if (v->type != J_NUM)
      pc_violation(pc, index, "counter arg '%s' is not a number", v->key);
}

// Flow v1 (s, t, f): an id each, matched s to f, each inside a slice of its track.
static void on_flow1(struct pcheck *pc, const struct jval *ev, char ph, int64_t ts,
                     size_t index)
{
  const struct jval *id = jv_get(ev, "id");
  uint64_t n;
  long t = event_track(pc, ev, index);
  if (!id || flow_id(id, &n) < 0) {
    pc_violation(pc, index, "flow event without a usable id");
    return;
  }
  if (ph != 't')
    pc_add_flow(pc, 1, n, ph == 's', ph == 'f', ts, index);
  if (t >= 0)
    pc_add_point(pc, (unsigned)t, ts, index);
}

static void on_metadata(struct pcheck *pc, const struct jval *ev, size_t index)
{
  uint32_t pid, tid;
  const struct jval *name = jv_get(ev, "name");
  pc->metadata++;
  if (!jv_is_str(name, "process_name") && !jv_is_str(name, "thread_name"))
    return;
  if (get_id(pc, ev, "pid", index, &pid) < 0 ||
      (jv_is_str(name, "thread_name") && get_id(pc, ev, "tid", index, &tid) < 0))
    return;
  const struct jval *n = jv_get(jv_get(ev, "args"), "name");
  if (!n || n->type != J_STR)
    pc_violation(pc, index, "%s needs a string args.name", name->str);
}

static void by_phase(struct pcheck *pc, const struct jval *ev, char ph, size_t index)
{
  int64_t ts = 0;
  if (ph == 'M') {
    on_metadata(pc, ev, index);
    return;
  }
  if (get_time(pc, ev, "ts", index, &ts) < 0)
    return;
  check_flow2(pc, ev, ph, ts, index);
  switch (ph) {
  case 'X': on_complete(pc, ev, ts, index); break;
  case 'B': on_begin(pc, ev, ts, index); break;
  case 'E': on_end(pc, ev, ts, index); break;
  case 'I': case 'i': on_instant(pc, ev, ts, index); break;
  case 'C': on_counter(pc, ev, index); break;
  case 's': case 't': case 'f': on_flow1(pc, ev, ph, ts, index); break;
  }
}

void pcheck_event(struct pcheck *pc, const struct jval *ev, size_t index)
{
  static const char phases[] = "BEXIiCMstfbenSTFpNODPRvVc";
  pc->events++;
  if (ev->type != J_OBJ) {
    pc_violation(pc, index, "event is not an object");
    return;
  }
  check_numbers(pc, ev->first, index);
  const struct jval *ph = jv_get(ev, "ph");
  if (!ph || ph->type != J_STR || ph->len != 1 || !strchr(phases, ph->str[0])) {
    pc_violation(pc, index, "ph must be one of the trace event phases");
    return;
  }
  check_args(pc, ev, index);
  by_phase(pc, ev, ph->str[0], index);
}

// The elements of the traceEvents array, one at a time in a fresh arena.
static int events_array(struct pcheck *pc, struct jparser *jp)
{
  struct jval *ev;
  size_t index = 0;
  if (jp_expect(jp, '[') < 0)
    return -1;
  if (jp_peek(jp) == ']')
    return jp_expect(jp, ']');
  for (;;) {
    jp_reset_arena(jp);
    if (jp_value(jp, &ev) < 0)
      return -1;
    pcheck_event(pc, ev, index++);
    int c = jp_peek(jp);
    if (c == ']')
      return jp_expect(jp, ']');
    if (jp_expect(jp, ',') < 0)
      return -1;
  }
}

static int member(struct pcheck *pc, struct jparser *jp, int *seen)
{
  struct jval *key, *skip;
  jp_reset_arena(jp);
  if (jp_peek(jp) != '"' || jp_value(jp, &key) < 0 || jp_expect(jp, ':') < 0)
    return jp_fail(jp, "expected a key");
  if (!jv_is_str(key, "traceEvents"))
    return jp_value(jp, &skip);
  *seen = 1;
  return events_array(pc, jp);
}

static int top_object(struct pcheck *pc, struct jparser *jp)
{
  int seen = 0;
  if (jp_expect(jp, '{') < 0)
    return -1;
  if (jp_peek(jp) != '}') {
    for (;;) {
      if (member(pc, jp, &seen) < 0)
        return -1;
      if (jp_peek(jp) == '}')
        break;
      if (jp_expect(jp, ',') < 0)
        return -1;
    }
  }
  jp_expect(jp, '}');
  return seen ? 0 : jp_fail(jp, "no traceEvents array");
}

int pcheck_buffer(struct pcheck *pc, const char *buf, size_t len, char *err, size_t errlen)
{
  struct jparser jp;
  jp_init(&jp, buf, len);
  int rc = jp_peek(&jp) == '[' ? events_array(pc, &jp) : top_object(pc, &jp);
  if (rc == 0 && jp_peek(&jp) != -1)
    rc = jp_fail(&jp, "trailing characters after the JSON value");
  if (rc < 0)
    snprintf(err, errlen, "%s", jp.err);
  jp_free(&jp);
  if (rc == 0)
    pcheck_finish(pc);
  return rc;
}
