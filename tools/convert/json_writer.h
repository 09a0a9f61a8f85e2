// A buffered writer of JSON text: the pieces the converter needs (raw text, integers,
// hex strings, microsecond timestamps, escaped strings), formatted by hand because
// printf's format parsing would cost more than the conversion itself at millions of
// events per second. The writer never checks JSON structure; its callers do.
#ifndef FAULTLINE_JSON_WRITER_H
#define FAULTLINE_JSON_WRITER_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kernel/types.h"

#define JW_BUF (1u << 20)

struct jw {
  FILE *f;
  char *buf;
  size_t len;
  int err;            // a write failed; everything after is dropped
};

int jw_init(struct jw *w, FILE *f);   // 0, or -1 if out of memory
int jw_flush(struct jw *w);           // 0, or -1 if any write failed
void jw_free(struct jw *w);

void jw_u64(struct jw *w, uint64 v);
void jw_i64(struct jw *w, long long v);
void jw_hex(struct jw *w, uint64 v);          // "0x1f" with the quotes
void jw_us(struct jw *w, uint64 ns);          // ns as microseconds: 12.345, 12.3, 12
// A quoted JSON string of n bytes. Control bytes (below 0x20, and 0x7f) are escaped as
// \u00XX; bytes 0x80 and above are taken as Latin-1, so that any byte string (a process
// name, a marker) comes out as valid UTF-8.
void jw_str(struct jw *w, const char *s, size_t n);

// Room for n more bytes; n must be at most JW_BUF.
static inline void jw_reserve(struct jw *w, size_t n)
{
  if (w->len + n > JW_BUF)
    jw_flush(w);
}

static inline void jw_raw(struct jw *w, const char *s, size_t n)
{
  if (n > JW_BUF) {
    jw_flush(w);
    if (fwrite(s, 1, n, w->f) != n)
      w->err = 1;
    return;
  }
  jw_reserve(w, n);
  memcpy(w->buf + w->len, s, n);
  w->len += n;
}

static inline void jw_ch(struct jw *w, char c)
{
  jw_reserve(w, 1);
  w->buf[w->len++] = c;
}

// A string literal, its length known at compile time.
#define jw_lit(w, s) jw_raw((w), (s), sizeof(s) - 1)

#endif
