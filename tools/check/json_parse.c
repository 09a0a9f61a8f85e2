// Recursive descent with a depth limit; strings are checked for valid UTF-8 and escapes,
// numbers for the exact JSON grammar, because a trace file that browsers or Perfetto
// would reject is exactly what the checker exists to catch.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/check/json_parse.h"

#define JP_MAX_DEPTH 64
#define JBLOCK (64u << 10)

struct jblock {
  struct jblock *next;
  size_t used, cap;
  max_align_t data[];
};

static void *arena_alloc(struct jarena *a, size_t n)
{
  n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  struct jblock *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > JBLOCK ? n : JBLOCK;
    b = malloc(sizeof *b + cap);
    if (!b)
      return NULL;
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
  }
  void *p = (char *)b->data + b->used;
  b->used += n;
  return p;
}

void jp_reset_arena(struct jparser *jp)
{
  struct jblock *b = jp->arena.head;
  while (b && b->next) {           // keep one block for the next event
    struct jblock *next = b->next;
    free(b);
    b = next;
  }
  if (b)
    b->used = 0;
  jp->arena.head = b;
}

void jp_init(struct jparser *jp, const char *buf, size_t len)
{
  memset(jp, 0, sizeof *jp);
  jp->start = jp->p = buf;
  jp->end = buf + len;
}

void jp_free(struct jparser *jp)
{
  jp_reset_arena(jp);
  free(jp->arena.head);
  jp->arena.head = NULL;
}

int jp_fail(struct jparser *jp, const char *what)
{
  if (!jp->err[0])
    snprintf(jp->err, sizeof jp->err, "offset %zu: %s", (size_t)(jp->p - jp->start), what);
  return -1;
}

int jp_peek(struct jparser *jp)
{
  while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' ||
                             *jp->p == '\r'))
    jp->p++;
  return jp->p < jp->end ? (unsigned char)*jp->p : -1;
}

int jp_expect(struct jparser *jp, char c)
{
  char msg[32];
  if (jp_peek(jp) == (unsigned char)c) {
    jp->p++;
    return 0;
  }
  snprintf(msg, sizeof msg, "expected '%c'", c);
  return jp_fail(jp, msg);
}

static struct jval *node(struct jparser *jp, enum jtype t)
{
  struct jval *v = arena_alloc(&jp->arena, sizeof *v);
  if (v) {
    memset(v, 0, sizeof *v);
    v->type = t;
    v->off = (size_t)(jp->p - jp->start);
  }
  return v;
}

static int literal(struct jparser *jp, const char *word, struct jval *v)
{
  size_t n = strlen(word);
  if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
    return jp_fail(jp, "invalid literal");
  jp->p += n;
  v->boolean = word[0] == 't';
  return 0;
}

static int digits(struct jparser *jp)
{
  const char *s = jp->p;
  while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
    jp->p++;
  return jp->p > s ? 0 : jp_fail(jp, "expected a digit");
}

static int number(struct jparser *jp, struct jval *v)
{
  const char *s = jp->p;
  v->is_int = 1;
  if (jp->p < jp->end && *jp->p == '-')
    jp->p++;
  if (jp->p < jp->end && *jp->p == '0')
    jp->p++;
  else if (digits(jp) < 0)
    return -1;
  if (jp->p < jp->end && *jp->p == '.') {
    jp->p++;
    v->is_int = 0;
    if (digits(jp) < 0)
      return -1;
  }
  if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
    jp->p++;
    v->is_int = 0;
    if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
      jp->p++;
    if (digits(jp) < 0)
      return -1;
  }
  char tmp[400];
  size_t n = (size_t)(jp->p - s);
  if (n >= sizeof tmp)
    return jp_fail(jp, "number too long");
  memcpy(tmp, s, n);
  tmp[n] = 0;
  v->num = strtod(tmp, NULL);
  v->text = s;
  v->textlen = n;
  return 0;
}

