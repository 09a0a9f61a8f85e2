#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/param.h"
#include "tools/check/json_parse.h"
#include "tools/check/pcheck.h"
#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_codec.h"
#include "tools/convert/vmt_convert.h"

int t_failed;
static int npassed, nfailed;

void t_fail(const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  printf("  %s:%d: ", file, line);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  t_failed = 1;
}

void t_run(const char *name, void (*fn)(void))
{
  t_failed = 0;
  fn();
  printf("%s %s\n", t_failed ? "FAIL" : "PASS", name);
  if (t_failed)
    nfailed++;
  else
    npassed++;
  fflush(stdout);
}

void t_summary(void) { printf("unit: %d passed, %d failed\n", npassed, nfailed); }
int t_any_failed(void) { return nfailed != 0; }

struct vmt_header t_header(unsigned ncpu)
{
  struct vmt_header h = { .version = VMT_VERSION, .header_size = sizeof(struct vmt_header),
                          .record_size = sizeof(struct vmt_record), .ncpu = ncpu,
                          .timer_hz = 10000000, .page_size = 4096, .free_pages = 1000,
                          .start_ts = 1000000 };
  memcpy(h.magic, VMT_MAGIC, 8);
  return h;
}

void rec_raw(struct rec *b, const void *p, size_t n)
{
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2;
    b->data = realloc(b->data, b->cap);
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

void rec_header(struct rec *b, const struct vmt_header *h)
{
  unsigned char buf[sizeof(struct vmt_header)];
  vmt_encode_header(h, buf);
  rec_raw(b, buf, sizeof buf);
}

struct rec t_recording(unsigned ncpu)
{
  struct rec b = { 0 };
  struct vmt_header h = t_header(ncpu);
  rec_header(&b, &h);
  return b;
}

// Sequence numbers per CPU, counted over every record added to any recording: a test
// that wants gaps writes them explicitly with rec_raw.
static uint32 next_seq[NCPU];

void rec_add(struct rec *b, struct vmt_record r)
{
  unsigned char buf[sizeof(struct vmt_record)];
  if (r.seq == 0)
    r.seq = next_seq[r.cpu % NCPU]++;
  vmt_encode_record(&r, buf);
  rec_raw(b, buf, sizeof buf);
}

void rec_free(struct rec *b)
{
  free(b->data);
  memset(b, 0, sizeof *b);
}

struct vmt_record RA(unsigned type, unsigned cpu, uint32 pid, uint64 tick, uint32 arg,
                     uint64 a, uint64 b)
{
  return (struct vmt_record){ .ts = 1000000 + tick, .pid = pid, .type = (uint16)type,
                              .cpu = (uint8)cpu, .arg = arg, .a = a, .b = b };
}

struct vmt_record R(unsigned type, unsigned cpu, uint32 pid, uint64 tick)
{
  return RA(type, cpu, pid, tick, 0, 0, 0);
}

static void pack16(const char *s, uint64 *a, uint64 *b)
{
  *a = *b = 0;
  for (size_t i = 0; i < 16 && s[i]; i++)
    *(i < 8 ? a : b) |= (uint64)(unsigned char)s[i] << 8 * (i % 8);
}

struct vmt_record R_exec(unsigned cpu, uint32 pid, uint64 tick, const char *name)
{
  struct vmt_record r = R(VMT_EXEC, cpu, pid, tick);
  pack16(name, &r.a, &r.b);
  return r;
}

struct vmt_record R_marker(unsigned cpu, uint32 pid, uint64 tick, const char *text, int more)
{
  struct vmt_record r = R(VMT_MARKER, cpu, pid, tick);
  pack16(text, &r.a, &r.b);
  r.flags = more ? VMT_MORE : 0;
  return r;
}

struct vmt_record R_unmaps(unsigned cpu, uint32 pid, uint64 tick, uint32 perm, uint64 va,
                           unsigned n, int freed, const uint64 *pfn)
{
  uint64 slot[5] = { 0 };
  for (unsigned i = 0; i < n && i < 5; i++)
    slot[i] = pfn[i];
  struct vmt_record r = RA(VMT_UNMAP, cpu, pid, tick, perm | (uint32)slot[4] << 10,
                           va | slot[3] << 39, slot[0] | slot[1] << 21 | slot[2] << 42);
  r.flags = (uint8)(0x02 | n << 4 | (freed ? 0x01 : 0));
  return r;
}

static void copy_str(char *dst, size_t n, const char *src, size_t len)
{
  len = len < n - 1 ? len : n - 1;
  memcpy(dst, src, len);
  dst[len] = 0;
}

static long long num_or(const struct jval *v, long long dflt, int us)
{
  if (!v || v->type != J_NUM)
    return dflt;
  return us ? llround(v->num * 1000.0) : (long long)v->num;
}

static void take_args(struct t_event *e, const struct jval *args)
{
  for (const struct jval *a = args ? args->first : NULL; a && e->nargs < T_MAX_ARGS;
       a = a->next, e->nargs++) {
    copy_str(e->key[e->nargs], sizeof e->key[0], a->key, a->keylen);
    if (a->type == J_STR)
      copy_str(e->val[e->nargs], sizeof e->val[0], a->str, a->len);
    else if (a->type == J_NUM)
      copy_str(e->val[e->nargs], sizeof e->val[0], a->text, a->textlen);
    else
      copy_str(e->val[e->nargs], sizeof e->val[0], a->type == J_BOOL && a->boolean ? "true"
               : "false", 5);
  }
}

static void take_event(struct t_trace *t, const struct jval *v)
{
  struct t_event *e;
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 64;
    t->ev = realloc(t->ev, t->cap * sizeof *t->ev);
  }
  e = &t->ev[t->n++];
  memset(e, 0, sizeof *e);
  const struct jval *ph = jv_get(v, "ph"), *name = jv_get(v, "name"), *s = jv_get(v, "s"),
                    *cat = jv_get(v, "cat");
  e->ph = ph && ph->type == J_STR ? ph->str[0] : '?';
  if (name && name->type == J_STR)
    copy_str(e->name, sizeof e->name, name->str, name->len);
  if (cat && cat->type == J_STR)
    copy_str(e->cat, sizeof e->cat, cat->str, cat->len);
  if (s && s->type == J_STR)
    copy_str(e->s, sizeof e->s, s->str, s->len);
  e->pid = num_or(jv_get(v, "pid"), -1, 0);
  e->tid = num_or(jv_get(v, "tid"), -1, 0);
  e->ts = num_or(jv_get(v, "ts"), -1, 1);
  e->dur = num_or(jv_get(v, "dur"), -1, 1);
  e->bind_id = num_or(jv_get(v, "bind_id"), -1, 0);
  e->id = num_or(jv_get(v, "id"), -1, 0);
  const struct jval *bp = jv_get(v, "bp");
  if (bp && bp->type == J_STR)
    copy_str(e->bp, sizeof e->bp, bp->str, bp->len);
  e->flow_in = jv_get(v, "flow_in") != NULL;
  e->flow_out = jv_get(v, "flow_out") != NULL;
  take_args(e, jv_get(v, "args"));
}

