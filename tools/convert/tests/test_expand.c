// Unit tests of what version-3 records imply (vmt_expand) and of the stream that hands
// it out: each folded record gives back the records it replaces, in their places, and a
// recording with folded records converts to the same timeline as one with them apart.
// The same for version 5's unmaps of several pages.
#include <stdio.h>
#include <string.h>

#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_expand.h"
#include "tools/convert/vmt_stream.h"
#include "tools/convert/vmt_summary.h"

#define PA1 0x87654000ull
#define URW (0x2 | 0x4 | 0x10)   // PTE_R | PTE_W | PTE_U

// Expands r under a header of version v; the records out, and how many were implied.
static unsigned expand(uint32 v, struct vmt_record r, struct vmt_record *out, int *implied)
{
  struct vmt_header h = t_header(1);
  struct vmt_expand e;
  unsigned n = 0;
  h.version = v;
  vmt_expand_init(&e, &h);
  vmt_expand_push(&e, &r);
  while (n < VMT_EXPAND_MAX && vmt_expand_next(&e, &out[n], &implied[n]))
    n++;
  return n;
}

static int same_place(const struct vmt_record *a, const struct vmt_record *b)
{
  return a->ts == b->ts && a->seq == b->seq && a->pid == b->pid && a->cpu == b->cpu;
}

static void fault_end_implies(void)
{
  struct vmt_record end = RA(VMT_FAULT_END, 0, 3, 47,
                             VMT_OUT_MAPPED | VMT_END_KALLOC | VMT_END_MAP |
                                 URW << VMT_END_PERM_SHIFT, 0x5008, PA1);
  end.seq = 9;
  end.flags = VMT_SRC_KERNEL | 2 << VMT_AROUND_SHIFT;
  struct vmt_record o[VMT_EXPAND_MAX];
  int imp[VMT_EXPAND_MAX];
  unsigned n = expand(3, end, o, imp);
  CHECK(n == 3, "%u records, expected kalloc, map, end", n);
  CHECK(o[0].type == VMT_KALLOC && o[0].a == PA1 && o[0].b == 0 && o[0].arg == 0 &&
        o[0].flags == VMT_PAGE_DATA && imp[0], "implied kalloc of the data page");
  CHECK(o[1].type == VMT_MAP && o[1].a == 0x5000 && o[1].b == PA1 && o[1].arg == URW &&
        o[1].flags == 0 && imp[1], "implied map of the page, its permissions");
  CHECK(o[2].type == VMT_FAULT_END && o[2].arg == VMT_OUT_MAPPED && o[2].a == 0x5008 &&
        o[2].b == PA1 && o[2].flags == end.flags && !imp[2], "the end, its outcome alone");
  CHECK(same_place(&o[0], &end) && same_place(&o[1], &end) && same_place(&o[2], &end),
        "every record at the end's ts, seq, pid and cpu");
  end.arg = VMT_OUT_MAPPED | VMT_END_MAP | URW << VMT_END_PERM_SHIFT;   // kallocs not recorded
  n = expand(3, end, o, imp);
  CHECK(n == 2 && o[0].type == VMT_MAP && o[1].type == VMT_FAULT_END, "map alone");
  end.arg = VMT_OUT_MAPPED | VMT_END_KALLOC;                           // maps not recorded
  n = expand(3, end, o, imp);
  CHECK(n == 2 && o[0].type == VMT_KALLOC && o[1].type == VMT_FAULT_END, "kalloc alone");
}

