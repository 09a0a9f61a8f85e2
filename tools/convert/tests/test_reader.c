// Unit tests of the byte layout, the reader's checks (one test per kind of bad input)
// and the per-CPU merge.
#include <stdio.h>
#include <string.h>

#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_codec.h"
#include "tools/convert/vmt_merge.h"
#include "tools/convert/vmt_reader.h"

static void codec_layout(void)
{
  struct vmt_record r = { .ts = 0x0102030405060708ull, .seq = 0x11121314, .pid = 0x21222324,
                          .type = 0x3132, .cpu = 0x41, .flags = 0x51, .arg = 0x61626364,
                          .a = 0x7172737475767778ull, .b = 0x8182838485868788ull };
  unsigned char b[40];
  struct vmt_record back;
  vmt_encode_record(&r, b);
  CHECK(b[0] == 0x08 && b[7] == 0x01, "ts is not little-endian at offset 0");
  CHECK(b[8] == 0x14 && b[12] == 0x24, "seq/pid not at offsets 8/12");
  CHECK(b[16] == 0x32 && b[17] == 0x31 && b[18] == 0x41 && b[19] == 0x51, "type/cpu/flags");
  CHECK(b[20] == 0x64 && b[24] == 0x78 && b[32] == 0x88, "arg/a/b not at 20/24/32");
  vmt_decode_record(b, &back);
  CHECK(memcmp(&back, &r, sizeof r) == 0, "record does not survive encode + decode");
  struct vmt_header h = t_header(3), hb;
  unsigned char hbuf[56];
  vmt_encode_header(&h, hbuf);
  CHECK(memcmp(hbuf, "VMTRACE1", 8) == 0 && hbuf[8] == VMT_VERSION && hbuf[20] == 3,
        "header layout");
  vmt_decode_header(hbuf, &hb);
  CHECK(memcmp(&hb, &h, sizeof h) == 0, "header does not survive encode + decode");
}

// Runs the reader over b to the end; returns its error ("" if none).
static const char *read_all(const struct rec *b, uint64 *nrec)
{
  static char err[256];
  static unsigned char empty[1];
  struct vmt_reader r;
  struct vmt_record rec;
  uint64 off;
  int got;
  FILE *f = b->len ? fmemopen(b->data, b->len, "rb") : fmemopen(empty, 1, "rb");
  if (!b->len)
    fgetc(f);
  err[0] = 0;
  if (vmt_reader_open(&r, f) == 0)
    while ((got = vmt_reader_next(&r, &rec, &off)) > 0)
      ;
  snprintf(err, sizeof err, "%s", r.err);
  if (nrec)
    *nrec = r.nrecords;
  vmt_reader_close(&r);
  fclose(f);
  return err;
}

// A good recording with one record changed by fn, read back; the error must start with
// "offset N:".
static void expect_error(void (*bad_header)(struct vmt_header *), struct vmt_record *bad_rec,
                         const char *offset, const char *words)
{
  struct rec b = { 0 };
  struct vmt_header h = t_header(2);
  if (bad_header)
    bad_header(&h);
  rec_header(&b, &h);
  rec_add(&b, R(VMT_SWITCH, 0, 1, 10));
  rec_add(&b, R(VMT_SWITCH, 1, 2, 20));
  if (bad_rec)
    rec_add(&b, *bad_rec);
  const char *err = read_all(&b, NULL);
  rec_free(&b);
  CHECK(strncmp(err, offset, strlen(offset)) == 0, "error '%s' should start with '%s'", err,
        offset);
  CHECK(strstr(err, words) != NULL, "error '%s' should mention '%s'", err, words);
}