// Reads the events back with the checker's parser (its own tests make sure it is right).
static void read_events(struct t_trace *t)
{
  struct jparser jp;
  struct jval *top;
  jp_init(&jp, t->json, t->len);
  if (jp_value(&jp, &top) == 0)
    for (const struct jval *v = jv_get(top, "traceEvents") ? jv_get(top, "traceEvents")->first
                                                           : NULL; v; v = v->next)
      take_event(t, v);
  jp_free(&jp);
}

void t_convert(struct t_trace *t, const struct rec *b, const struct vmt_filter *f)
{
  static unsigned char empty[1];
  struct vmt_filter all;
  memset(t, 0, sizeof *t);
  vmt_filter_all(&all);
  FILE *in = b->len ? fmemopen(b->data, b->len, "rb") : fmemopen(empty, 1, "rb");
  FILE *out = open_memstream(&t->json, &t->len);
  if (!b->len)
    fgetc(in);
  t->rc = vmt_convert(in, out, "test", f ? f : &all, 1024, t->err, sizeof t->err);
  fclose(in);
  fclose(out);
  if (t->rc != 0)
    return;
  read_events(t);
  struct pcheck pc;
  char err[256];
  pcheck_init(&pc, "test output", 5);
  if (pcheck_buffer(&pc, t->json, t->len, err, sizeof err) < 0)
    pc.violations++;
  t->violations = pc.violations;
  pcheck_free(&pc);
}

void t_trace_free(struct t_trace *t)
{
  free(t->json);
  free(t->ev);
  memset(t, 0, sizeof *t);
}

const char *t_arg(const struct t_event *e, const char *key)
{
  for (int i = 0; i < e->nargs; i++)
    if (strcmp(e->key[i], key) == 0)
      return e->val[i];
  return NULL;
}

const struct t_event *t_find(const struct t_trace *t, char ph, const char *name,
                             long long pid, int i)
{
  for (size_t k = 0; k < t->n; k++)
    if (t->ev[k].ph == ph && strcmp(t->ev[k].name, name) == 0 &&
        (pid < 0 || t->ev[k].pid == pid) && i-- == 0)
      return &t->ev[k];
  return NULL;
}

size_t t_count(const struct t_trace *t, char ph, const char *name, long long pid)
{
  size_t n = 0;
  for (size_t k = 0; k < t->n; k++)
    n += t->ev[k].ph == ph && strcmp(t->ev[k].name, name) == 0 &&
         (pid < 0 || t->ev[k].pid == pid);
  return n;
}
