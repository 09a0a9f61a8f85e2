// A bounded little-endian reader over a byte range. Every read checks the bounds; a read
// past the end (or a malformed LEB128) sets bad, returns 0 and leaves the cursor at the
// end, so a parser can read a whole header and check bad once. Callers guarantee that
// [p, end) is readable memory for the cursor's lifetime.
#ifndef FAULTLINE_BYTE_CURSOR_H
#define FAULTLINE_BYTE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

struct cur {
  const uint8_t *p, *end;
  int bad;
};

static inline struct cur cur_make(const uint8_t *p, size_t n)
{
  return (struct cur){ .p = p, .end = p + n, .bad = 0 };
}

static inline size_t cur_left(const struct cur *c)
{
  return (size_t)(c->end - c->p);
}

static inline void cur_fail(struct cur *c)
{
  c->bad = 1;
  c->p = c->end;
}

// n bytes as a little-endian unsigned number (n <= 8).
static inline uint64_t cur_uint(struct cur *c, unsigned n)
{
  if (cur_left(c) < n) {
    cur_fail(c);
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++)
    v |= (uint64_t)c->p[i] << (8 * i);
  c->p += n;
  return v;
}

static inline uint8_t cur_u8(struct cur *c) { return (uint8_t)cur_uint(c, 1); }
static inline uint16_t cur_u16(struct cur *c) { return (uint16_t)cur_uint(c, 2); }
static inline uint32_t cur_u32(struct cur *c) { return (uint32_t)cur_uint(c, 4); }
static inline uint64_t cur_u64(struct cur *c) { return cur_uint(c, 8); }

static inline void cur_skip(struct cur *c, uint64_t n)
{
  if (cur_left(c) < n)
    cur_fail(c);
  else
    c->p += n;
}

// Unsigned LEB128; more than 10 bytes, or bits beyond 64, is malformed.
static inline uint64_t cur_uleb(struct cur *c)
{
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (c->p >= c->end)
      break;
    uint8_t b = *c->p++;
    if (shift == 63 && (b & 0x7e))
      break;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return v;
  }
  cur_fail(c);
  return 0;
}

static inline int64_t cur_sleb(struct cur *c)
{
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (c->p >= c->end)
      break;
    uint8_t b = *c->p++;
    if (shift < 64)
      v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (shift + 7 < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << (shift + 7);
      return (int64_t)v;
    }
  }
  cur_fail(c);
  return 0;
}

// A NUL-terminated string inside the range; NULL (and bad) if it runs off the end.
static inline const char *cur_str(struct cur *c)
{
  const uint8_t *s = c->p;
  while (c->p < c->end && *c->p)
    c->p++;
  if (c->p == c->end) {
    cur_fail(c);
    return NULL;
  }
  c->p++;
  return (const char *)s;
}

#endif
