// The kernel's byte and string helpers (kernel/kstring.h).
#include "kernel/types.h"
#include "kernel/kstring.h"

// Whole pages are the common case (zeroing a user page, the allocator's junk fill), so
// aligned memory is filled with full-width stores, eight to a loop turn: a 4 KiB page is
// 512 stores and 64 turns of the loop, about 640 instructions.
void *memset(void *dst, int c, uint n)
{
  uchar *d = dst, *end = d + n;
  if (((uint64)d % 8) == 0) {
    uint64 word = 0x0101010101010101UL * (uchar)c;
    uint64 *w = (uint64 *)d;
    for (uint64 *stop = (uint64 *)(d + (n & ~63U)); w < stop; w += 8) {
      w[0] = word; w[1] = word; w[2] = word; w[3] = word;
      w[4] = word; w[5] = word; w[6] = word; w[7] = word;
    }
    for (uint64 *stop = (uint64 *)(d + (n & ~7U)); w < stop; w++)
      *w = word;
    d = (uchar *)w;
  }
  for (; d < end; d++)
    *d = c;
  return dst;
}

int memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;
  for (uint i = 0; i < n; i++)
    if (p[i] != q[i])
      return p[i] - q[i];
  return 0;
}

// Overlap-safe: copies backwards when dst lies inside src. Forward copies between
// 8-byte-aligned buffers (fork's page copies, most user copies) go a word at a time,
// eight words a loop turn. (A forward copy with dst below src is safe word by word.)
void *memmove(void *dst, const void *src, uint n)
{
  const uchar *s = src;
  uchar *d = dst;
  if (s < d && s + n > d) {
    while (n-- > 0)
      d[n] = s[n];
    return dst;
  }
  const uchar *end = s + n;
  if ((((uint64)s | (uint64)d) % 8) == 0) {
    const uint64 *w = (const uint64 *)s;
    uint64 *o = (uint64 *)d;
    for (const uint64 *stop = (const uint64 *)(s + (n & ~63U)); w < stop; w += 8, o += 8) {
      uint64 a0 = w[0], a1 = w[1], a2 = w[2], a3 = w[3];
      uint64 a4 = w[4], a5 = w[5], a6 = w[6], a7 = w[7];
      o[0] = a0; o[1] = a1; o[2] = a2; o[3] = a3;
      o[4] = a4; o[5] = a5; o[6] = a6; o[7] = a7;
    }
    for (const uint64 *stop = (const uint64 *)(s + (n & ~7U)); w < stop; w++, o++)
      *o = *w;
    s = (const uchar *)w;
    d = (uchar *)o;
  }
  while (s < end)
    *d++ = *s++;
  return dst;
}

void *memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int strncmp(const char *p, const char *q, uint n)
{
  for (; n > 0; n--, p++, q++) {
    if (*p != *q)
      return (uchar)*p - (uchar)*q;
    if (*p == 0)
      return 0;
  }
  return 0;
}

// Pads with NULs like the C library's; does not terminate when src is n long or more.
char *strncpy(char *dst, const char *src, int n)
{
  int i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

char *safestrcpy(char *dst, const char *src, int n)
{
  if (n <= 0)
    return dst;
  int i = 0;
  for (; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}

int strlen(const char *s)
{
  int n = 0;
  while (s[n])
    n++;
  return n;
}