static void h_magic(struct vmt_header *h) { h->magic[7] = '2'; }
static void h_version(struct vmt_header *h) { h->version = VMT_VERSION + 1; }
static void h_version0(struct vmt_header *h) { h->version = VMT_VERSION_OLDEST - 1; }
static void h_version1(struct vmt_header *h) { h->version = 1; }
static void h_version3(struct vmt_header *h) { h->version = 3; }
static void h_version4(struct vmt_header *h) { h->version = 4; }
static void h_hsize(struct vmt_header *h) { h->header_size = 64; }
static void h_rsize(struct vmt_header *h) { h->record_size = 32; }
static void h_ncpu0(struct vmt_header *h) { h->ncpu = 0; }
static void h_ncpu9(struct vmt_header *h) { h->ncpu = 9; }
static void h_hz(struct vmt_header *h) { h->timer_hz = 0; }
static void h_page(struct vmt_header *h) { h->page_size = 3000; }
static void h_flags(struct vmt_header *h) { h->flags = 4; }
static void h_free(struct vmt_header *h) { h->free_pages = 1ull << 60; }
static void h_start(struct vmt_header *h) { h->start_ts = ~0ull - 5; }

static void bad_headers(void)
{
  expect_error(h_magic, NULL, "offset 0:", "magic");
  char newer[40];
  snprintf(newer, sizeof newer, "unsupported version %d", VMT_VERSION + 1);
  expect_error(h_version, NULL, "offset 8:", newer);
  expect_error(h_version0, NULL, "offset 8:", "unsupported version 0");
  expect_error(h_hsize, NULL, "offset 12:", "header size 64");
  expect_error(h_rsize, NULL, "offset 16:", "record size 32");
  expect_error(h_ncpu0, NULL, "offset 20:", "ncpu 0");
  expect_error(h_ncpu9, NULL, "offset 20:", "ncpu 9");
  expect_error(h_hz, NULL, "offset 24:", "timer_hz 0");
  expect_error(h_page, NULL, "offset 32:", "page size 3000");
  expect_error(h_flags, NULL, "offset 36:", "flags");
  expect_error(h_free, NULL, "offset 40:", "free_pages");
  expect_error(h_start, NULL, "offset 48:", "start_ts");
}

// Version 4's rules: shares and copy-on-write bits only from version 4, a share of at
// least one page inside user space, COW outcomes with their bit and their bit only with
// them; a copy's implied kalloc and map are allowed.
static void cow_records(void)
{
  struct vmt_record r = RA(VMT_SHARE, 0, 5, 30, 4, 0x4000, 2);
  r.flags = VMT_SHARE_COW;
  expect_error(h_version3, &r, "offset 136:", "share record in a version 3 recording");
  r.b = 0;
  expect_error(NULL, &r, "offset 136:", "share of 0 pages");
  r.a = (1ull << 38) - 4096;
  r.b = 2;
  expect_error(NULL, &r, "offset 136:", "not a run of user pages");
  r.a = 0x4000;
  r.b = 1ull << 40;
  expect_error(NULL, &r, "offset 136:", "not a run of user pages");
  r.a = 0x4010;
  r.b = 1;
  expect_error(NULL, &r, "offset 136:", "not a run of user pages");
  r.a = 0x4000;
  r.flags = 0x80;
  expect_error(NULL, &r, "offset 136:", "share flags 0x80");
  r = RA(VMT_FAULT_END, 0, 1, 30, VMT_OUT_MAPPED | VMT_END_COW, 0x5000, 0);
  expect_error(h_version3, &r, "offset 136:", "copy-on-write bits");
  r.arg = VMT_OUT_MAPPED | 1u << VMT_END_REFS_SHIFT;
  expect_error(h_version3, &r, "offset 136:", "copy-on-write bits");
  expect_error(NULL, &r, "offset 136:", "counts references");
  r.arg = VMT_OUT_COPIED | 2u << VMT_END_REFS_SHIFT;
  expect_error(NULL, &r, "offset 136:", "outcome 5 lacks VMT_END_COW");
  r.arg = VMT_OUT_SPURIOUS | VMT_END_COW;
  expect_error(NULL, &r, "offset 136:", "copy-on-write fault end with outcome 4");
  r.arg = VMT_OUT_TAKEN | VMT_END_COW | VMT_END_KALLOC;
  expect_error(NULL, &r, "offset 136:", "implies its page's kalloc or map but its outcome is 6");
  struct rec b = t_recording(1);
  rec_add(&b, RA(VMT_FAULT_END, 0, 1, 30, VMT_OUT_COPIED | VMT_END_COW | 2u << VMT_END_REFS_SHIFT |
                 VMT_END_KALLOC | VMT_END_MAP, 0x5000, 0x80001000));
  struct vmt_record s = RA(VMT_SHARE, 0, 5, 31, 4, 0x1000, 3);
  rec_add(&b, s);
  uint64 n;
  const char *err = read_all(&b, &n);
  rec_free(&b);
  CHECK(err[0] == 0 && n == 2, "a copy implying its kalloc and map, a read-only share: '%s'",
        err);
}