// Length of the valid UTF-8 sequence at p (overlong forms, surrogates and code points
// past U+10FFFF are invalid), or 0.
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
  unsigned c = p[0], n, cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
  else return 0;
  if ((size_t)(end - p) < n)
    return 0;
  for (unsigned i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

static int hex4(struct jparser *jp, unsigned *u)
{
  *u = 0;
  if (jp->end - jp->p < 4)
    return jp_fail(jp, "truncated \\u escape");
  for (int i = 0; i < 4; i++) {
    char c = *jp->p++;
    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
               : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
               : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
    if (d == 16)
      return jp_fail(jp, "bad hex digit in \\u escape");
    *u = *u << 4 | d;
  }
  return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xc0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

// A \u escape, joining a surrogate pair into one code point.
static int unicode_escape(struct jparser *jp, unsigned *cp)
{
  unsigned lo;
  if (hex4(jp, cp) < 0)
    return -1;
  if (*cp >= 0xdc00 && *cp <= 0xdfff)
    return jp_fail(jp, "lone low surrogate");
  if (*cp < 0xd800 || *cp > 0xdbff)
    return 0;
  if (jp->end - jp->p < 2 || jp->p[0] != '\\' || jp->p[1] != 'u')
    return jp_fail(jp, "high surrogate without its low half");
  jp->p += 2;
  if (hex4(jp, &lo) < 0)
    return -1;
  if (lo < 0xdc00 || lo > 0xdfff)
    return jp_fail(jp, "high surrogate without its low half");
  *cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
  return 0;
}

static int escape(struct jparser *jp, char *out, size_t *n)
{
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  unsigned cp;
  char c = *jp->p++;
  const char *k = c ? strchr(from, c) : NULL;
  if (k) {
    out[(*n)++] = to[k - from];
    return 0;
  }
  if (c != 'u')
    return jp_fail(jp, "bad escape");
  if (unicode_escape(jp, &cp) < 0)
    return -1;
  *n += put_utf8(out + *n, cp);
  return 0;
}

// The closing quote of the string starting after jp->p, without decoding; NULL if none.
static const char *string_end(const struct jparser *jp)
{
  for (const char *q = jp->p; q < jp->end; q++) {
    if (*q == '"')
      return q;
    if (*q == '\\')
      q++;
  }
  return NULL;
}

static int string(struct jparser *jp, char **out, size_t *len)
{
  jp->p++;                          // the opening quote
  const char *close = string_end(jp);
  if (!close)
    return jp_fail(jp, "unterminated string");
  char *buf = arena_alloc(&jp->arena, (size_t)(close - jp->p) + 1);
  size_t n = 0;
  if (!buf)
    return jp_fail(jp, "out of memory");
  while (jp->p < close) {
    unsigned char c = (unsigned char)*jp->p;
    size_t k;
    if (c == '\\') {
      jp->p++;
      if (escape(jp, buf, &n) < 0)
        return -1;
    } else if (c < 0x20) {
      return jp_fail(jp, "control character in string");
    } else if ((k = utf8_len((const unsigned char *)jp->p, (const unsigned char *)close)) == 0) {
      return jp_fail(jp, "invalid UTF-8 in string");
    } else {
      memcpy(buf + n, jp->p, k);
      n += k;
      jp->p += k;
    }
  }
  jp->p++;                          // the closing quote
  buf[n] = 0;
  *out = buf;
  *len = n;
  return 0;
}

static int members(struct jparser *jp, struct jval *v, int object)
{
  struct jval **tail = &v->first;
  char close = object ? '}' : ']';
  jp->p++;
  if (jp_peek(jp) == (unsigned char)close) {
    jp->p++;
    return 0;
  }
  for (;;) {
    char *key = NULL;
    size_t keylen = 0;
    if (object && (jp_peek(jp) != '"' || string(jp, &key, &keylen) < 0 || jp_expect(jp, ':') < 0))
      return jp_fail(jp, "expected a key");
    if (jp_value(jp, tail) < 0)
      return -1;
    (*tail)->key = key;
    (*tail)->keylen = keylen;
    tail = &(*tail)->next;
    int c = jp_peek(jp);
    if (c != ',' && c != (unsigned char)close)
      return jp_fail(jp, object ? "expected ',' or '}'" : "expected ',' or ']'");
    jp->p++;
    if (c == close)
      return 0;
  }
}

int jp_value(struct jparser *jp, struct jval **out)
{
  int c = jp_peek(jp);
  if (c < 0)
    return jp_fail(jp, "unexpected end of input");
  enum jtype t = c == '{' ? J_OBJ : c == '[' ? J_ARR : c == '"' ? J_STR
               : c == 't' || c == 'f' ? J_BOOL : c == 'n' ? J_NULL : J_NUM;
  struct jval *v = node(jp, t);
  if (!v)
    return jp_fail(jp, "out of memory");
  *out = v;
  if (t == J_OBJ || t == J_ARR) {
    if (++jp->depth > JP_MAX_DEPTH)
      return jp_fail(jp, "nested too deeply");
    int rc = members(jp, v, t == J_OBJ);
    jp->depth--;
    return rc;
  }
  if (t == J_STR)
    return string(jp, &v->str, &v->len);
  if (t == J_BOOL)
    return literal(jp, c == 't' ? "true" : "false", v);
  if (t == J_NULL)
    return literal(jp, "null", v);
  if (c != '-' && (c < '0' || c > '9'))
    return jp_fail(jp, "unexpected character");
  return number(jp, v);
}

const struct jval *jv_get(const struct jval *obj, const char *key)
{
  if (!obj || obj->type != J_OBJ)
    return NULL;
  size_t n = strlen(key);
  const struct jval *found = NULL;
  for (const struct jval *v = obj->first; v; v = v->next)
    if (v->keylen == n && memcmp(v->key, key, n) == 0)
      found = v;                    // the last duplicate wins, as in most parsers
  return found;
}

int jv_is_str(const struct jval *v, const char *s)
{
  return v && v->type == J_STR && v->len == strlen(s) && memcmp(v->str, s, v->len) == 0;
}
