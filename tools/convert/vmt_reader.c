#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert/vmt_codec.h"
#include "tools/convert/vmt_reader.h"

static int fail(struct vmt_reader *r, uint64 off, const char *fmt, ...)
{
  int n = snprintf(r->err, sizeof r->err, "offset %llu: ", (unsigned long long)off);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err + n, sizeof r->err - n, fmt, ap);
  va_end(ap);
  return -1;
}

// Makes at least `want` unread bytes available unless the input ends first; returns how
// many are available. Unread bytes move to the front so the buffer never grows.
static size_t fill(struct vmt_reader *r, size_t want)
{
  if (r->len - r->pos >= want || r->eof)
    return r->len - r->pos;
  memmove(r->buf, r->buf + r->pos, r->len - r->pos);
  r->len -= r->pos;
  r->pos = 0;
  size_t got = fread(r->buf + r->len, 1, VMT_READ_CHUNK - r->len, r->f);
  r->len += got;
  if (r->len < VMT_READ_CHUNK)
    r->eof = 1;
  return r->len;
}

static int is_pow2(uint64 v) { return v && !(v & (v - 1)); }

// Checks one header field at a time, in file order, so the offset points at the first
// field that is wrong.
static int check_header(struct vmt_reader *r, const struct vmt_header *h)
{
  if (memcmp(h->magic, VMT_MAGIC, 8) != 0)
    return fail(r, 0, "bad magic (not a vmtrace recording)");
  if (h->version < VMT_VERSION_OLDEST || h->version > VMT_VERSION)
    return fail(r, 8, "unsupported version %u (this reader accepts %u to %u)", h->version,
                VMT_VERSION_OLDEST, VMT_VERSION);
  if (h->header_size != sizeof(struct vmt_header))
    return fail(r, 12, "header size %u, expected %zu", h->header_size,
                sizeof(struct vmt_header));
  if (h->record_size != sizeof(struct vmt_record))
    return fail(r, 16, "record size %u, expected %zu", h->record_size,
                sizeof(struct vmt_record));
  if (h->ncpu < 1 || h->ncpu > NCPU)
    return fail(r, 20, "ncpu %u outside 1..%d", h->ncpu, NCPU);
  if (h->timer_hz < 1 || h->timer_hz > VMT_MAX_TIMER_HZ)
    return fail(r, 24, "timer_hz %llu outside 1..%llu", (unsigned long long)h->timer_hz,
                VMT_MAX_TIMER_HZ);
  if (!is_pow2(h->page_size) || h->page_size < 256 || h->page_size > (1u << 30))
    return fail(r, 32, "page size %u is not a power of two in 256..2^30", h->page_size);
  if (h->flags != 0)
    return fail(r, 36, "reserved header flags 0x%x are not 0", h->flags);
  if (h->free_pages > VMT_MAX_FREE_PAGES)
    return fail(r, 40, "free_pages %llu is impossible", (unsigned long long)h->free_pages);
  if (h->start_ts > UINT64_MAX - VMT_MAX_SPAN_S * h->timer_hz)
    return fail(r, 48, "start_ts %llu leaves no room for a recording",
                (unsigned long long)h->start_ts);
  return 0;
}

int vmt_reader_open(struct vmt_reader *r, FILE *f)
{
  memset(r, 0, sizeof *r);
  r->f = f;
  r->buf = malloc(VMT_READ_CHUNK);
  if (!r->buf)
    return fail(r, 0, "out of memory");
  size_t have = fill(r, sizeof(struct vmt_header));
  if (ferror(f))
    return fail(r, 0, "read error: %s", strerror(errno));
  if (have == 0)
    return fail(r, 0, "empty input (no header)");
  if (have < sizeof(struct vmt_header))
    return fail(r, have, "truncated header (%zu of %zu bytes)", have,
                sizeof(struct vmt_header));
  vmt_decode_header(r->buf, &r->hdr);
  if (check_header(r, &r->hdr) < 0)
    return -1;
  r->pos = r->off = sizeof(struct vmt_header);
  r->max_ts = r->hdr.start_ts + VMT_MAX_SPAN_S * r->hdr.timer_hz;
  for (unsigned c = 0; c < NCPU; c++)
    r->last_ts[c] = r->hdr.start_ts;
  return 0;
}

