#include <stdlib.h>

#include "tools/convert/json_writer.h"

int jw_init(struct jw *w, FILE *f)
{
  memset(w, 0, sizeof *w);
  w->f = f;
  w->buf = malloc(JW_BUF);
  return w->buf ? 0 : -1;
}

int jw_flush(struct jw *w)
{
  if (w->len && !w->err && fwrite(w->buf, 1, w->len, w->f) != w->len)
    w->err = 1;
  w->len = 0;
  return w->err ? -1 : 0;
}

void jw_free(struct jw *w)
{
  free(w->buf);
  w->buf = NULL;
}

// Digits of v written backwards into the end of tmp; returns the first digit.
static char *digits(uint64 v, char *end)
{
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return end;
}

void jw_u64(struct jw *w, uint64 v)
{
  char tmp[24];
  char *p = digits(v, tmp + sizeof tmp);
  jw_raw(w, p, (size_t)(tmp + sizeof tmp - p));
}

void jw_i64(struct jw *w, long long v)
{
  if (v < 0) {
    jw_ch(w, '-');
    jw_u64(w, -(uint64)v);
  } else {
    jw_u64(w, (uint64)v);
  }
}

void jw_hex(struct jw *w, uint64 v)
{
  char tmp[24];
  char *p = tmp + sizeof tmp;
  *--p = '"';
  do {
    *--p = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  *--p = 'x';
  *--p = '0';
  *--p = '"';
  jw_raw(w, p, (size_t)(tmp + sizeof tmp - p));
}

// Trailing zeros of the fraction are left out (12.3, not 12.300; 12, not 12.000): every
// JSON reader gets the same double either way, and with QEMU's 100 ns timer most
// timestamps have one decimal, so this saves two or three bytes on every ts and dur.
void jw_us(struct jw *w, uint64 ns)
{
  char tmp[32];
  char *end = tmp + sizeof tmp;
  unsigned frac = (unsigned)(ns % 1000), places = 3;
  if (frac) {
    for (; frac % 10 == 0; frac /= 10)
      places--;
    for (; places; places--, frac /= 10)
      *--end = (char)('0' + frac % 10);
    *--end = '.';
  }
  char *p = digits(ns / 1000, end);
  jw_raw(w, p, (size_t)(tmp + sizeof tmp - p));
}

// The escaped form of one byte; returns its length (at most 6).
static size_t escape(unsigned char c, char *out)
{
  static const char hex[] = "0123456789abcdef";
  if (c == '"' || c == '\\') {
    out[0] = '\\';
    out[1] = (char)c;
    return 2;
  }
  if (c >= 0x20 && c < 0x7f) {
    out[0] = (char)c;
    return 1;
  }
  if (c < 0x20 || c == 0x7f) {
    memcpy(out, "\\u00", 4);
    out[4] = hex[c >> 4];
    out[5] = hex[c & 15];
    return 6;
  }
  out[0] = (char)(0xc0 | c >> 6);   // Latin-1 to UTF-8: two bytes
  out[1] = (char)(0x80 | (c & 0x3f));
  return 2;
}

void jw_str(struct jw *w, const char *s, size_t n)
{
  jw_ch(w, '"');
  for (size_t i = 0; i < n; i++) {
    jw_reserve(w, 6);
    w->len += escape((unsigned char)s[i], w->buf + w->len);
  }
  jw_ch(w, '"');
}