static void map_and_unmap_imply(void)
{
  struct vmt_record o[VMT_EXPAND_MAX];
  int imp[VMT_EXPAND_MAX];
  struct vmt_record map = RA(VMT_MAP, 1, 4, 50, URW, 0x7000, PA1);
  map.flags = VMT_MAP_ALLOCATED;
  unsigned n = expand(3, map, o, imp);
  CHECK(n == 2 && o[0].type == VMT_KALLOC && o[0].a == PA1 && o[0].flags == VMT_PAGE_DATA &&
        imp[0] && same_place(&o[0], &map), "kalloc just before its map, at the map's place");
  CHECK(o[1].type == VMT_MAP && o[1].flags == 0 && o[1].arg == URW && o[1].a == 0x7000 &&
        !imp[1], "the map itself, its flag cleared");
  struct vmt_record unmap = RA(VMT_UNMAP, 1, 4, 60, URW | 1, 0x7000, PA1);
  unmap.flags = VMT_UNMAP_FREED;
  n = expand(3, unmap, o, imp);
  CHECK(n == 2 && o[0].type == VMT_UNMAP && o[0].flags == 0 && !imp[0], "the unmap first");
  CHECK(o[1].type == VMT_KFREE && o[1].a == PA1 && o[1].flags == VMT_PAGE_DATA && imp[1] &&
        same_place(&o[1], &unmap), "then its kfree, at the unmap's place");
}

// Version 4: a copy-on-write end keeps VMT_END_COW and its references; only the
// implication bits go.
static void cow_end_keeps_its_bits(void)
{
  struct vmt_record o[VMT_EXPAND_MAX];
  int imp[VMT_EXPAND_MAX];
  uint32 cow = VMT_END_COW | 3u << VMT_END_REFS_SHIFT;
  struct vmt_record end = RA(VMT_FAULT_END, 0, 3, 47,
                             VMT_OUT_COPIED | cow | VMT_END_KALLOC | VMT_END_MAP |
                                 URW << VMT_END_PERM_SHIFT, 0x5008, PA1);
  unsigned n = expand(4, end, o, imp);
  CHECK(n == 3 && o[0].type == VMT_KALLOC && o[1].type == VMT_MAP && o[1].arg == URW &&
        imp[0] && imp[1], "a copy's kalloc and map, implied");
  CHECK(o[2].arg == (VMT_OUT_COPIED | cow), "the end keeps outcome, COW and refs: 0x%x",
        o[2].arg);
  end.arg = VMT_OUT_TAKEN | VMT_END_COW | 1u << VMT_END_REFS_SHIFT;
  n = expand(4, end, o, imp);
  CHECK(n == 1 && o[0].arg == end.arg && !imp[0], "a take-over is only itself");
  end.arg = VMT_OUT_MAPPED | VMT_END_KALLOC | VMT_END_MAP | VMT_END_PERM_MASK << VMT_END_PERM_SHIFT;
  n = expand(3, end, o, imp);
  CHECK(n == 3 && o[2].arg == VMT_OUT_MAPPED, "version 3: the outcome alone, as before");
}

static void old_versions_pass_through(void)
{
  struct vmt_record o[VMT_EXPAND_MAX];
  int imp[VMT_EXPAND_MAX];
  struct vmt_record map = RA(VMT_MAP, 0, 4, 50, URW, 0x7000, PA1);
  map.flags = VMT_MAP_ALLOCATED;
  for (uint32 v = VMT_VERSION_OLDEST; v < 3; v++) {
    unsigned n = expand(v, map, o, imp);
    CHECK(n == 1 && memcmp(&o[0], &map, sizeof map) == 0 && !imp[0],
          "version %u: a record is only itself", v);
  }
}

// Frame numbers for packed unmaps: the last three fill their slots' 21 bits, so a slot
// that spilled into its neighbour (or into a's va, or arg's permissions) would show.
static const uint64 PFN[5] = { 0x87654, 0x80001, 0x1ffffd, 0x1ffffe, 0x1fffff };

// Checks that o[0 .. n-1] are the per-page unmaps (and kfrees if freed) of pages pages
// from va 0x10000 with frames PFN, each at r's place, only the first unmap written.
static int unmaps_expanded(const struct vmt_record *r, const struct vmt_record *o,
                           const int *imp, unsigned n, unsigned pages, int freed)
{
  unsigned k = 0;
  if (n != pages * (freed ? 2 : 1))
    return 0;
  for (unsigned i = 0; i < pages; i++) {
    const struct vmt_record *u = &o[k];
    if (u->type != VMT_UNMAP || u->flags != 0 || u->arg != URW ||
        u->a != 0x10000 + 0x1000ull * i || u->b != PFN[i] * 0x1000 || imp[k] != (i > 0) ||
        !same_place(u, r))
      return 0;
    k++;
    if (freed) {
      const struct vmt_record *f = &o[k];
      if (f->type != VMT_KFREE || f->flags != VMT_PAGE_DATA || f->a != PFN[i] * 0x1000 ||
          f->b != 0 || f->arg != 0 || !imp[k] || !same_place(f, r))
        return 0;
      k++;
    }
  }
  return 1;
}