// A fault end's implications (version 3) and copy-on-write bits (version 4). Only a
// fault that got a new page (MAPPED, or COPIED into a new frame) can imply its kalloc
// and map; the COW bit goes with exactly the outcomes a write to a copy-on-write page has.
static int check_fault_end(struct vmt_reader *r, const struct vmt_record *rec, uint64 off)
{
  unsigned v = r->hdr.version, out = rec->arg & VMT_END_OUTCOME;
  int cow = (rec->arg & VMT_END_COW) != 0;
  if (v >= 3 && (rec->arg & (VMT_END_KALLOC | VMT_END_MAP)) && out != VMT_OUT_MAPPED &&
      !(v >= 4 && out == VMT_OUT_COPIED))
    return fail(r, off, "fault end implies its page's kalloc or map but its outcome is %u",
                out);
  if (v < 4 && (cow || rec->arg >> VMT_END_REFS_SHIFT))
    return fail(r, off, "fault end has copy-on-write bits (arg 0x%x) in a version %u recording",
                rec->arg, v);
  if (v < 4)
    return 0;
  if (cow && out != VMT_OUT_COPIED && out != VMT_OUT_TAKEN && out != VMT_OUT_NOMEM)
    return fail(r, off, "copy-on-write fault end with outcome %u", out);
  if (!cow && (out == VMT_OUT_COPIED || out == VMT_OUT_TAKEN))
    return fail(r, off, "fault end with outcome %u lacks VMT_END_COW", out);
  if (!cow && rec->arg >> VMT_END_REFS_SHIFT)
    return fail(r, off, "fault end counts references (arg 0x%x) but is not copy-on-write",
                rec->arg);
  return 0;
}

// A share (version 4) names at least one page, all of them in user space (below
// VMT_USER_TOP), so a reader may walk its pages.
static int check_share(struct vmt_reader *r, const struct vmt_record *rec, uint64 off)
{
  uint64 ps = r->hdr.page_size;
  if (r->hdr.version < 4)
    return fail(r, off, "share record in a version %u recording", r->hdr.version);
  if (rec->b == 0)
    return fail(r, off, "share of 0 pages");
  if (rec->a % ps || rec->a >= VMT_USER_TOP || rec->b > (VMT_USER_TOP - rec->a) / ps)
    return fail(r, off, "share of %llu pages at 0x%llx is not a run of user pages",
                (unsigned long long)rec->b, (unsigned long long)rec->a);
  if (rec->flags & ~VMT_SHARE_COW)
    return fail(r, off, "share flags 0x%x unknown", rec->flags);
  return 0;
}

// An unmap of several pages (version 5) names 1 .. VMT_UNMAP_PAGES_MAX pages in user
// space, each with a frame, and nothing in the slots or bits it does not use; so each
// page it expands to is one the kernel could have unmapped. A plain unmap in version 5
// has no flag but VMT_UNMAP_FREED (the count's bits belong to packed ones).
static int check_unmap(struct vmt_reader *r, const struct vmt_record *rec, uint64 off)
{
  uint64 ps = r->hdr.page_size, va = rec->a & VMT_UNMAP_VA_MASK;
  unsigned n = rec->flags >> VMT_UNMAP_COUNT_SHIFT & VMT_UNMAP_COUNT_MASK;
  unsigned known = VMT_UNMAP_FREED | VMT_UNMAP_PAGES |
                   (unsigned)VMT_UNMAP_COUNT_MASK << VMT_UNMAP_COUNT_SHIFT;
  if (!(rec->flags & VMT_UNMAP_PAGES)) {
    if (r->hdr.version >= 5 && (rec->flags & ~VMT_UNMAP_FREED))
      return fail(r, off, "unmap flags 0x%x unknown", rec->flags);
    return 0;
  }
  if (r->hdr.version < 5)
    return fail(r, off, "unmap of several pages in a version %u recording", r->hdr.version);
  if (rec->flags & ~known)
    return fail(r, off, "unmap flags 0x%x unknown", rec->flags);
  if (n < 1 || n > VMT_UNMAP_PAGES_MAX)
    return fail(r, off, "unmap of %u pages (1 to %d in one record)", n, VMT_UNMAP_PAGES_MAX);
  if (va % ps || va >= VMT_USER_TOP || n > (VMT_USER_TOP - va) / ps)
    return fail(r, off, "unmap of %u pages at 0x%llx is not a run of user pages", n,
                (unsigned long long)va);
  for (unsigned i = 0; i < VMT_UNMAP_PAGES_MAX; i++) {
    int full = VMT_UNMAP_SLOT(i, rec->arg, rec->a, rec->b) != 0;
    if (i < n && !full)
      return fail(r, off, "unmap of %u pages names no frame for page %u", n, i);
    if (i >= n && full)
      return fail(r, off, "unmap of %u pages has a frame in unused slot %u", n, i);
  }
  // The bits no slot covers: a's top 4, b's top 1, arg's top 1.
  if (rec->a >> (VMT_UNMAP_VA_BITS + VMT_UNMAP_PFN_BITS) ||
      rec->b >> (3 * VMT_UNMAP_PFN_BITS) || rec->arg >> (VMT_UNMAP_ARG_SHIFT + VMT_UNMAP_PFN_BITS))
    return fail(r, off, "unmap of %u pages has bits set outside its slots", n);
  return 0;
}