// Version 5's unmaps of several pages: only from version 5, 1 to 5 pages of user space,
// a frame in each used slot and nothing anywhere else; and a plain unmap's flags.
static void packed_unmaps(void)
{
  static const uint64 pfn[5] = { 0x80001, 0x80002, 0x80003, 0x80004, 0x80005 };
  static const uint64 hole[3] = { 0x80001, 0, 0x80003 };
  const uint64 top = 1ull << 38, perm = 0x2 | 0x4 | 0x10;
  struct vmt_record r = R_unmaps(0, 5, 30, perm, 0x4000, 3, 1, pfn);
  expect_error(h_version4, &r, "offset 136:", "unmap of several pages in a version 4 recording");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 0, 1, pfn);
  expect_error(NULL, &r, "offset 136:", "unmap of 0 pages");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 5, 1, pfn);
  r.flags += 1 << VMT_UNMAP_COUNT_SHIFT;
  expect_error(NULL, &r, "offset 136:", "unmap of 6 pages");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 2, 0, pfn);
  r.flags |= 0x80;
  expect_error(NULL, &r, "offset 136:", "unmap flags 0xa2 unknown");
  r = R_unmaps(0, 5, 30, perm, 0x4010, 2, 0, pfn);
  expect_error(NULL, &r, "offset 136:", "unmap of 2 pages at 0x4010 is not a run of user pages");
  r = R_unmaps(0, 5, 30, perm, top - 0x2000, 3, 0, pfn);
  expect_error(NULL, &r, "offset 136:", "is not a run of user pages");
  r = R_unmaps(0, 5, 30, perm, top, 1, 0, pfn);
  expect_error(NULL, &r, "offset 136:", "is not a run of user pages");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 3, 1, hole);
  expect_error(NULL, &r, "offset 136:", "unmap of 3 pages names no frame for page 1");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 5, 1, pfn);
  r.flags = (uint8)((r.flags & ~(VMT_UNMAP_COUNT_MASK << VMT_UNMAP_COUNT_SHIFT)) | 3 << VMT_UNMAP_COUNT_SHIFT);
  expect_error(NULL, &r, "offset 136:", "unmap of 3 pages has a frame in unused slot 3");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 4, 1, pfn);
  r.arg |= 1u << 10;
  expect_error(NULL, &r, "offset 136:", "unmap of 4 pages has a frame in unused slot 4");
  r = R_unmaps(0, 5, 30, perm, 0x4000, 5, 1, pfn);
  r.a |= 1ull << 63;
  expect_error(NULL, &r, "offset 136:", "unmap of 5 pages has bits set outside its slots");
  r = RA(VMT_UNMAP, 0, 5, 30, perm, 0x4000, 0x80001000);
  r.flags = 1 << VMT_UNMAP_COUNT_SHIFT;
  expect_error(NULL, &r, "offset 136:", "unmap flags 0x10 unknown");
  // What is allowed: the last five pages of user space, the largest frames, and a plain
  // unmap that says its frame was freed; before version 5, a plain unmap as ever.
  static const uint64 high[5] = { 0x1fffff, 0x1ffffe, 0x1ffffd, 0x1ffffc, 0x1ffffb };
  struct rec b = t_recording(1);
  rec_add(&b, R_unmaps(0, 5, 30, perm, top - 0x5000, 5, 1, high));
  struct vmt_record plain = RA(VMT_UNMAP, 0, 5, 31, perm, 0x4000, 0x80001000);
  plain.flags = VMT_UNMAP_FREED;
  rec_add(&b, plain);
  uint64 n;
  const char *err = read_all(&b, &n);
  rec_free(&b);
  CHECK(err[0] == 0 && n == 2, "good unmaps refused: '%s'", err);
  r = RA(VMT_UNMAP, 0, 5, 30, perm, 0x4000, 0x80001000);
  r.flags = 0x10;
  struct vmt_header h = t_header(1);
  h.version = 4;
  b = (struct rec){ 0 };
  rec_header(&b, &h);
  rec_add(&b, r);
  err = read_all(&b, &n);
  rec_free(&b);
  CHECK(err[0] == 0 && n == 1, "version 4 checked no unmap flags but its packed bit: '%s'", err);
}