// Version 5: an unmap of 1 to 5 pages gives each page's unmap, each with its kfree if
// freed, all at the record's ts, seq, pid and cpu; only the first is not implied.
static void packed_unmap_expands(void)
{
  struct vmt_record o[VMT_EXPAND_MAX];
  int imp[VMT_EXPAND_MAX];
  for (unsigned pages = 1; pages <= VMT_UNMAP_PAGES_MAX; pages++)
    for (int freed = 0; freed < 2; freed++) {
      struct vmt_record r = R_unmaps(1, 4, 70, URW, 0x10000, pages, freed, PFN);
      r.seq = 12;
      unsigned n = expand(5, r, o, imp);
      CHECK(unmaps_expanded(&r, o, imp, n, pages, freed),
            "%u pages, %s: %u records, not the unmaps of the pages in order", pages,
            freed ? "freed" : "kept", n);
    }
  CHECK(VMT_EXPAND_MAX == 10, "room for 5 unmaps and 5 kfrees: %d", VMT_EXPAND_MAX);
}

// The slots as the format's macros write and read them are the layout R_unmaps spells
// out by hand: slots 0-2 in b, 3 at the top of a, 4 above arg's permissions.
static void packed_unmap_layout(void)
{
  struct vmt_record r = R_unmaps(0, 4, 70, URW, 0x10000, 5, 1, PFN);
  uint32 arg = URW;
  uint64 a = 0x10000, b = 0;
  for (unsigned i = 0; i < 5; i++)
    VMT_UNMAP_PUT(i, PFN[i], &arg, &a, &b);
  CHECK(arg == r.arg && a == r.a && b == r.b, "VMT_UNMAP_PUT: arg 0x%x a 0x%llx b 0x%llx", arg,
        (unsigned long long)a, (unsigned long long)b);
  CHECK(r.a >> 39 == 0x1ffffe && r.arg >> 10 == 0x1fffff && (r.arg & 0x3ff) == URW &&
        (r.a & ((1ull << 39) - 1)) == 0x10000, "slots 3 and 4 at the top of a and arg");
  for (unsigned i = 0; i < 5; i++)
    CHECK(VMT_UNMAP_SLOT(i, r.arg, r.a, r.b) == PFN[i], "slot %u reads 0x%llx", i,
          (unsigned long long)VMT_UNMAP_SLOT(i, r.arg, r.a, r.b));
}

// pid 3's exit unmaps seven pages: five freed, then two kept (another process maps them:
// read-only text). Packed: two version-5 records; apart: a record per unmap and kfree,
// as a version-4 kernel wrote them, at the times the expansion gives.
// Convert a recording with every record written apart and the same events in fewer
// records (both freed here): both must convert cleanly to the same bytes. *t gets the
// second's timeline, for the caller's own checks and t_trace_free.
static void same_timeline(struct rec *apart, struct rec *fewer, struct t_trace *t)
{
  struct t_trace ta;
  t_convert(&ta, apart, NULL);
  t_convert(t, fewer, NULL);
  rec_free(apart);
  rec_free(fewer);
  CHECK(ta.rc == 0 && t->rc == 0 && ta.violations == 0 && t->violations == 0,
        "both convert cleanly: %s %s", ta.err, t->err);
  CHECK(ta.len == t->len && memcmp(ta.json, t->json, ta.len) == 0,
        "the two timelines differ (%zu and %zu bytes)", ta.len, t->len);
  t_trace_free(&ta);
}

// What a test looks at in each record the stream hands out: its offset in the file and
// whether the stream implied it (ctx: the test's own tallies).
typedef void (*visit_fn)(const struct vmt_record *r, uint64 off, int implied, void *ctx);