static int check_record(struct vmt_reader *r, const struct vmt_record *rec, uint64 off)
{
  if (rec->type == 0 || rec->type >= VMT_NTYPES)
    return fail(r, off, "unknown event type %u", rec->type);
  if (rec->type == VMT_FAULT_CHAIN && r->hdr.version < 2)
    return fail(r, off, "call chain record in a version %u recording", r->hdr.version);
  if (rec->type == VMT_FAULT_CHAIN && (rec->flags & VMT_CHAIN_COUNT) > VMT_CHAIN_MAX)
    return fail(r, off, "call chain of %u frames (at most %d)", rec->flags & VMT_CHAIN_COUNT,
                VMT_CHAIN_MAX);
  if (rec->type == VMT_FAULT_END && check_fault_end(r, rec, off) < 0)
    return -1;
  if (rec->type == VMT_SHARE && check_share(r, rec, off) < 0)
    return -1;
  if (rec->type == VMT_UNMAP && check_unmap(r, rec, off) < 0)
    return -1;
  if (rec->cpu >= r->hdr.ncpu)
    return fail(r, off, "cpu %u but the header says ncpu %u", rec->cpu, r->hdr.ncpu);
  if (rec->pid > VMT_MAX_PID)
    return fail(r, off, "pid %u is not a kernel pid", rec->pid);
  if (rec->type == VMT_LOST && rec->a > VMT_MAX_LOST)
    return fail(r, off, "VMT_LOST count %llu is impossible", (unsigned long long)rec->a);
  if (rec->ts < r->hdr.start_ts)
    return fail(r, off, "impossible timestamp %llu before the start %llu",
                (unsigned long long)rec->ts, (unsigned long long)r->hdr.start_ts);
  if (rec->ts > r->max_ts)
    return fail(r, off, "impossible timestamp %llu more than %llu s after the start",
                (unsigned long long)rec->ts, VMT_MAX_SPAN_S);
  if (rec->ts < r->last_ts[rec->cpu])
    return fail(r, off, "impossible timestamp %llu goes back in time on cpu %u (previous %llu)",
                (unsigned long long)rec->ts, rec->cpu,
                (unsigned long long)r->last_ts[rec->cpu]);
  r->last_ts[rec->cpu] = rec->ts;
  return 0;
}

int vmt_reader_next(struct vmt_reader *r, struct vmt_record *rec, uint64 *off)
{
  size_t have = fill(r, sizeof(struct vmt_record));
  if (ferror(r->f))
    return fail(r, r->off, "read error: %s", strerror(errno));
  if (have == 0)
    return 0;
  if (have < sizeof(struct vmt_record))
    return fail(r, r->off, "truncated record (%zu of %zu bytes)", have,
                sizeof(struct vmt_record));
  vmt_decode_record(r->buf + r->pos, rec);
  *off = r->off;
  r->pos += sizeof(struct vmt_record);
  r->off += sizeof(struct vmt_record);
  r->nrecords++;
  return check_record(r, rec, *off) < 0 ? -1 : 1;
}

void vmt_reader_close(struct vmt_reader *r)
{
  free(r->buf);
  r->buf = NULL;
}

uint64 vmt_ns(const struct vmt_header *h, uint64 ts)
{
  uint64 d = ts - h->start_ts, hz = h->timer_hz;
  // Checked records keep d within a day of ticks and hz within 10 GHz, so neither
  // product below can overflow.
  return d / hz * 1000000000ull + d % hz * 1000000000ull / hz;
}