static void bad_records(void)
{
  struct vmt_record r = R(0, 0, 1, 30);
  expect_error(NULL, &r, "offset 136:", "unknown event type 0");
  r = R(VMT_NTYPES, 0, 1, 30);
  char first_unknown[40];
  snprintf(first_unknown, sizeof first_unknown, "unknown event type %d", VMT_NTYPES);
  expect_error(NULL, &r, "offset 136:", first_unknown);
  r = R(VMT_KALLOC, 2, 1, 30);
  expect_error(NULL, &r, "offset 136:", "cpu 2");
  r = R(VMT_KALLOC, 0, 0x80000000u, 30);
  expect_error(NULL, &r, "offset 136:", "pid 2147483648");
  r = RA(VMT_LOST, 0, 1, 30, 0, 1ull << 32, 0);
  expect_error(NULL, &r, "offset 136:", "VMT_LOST count 4294967296");
  r = RA(VMT_FAULT_CHAIN, 0, 1, 30, 0x1000, 0, 0);
  r.flags = VMT_CHAIN_MAX + 1;
  expect_error(NULL, &r, "offset 136:", "call chain of 6 frames");
  r.flags = 1;
  expect_error(h_version1, &r, "offset 136:", "call chain record in a version 1 recording");
  r = RA(VMT_FAULT_END, 0, 1, 30, VMT_OUT_NOMEM | VMT_END_KALLOC, 0x5000, 0);
  expect_error(NULL, &r, "offset 136:", "implies its page's kalloc or map but its outcome is 3");
  r = R(VMT_KALLOC, 0, 1, 30);
  r.ts = 999999;
  expect_error(NULL, &r, "offset 136:", "before the start");
  r = R(VMT_KALLOC, 1, 1, 19);
  expect_error(NULL, &r, "offset 136:", "back in time on cpu 1");
  r = R(VMT_KALLOC, 0, 1, 86400ull * 10000000 + 1);
  expect_error(NULL, &r, "offset 136:", "more than 86400 s");
}

// Every version from VMT_VERSION_OLDEST reads: version 1 (no call chains, e.g.
// traces/example.vmt) and the current one with a full chain.
static void versions(void)
{
  for (unsigned v = VMT_VERSION_OLDEST; v <= VMT_VERSION; v++) {
    struct rec b = { 0 };
    struct vmt_header h = t_header(1);
    h.version = v;
    rec_header(&b, &h);
    rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 1, 1, 13, 0x5000, 0x104));
    if (v >= 2) {
      struct vmt_record c = RA(VMT_FAULT_CHAIN, 0, 1, 1, 0x200, 0x400000300ull, 0x600000500ull);
      c.flags = VMT_CHAIN_MAX | VMT_CHAIN_TRUNCATED;
      rec_add(&b, c);
    }
    uint64 n;
    const char *err = read_all(&b, &n);
    CHECK(err[0] == 0 && n == 1 + (v >= 2), "version %u: '%s'", v, err);
    rec_free(&b);
  }
}

static void truncation(void)
{
  struct rec b = { 0 };
  struct vmt_header h = t_header(1);
  const char *err = read_all(&b, NULL);
  CHECK(strcmp(err, "offset 0: empty input (no header)") == 0, "empty: '%s'", err);
  rec_header(&b, &h);
  b.len = 30;
  err = read_all(&b, NULL);
  CHECK(strncmp(err, "offset 30: truncated header", 27) == 0, "short header: '%s'", err);
  b.len = 56;
  rec_add(&b, R(VMT_KALLOC, 0, 1, 1));
  b.len -= 1;
  err = read_all(&b, NULL);
  CHECK(strncmp(err, "offset 56: truncated record (39 of 40", 37) == 0, "short record: '%s'",
        err);
  b.len += 1;
  uint64 n;
  err = read_all(&b, &n);
  CHECK(err[0] == 0 && n == 1, "a whole record must read cleanly: '%s'", err);
  rec_free(&b);
}