// Read recording b (freed here) through the stream as vmtcheck does: each record to
// visit and into *sum; *nrec gets how many records the file holds. Returns 0 if the
// stream ended cleanly, else -1.
static int stream_through(struct rec *b, struct vmt_summary *sum, visit_fn visit, void *ctx,
                          uint64 *nrec)
{
  FILE *f = fmemopen(b->data, b->len, "rb");
  struct vmt_stream s;
  struct vmt_record r;
  uint64 off;
  int got = -1;
  memset(sum, 0, sizeof(*sum));
  if (vmt_stream_open(&s, f, 64) == 0) {
    vmt_summary_init(sum, &s.rd.hdr);
    while ((got = vmt_stream_next(&s, &r, &off)) > 0) {
      visit(&r, off, s.implied, ctx);
      vmt_summary_add(sum, &r, s.implied);
    }
  }
  if (got != 0)
    fprintf(stderr, "stream error: %s\n", s.err ? s.err : "");
  vmt_stream_close(&s);
  fclose(f);
  *nrec = (b->len - sizeof(struct vmt_header)) / sizeof(struct vmt_record);
  rec_free(b);
  return got == 0 ? 0 : -1;
}

static void exit_recording(struct rec *b, int packed)
{
  static const uint64 kept[2] = { 0x80010, 0x80011 };
  *b = t_recording(1);
  rec_add(b, R(VMT_SWITCH, 0, 3, 10));
  rec_add(b, R_exec(0, 3, 20, "packs"));
  for (unsigned i = 0; i < 5; i++) {
    struct vmt_record m = RA(VMT_MAP, 0, 3, 30 + i, URW, 0x10000 + 0x1000 * i, PFN[i] * 0x1000);
    m.flags = VMT_MAP_ALLOCATED;
    rec_add(b, m);
  }
  for (unsigned i = 0; i < 2; i++)
    rec_add(b, RA(VMT_MAP, 0, 3, 40 + i, 0x2 | 0x8 | 0x10, 0x1000 * (i + 1), kept[i] * 0x1000));
  if (packed) {
    rec_add(b, R_unmaps(0, 3, 50, 0x2 | 0x8 | 0x10, 0x1000, 2, 0, kept));
    rec_add(b, R_unmaps(0, 3, 51, URW, 0x10000, 5, 1, PFN));
  } else {
    for (unsigned i = 0; i < 2; i++)
      rec_add(b, RA(VMT_UNMAP, 0, 3, 50, 0x2 | 0x8 | 0x10, 0x1000 * (i + 1), kept[i] * 0x1000));
    for (unsigned i = 0; i < 5; i++) {
      rec_add(b, RA(VMT_UNMAP, 0, 3, 51, URW, 0x10000 + 0x1000 * i, PFN[i] * 0x1000));
      rec_add(b, RA(VMT_KFREE, 0, 3, 51, 0, PFN[i] * 0x1000, 0));
    }
  }
  rec_add(b, RA(VMT_EXIT, 0, 3, 60, 0, 0, 0));
}

static void packed_converts_the_same(void)
{
  struct rec apart, packed;
  struct t_trace tp;
  exit_recording(&apart, 0);
  exit_recording(&packed, 1);
  CHECK(packed.len + 10 * sizeof(struct vmt_record) == apart.len, "packing saves 10 records");
  same_timeline(&apart, &packed, &tp);
  const struct t_event *run = t_find(&tp, 'X', "unmap+kfree", 3, 0);
  CHECK(run && t_arg(run, "pages") && strcmp(t_arg(run, "pages"), "5") == 0,
        "the five freed pages are one unmap+kfree run on the timeline");
  t_trace_free(&tp);
}

// Through the stream as vmtcheck counts: every page's unmap and kfree by type, only the
// two written records as records, and each packed record's first unmap with its seq.
struct packed_tally {
  uint64 unmap_off[2];
  uint32 seq;
  int written_unmaps, places_ok, seq_ok, first;
};

