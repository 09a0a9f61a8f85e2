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

void vmt_decode_header(const unsigned char *b, struct vmt_header *h)
{
  memcpy(h->magic, b, sizeof h->magic);
  h->version = LD(b, struct vmt_header, version);
  h->header_size = LD(b, struct vmt_header, header_size);
  h->record_size = LD(b, struct vmt_header, record_size);
  h->ncpu = LD(b, struct vmt_header, ncpu);
  h->timer_hz = LD(b, struct vmt_header, timer_hz);
  h->page_size = LD(b, struct vmt_header, page_size);
  h->flags = LD(b, struct vmt_header, flags);
  h->free_pages = LD(b, struct vmt_header, free_pages);
  h->start_ts = LD(b, struct vmt_header, start_ts);
}

void vmt_encode_header(const struct vmt_header *h, unsigned char *b)
{
  memcpy(b, h->magic, sizeof h->magic);
  ST(b, struct vmt_header, version, h->version);
  ST(b, struct vmt_header, header_size, h->header_size);
  ST(b, struct vmt_header, record_size, h->record_size);
  ST(b, struct vmt_header, ncpu, h->ncpu);
  ST(b, struct vmt_header, timer_hz, h->timer_hz);
  ST(b, struct vmt_header, page_size, h->page_size);
  ST(b, struct vmt_header, flags, h->flags);
  ST(b, struct vmt_header, free_pages, h->free_pages);
  ST(b, struct vmt_header, start_ts, h->start_ts);
}

void vmt_decode_record(const unsigned char *b, struct vmt_record *r)
{
  r->ts = LD(b, struct vmt_record, ts);
  r->seq = LD(b, struct vmt_record, seq);
  r->pid = LD(b, struct vmt_record, pid);
  r->type = LD(b, struct vmt_record, type);
  r->cpu = LD(b, struct vmt_record, cpu);
  r->flags = LD(b, struct vmt_record, flags);
  r->arg = LD(b, struct vmt_record, arg);
  r->a = LD(b, struct vmt_record, a);
  r->b = LD(b, struct vmt_record, b);
}

void vmt_encode_record(const struct vmt_record *r, unsigned char *b)
{
  ST(b, struct vmt_record, ts, r->ts);
  ST(b, struct vmt_record, seq, r->seq);
  ST(b, struct vmt_record, pid, r->pid);
  ST(b, struct vmt_record, type, r->type);
  ST(b, struct vmt_record, cpu, r->cpu);
  ST(b, struct vmt_record, flags, r->flags);
  ST(b, struct vmt_record, arg, r->arg);
  ST(b, struct vmt_record, a, r->a);
  ST(b, struct vmt_record, b, r->b);
}