// Many records: the reader's buffer refills in the middle of a record.
static void buffer_refill(void)
{
  struct rec b = { 0 };
  struct vmt_header h = t_header(1);
  uint64 n;
  rec_header(&b, &h);
  for (uint64 i = 0; i < 3 * VMT_READ_CHUNK / 40 + 7; i++)
    rec_add(&b, R(VMT_KALLOC, 0, 1, i));
  const char *err = read_all(&b, &n);
  CHECK(err[0] == 0, "error: %s", err);
  CHECK(n == 3 * VMT_READ_CHUNK / 40 + 7, "read %llu records", (unsigned long long)n);
  rec_free(&b);
}

static void push(struct vmt_merge *m, unsigned cpu, uint64 ts)
{
  struct vmt_record r = R(VMT_KALLOC, cpu, 1, ts);
  vmt_merge_push(m, &r, ts);
}

static uint64 pop_ts(struct vmt_merge *m, int draining)
{
  struct vmt_record r;
  uint64 off;
  return vmt_merge_pop(m, draining, &r, &off) ? r.ts - 1000000 : ~0ull;
}

static void merge_order(void)
{
  struct vmt_merge m;
  vmt_merge_init(&m, 2, 1000000, 100);
  push(&m, 0, 5);
  push(&m, 0, 9);
  CHECK(pop_ts(&m, 0) == ~0ull, "released although cpu 1 may still send older records");
  push(&m, 1, 3);
  CHECK(pop_ts(&m, 0) == 3, "oldest first");
  CHECK(pop_ts(&m, 0) == ~0ull, "cpu 1 is empty and last sent 3 < 5: must wait");
  push(&m, 1, 7);
  CHECK(pop_ts(&m, 0) == 5 && pop_ts(&m, 0) == 7, "5 then 7");
  CHECK(pop_ts(&m, 0) == ~0ull && pop_ts(&m, 1) == 9 && pop_ts(&m, 1) == ~0ull, "drain");
  vmt_merge_free(&m);
}

static void merge_window(void)
{
  struct vmt_merge m;
  vmt_merge_init(&m, 2, 1000000, 4);     // cpu 1 never speaks
  for (uint64 t = 1; t <= 5; t++)
    push(&m, 0, t);
  CHECK(m.held == 5 && pop_ts(&m, 0) == 1, "over the window, the oldest goes out anyway");
  CHECK(pop_ts(&m, 0) == ~0ull, "back within the window: wait again");
  for (uint64 t = 6; t <= 100; t++) {
    push(&m, 0, t);
    while (pop_ts(&m, 0) != ~0ull)
      ;
  }
  CHECK(m.max_held <= 5 && m.cap <= 5, "held %u with room for %u: not bounded", m.max_held,
        m.cap);
  struct vmt_record late = R(VMT_KALLOC, 1, 1, 2);
  CHECK(vmt_merge_push(&m, &late, 4242) < 0, "a record older than released ones is late");
  CHECK(strstr(m.err, "offset 4242:") && strstr(m.err, "window"), "message: %s", m.err);
  vmt_merge_free(&m);
}

void tests_reader(void)
{
  t_run("codec: wire layout and round trip", codec_layout);
  t_run("reader: every bad header field, with its offset", bad_headers);
  t_run("reader: unmaps of several pages (version 5), each kind of bad one", packed_unmaps);
  t_run("reader: bad records (type, cpu, pid, chain, impossible timestamps)", bad_records);
  t_run("reader: every version from the oldest understood, chains in version 2", versions);
  t_run("reader: version 4's shares and copy-on-write bits", cow_records);
  t_run("reader: empty, truncated header, truncated record", truncation);
  t_run("reader: records across buffer refills", buffer_refill);
  t_run("merge: time order across CPUs, waiting for silent CPUs", merge_order);
  t_run("merge: bounded window and late records", merge_window);
}