static void tally_packed(const struct vmt_record *r, uint64 off, int implied, void *ctx)
{
  struct packed_tally *t = ctx;
  if (!implied) {            // written records: seq without a gap, as vmtcheck wants
    t->seq_ok &= t->first || r->seq == t->seq + 1;
    t->seq = r->seq;
    t->first = 0;
  }
  if (r->type == VMT_UNMAP && !implied && t->written_unmaps < 2)
    t->unmap_off[t->written_unmaps++] = off;
  else if (r->type == VMT_UNMAP || r->type == VMT_KFREE)
    t->places_ok &= t->written_unmaps > 0 && implied &&
                    off == t->unmap_off[t->written_unmaps - 1];
}

static void packed_stream_counts(void)
{
  struct rec b;
  exit_recording(&b, 1);
  struct vmt_summary sum;
  struct packed_tally t = { .places_ok = 1, .seq_ok = 1, .first = 1 };
  uint64 nrec;
  CHECK(stream_through(&b, &sum, tally_packed, &t, &nrec) == 0, "the stream ends cleanly");
  CHECK(sum.records == nrec && sum.implied == 1 + 5 + 4 + 5,
        "%llu written of %llu, %llu implied", (unsigned long long)sum.records,
        (unsigned long long)nrec, (unsigned long long)sum.implied);
  CHECK(t.written_unmaps == 2 && t.seq_ok, "the written records' seqs run without a gap");
  CHECK(t.places_ok, "an implied unmap or kfree carries the offset of the record implying it");
  CHECK(vmt_summary_total(&sum, VMT_UNMAP) == 7 && vmt_summary_total(&sum, VMT_KFREE) == 5 &&
        vmt_summary_total(&sum, VMT_KALLOC) == 5, "counts by type");
  CHECK(vmt_summary_free_end(&sum) == (long long)sum.h.free_pages, "free pages at the end");
}

// pid 3: a lazy fault, a fault-around fault with one extra page, two unmaps with frees;
// folded: with the version-3 implications, else every record apart, at the times the
// expansion gives them.
static void fault_recording(struct rec *b, int folded)
{
  *b = t_recording(1);
  rec_add(b, R(VMT_SWITCH, 0, 3, 10));
  rec_add(b, R_exec(0, 3, 20, "lazy"));
  rec_add(b, RA(VMT_SBRK, 0, 3, 30, 0, 0x4000, 0x8000));
  rec_add(b, RA(VMT_FAULT_BEGIN, 0, 3, 40, 15, 0x5008, 0x1f0));
  struct vmt_record pt = RA(VMT_KALLOC, 0, 3, 43, 0, PA1 + 0x7000, 0);
  pt.flags = VMT_PAGE_TABLE;                  // page-table pages stay records of their own
  rec_add(b, pt);
  uint32 implies = VMT_END_KALLOC | VMT_END_MAP | URW << VMT_END_PERM_SHIFT;
  if (!folded) {
    rec_add(b, RA(VMT_KALLOC, 0, 3, 47, 0, PA1, 0));
    rec_add(b, RA(VMT_MAP, 0, 3, 47, URW, 0x5000, PA1));
  }
  rec_add(b, RA(VMT_FAULT_END, 0, 3, 47, VMT_OUT_MAPPED | (folded ? implies : 0), 0x5008, PA1));
  rec_add(b, RA(VMT_FAULT_BEGIN, 0, 3, 50, 15, 0x6010, 0x1f0));
  struct vmt_record around = RA(VMT_MAP, 0, 3, 52, URW, 0x7000, PA1 + 0x2000);
  if (folded)
    around.flags = VMT_MAP_ALLOCATED;
  else
    rec_add(b, RA(VMT_KALLOC, 0, 3, 52, 0, PA1 + 0x2000, 0));
  rec_add(b, around);
  if (!folded) {
    rec_add(b, RA(VMT_KALLOC, 0, 3, 55, 0, PA1 + 0x1000, 0));
    rec_add(b, RA(VMT_MAP, 0, 3, 55, URW, 0x6000, PA1 + 0x1000));
  }
  struct vmt_record end = RA(VMT_FAULT_END, 0, 3, 55, VMT_OUT_MAPPED | (folded ? implies : 0),
                             0x6010, PA1 + 0x1000);
  end.flags = 1 << VMT_AROUND_SHIFT;
  rec_add(b, end);
  for (int i = 0; i < 2; i++) {
    struct vmt_record u = RA(VMT_UNMAP, 0, 3, 60 + i, URW | 1, 0x5000 + 0x1000 * i,
                             PA1 + 0x1000 * i);
    u.flags = folded ? VMT_UNMAP_FREED : 0;
    rec_add(b, u);
    if (!folded)
      rec_add(b, RA(VMT_KFREE, 0, 3, 60 + i, 0, PA1 + 0x1000 * i, 0));
  }
}

