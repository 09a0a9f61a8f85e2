// Field offsets come from offsetof on the format's own structs: the header's size checks
// pin those structs to the wire layout, so the offsets cannot drift from the contract.
// Loads and stores go byte by byte so that the tools are right on any host byte order;
// compilers turn them into single moves on little-endian machines.
#include <stddef.h>
#include <string.h>

#include "tools/convert/vmt_codec.h"

static uint64 ld(const unsigned char *p, int n)
{
  uint64 v = 0;
  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static void st(unsigned char *p, uint64 v, int n)
{
  for (int i = 0; i < n; i++, v >>= 8)
    p[i] = (unsigned char)v;
}

#define LD(b, s, f) ld((b) + offsetof(s, f), (int)sizeof(((s *)0)->f))
#define ST(b, s, f, v) st((b) + offsetof(s, f), (v), (int)sizeof(((s *)0)->f))

// Each struct's fields, named once here for decoding and encoding alike (the magic, a
// byte array, is copied apart). The size checks below catch a field left out.
#define HEADER_FIELDS(X) X(version) X(header_size) X(record_size) X(ncpu) X(timer_hz) \
                         X(page_size) X(flags) X(free_pages) X(start_ts)
#define RECORD_FIELDS(X) X(ts) X(seq) X(pid) X(type) X(cpu) X(flags) X(arg) X(a) X(b)

#define HEADER_SIZE(f) + sizeof(((struct vmt_header *)0)->f)
#define RECORD_SIZE(f) + sizeof(((struct vmt_record *)0)->f)
_Static_assert(sizeof(((struct vmt_header *)0)->magic) HEADER_FIELDS(HEADER_SIZE) ==
               sizeof(struct vmt_header), "a header field is missing from HEADER_FIELDS");
_Static_assert(0 RECORD_FIELDS(RECORD_SIZE) == sizeof(struct vmt_record),
               "a record field is missing from RECORD_FIELDS");

void vmt_decode_header(const unsigned char *b, struct vmt_header *h)
{
  memcpy(h->magic, b, sizeof h->magic);
#define DECODE(f) h->f = LD(b, struct vmt_header, f);
  HEADER_FIELDS(DECODE)
#undef DECODE
}

void vmt_encode_header(const struct vmt_header *h, unsigned char *b)
{
  memcpy(b, h->magic, sizeof h->magic);
#define ENCODE(f) ST(b, struct vmt_header, f, h->f);
  HEADER_FIELDS(ENCODE)
#undef ENCODE
}

void vmt_decode_record(const unsigned char *b, struct vmt_record *r)
{
#define DECODE(f) r->f = LD(b, struct vmt_record, f);
  RECORD_FIELDS(DECODE)
#undef DECODE
}

void vmt_encode_record(const struct vmt_record *r, unsigned char *b)
{
#define ENCODE(f) ST(b, struct vmt_record, f, r->f);
  RECORD_FIELDS(ENCODE)
#undef ENCODE
}