static void folded_converts_the_same(void)
{
  struct rec apart, folded;
  struct t_trace tf;
  fault_recording(&apart, 0);
  fault_recording(&folded, 1);
  CHECK(folded.len < apart.len, "folding saves records");
  same_timeline(&apart, &folded, &tf);
  CHECK(tf.n > 10 && t_count(&tf, 'X', "kalloc", 3) == 4 && t_count(&tf, 'X', "map", 3) == 3,
        "the folded pages are on the timeline: %zu kallocs, %zu maps",
        t_count(&tf, 'X', "kalloc", 3), t_count(&tf, 'X', "map", 3));
  t_trace_free(&tf);
}

// Counts through the stream as vmtcheck makes them: by type with the implied records,
// records as written, and no sequence gap where an implied record has none.
struct folded_tally {
  uint64 written, written_off;
  int offsets_ok;
};

static void tally_folded(const struct vmt_record *r, uint64 off, int implied, void *ctx)
{
  struct folded_tally *t = ctx;
  t->written += !implied;
  if (!implied)
    t->written_off = off;
  else if (r->type == VMT_KFREE)      // after its unmap: the offset just handed out
    t->offsets_ok &= off == t->written_off;
}

static void stream_counts(void)
{
  struct rec b;
  fault_recording(&b, 1);
  struct vmt_summary sum;
  struct folded_tally t = { .offsets_ok = 1 };
  uint64 nrec;
  CHECK(stream_through(&b, &sum, tally_folded, &t, &nrec) == 0, "the stream ends cleanly");
  CHECK(t.written == nrec && sum.records == nrec && sum.implied == 7,
        "%llu written of %llu, %llu implied", (unsigned long long)t.written,
        (unsigned long long)nrec, (unsigned long long)sum.implied);
  CHECK(t.offsets_ok, "an implied kfree carries the offset of the unmap implying it");
  CHECK(vmt_summary_total(&sum, VMT_KALLOC) == 4 && vmt_summary_total(&sum, VMT_KFREE) == 2 &&
        vmt_summary_total(&sum, VMT_MAP) == 3 && vmt_summary_total(&sum, VMT_UNMAP) == 2,
        "counts by type");
  CHECK(sum.in_fault[VMT_KALLOC] == 3 && sum.in_fault[VMT_MAP] == 3 && sum.ptpages_in_fault == 1,
        "a fault's implied kalloc and map count inside it: %llu, %llu",
        (unsigned long long)sum.in_fault[VMT_KALLOC], (unsigned long long)sum.in_fault[VMT_MAP]);
  CHECK(vmt_summary_free_end(&sum) == (long long)sum.h.free_pages - 2, "free pages at the end");
}

void tests_expand(void)
{
  t_run("expand: a fault's end gives its kalloc and map back, before it", fault_end_implies);
  t_run("expand: a map's kalloc before it, an unmap's kfree after it", map_and_unmap_imply);
  t_run("expand: a copy-on-write end keeps COW and its references", cow_end_keeps_its_bits);
  t_run("expand: versions 1 and 2 are read as written", old_versions_pass_through);
  t_run("expand: folded records convert to the same timeline", folded_converts_the_same);
  t_run("expand: counts through the stream", stream_counts);
  t_run("expand: an unmap of 1 to 5 pages, freed or not, gives each page's unmap",
        packed_unmap_expands);
  t_run("expand: a packed unmap's frame slots, 3 and 4 at the top of a and arg",
        packed_unmap_layout);
  t_run("expand: packed unmaps convert to the same timeline as unmaps apart",
        packed_converts_the_same);
  t_run("expand: packed unmaps through the stream: counts, seqs, offsets", packed_stream_counts);
}
