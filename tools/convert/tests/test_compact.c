// Unit tests of what keeps the converter's JSON small, through whole conversions: counter
// tracks thinned (with their last values right even for processes the table forgets),
// and page events outside faults paired into one slice, runs of pairs into one.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_perfetto.h"
#include "tools/convert/vmt_tracks.h"

#define PA(i) (0x80000000ull + (uint64)(i) * 4096)
#define URW (VMT_PTE_R | VMT_PTE_W | VMT_PTE_U)

static struct vmt_filter counters_every(uint64 ns)
{
  struct vmt_filter f;
  vmt_filter_all(&f);
  f.counter_ns = ns;
  return f;
}

// The value of the last counter sample name on pid, or -1.
static long long last_value(const struct t_trace *t, const char *name, long long pid)
{
  size_t n = t_count(t, 'C', name, pid);
  return n ? atoll(t_arg(t_find(t, 'C', name, pid, (int)n - 1), "pages")) : -1;
}

static long long max_value(const struct t_trace *t, const char *name, long long pid)
{
  long long m = -1;
  for (int i = 0; t_find(t, 'C', name, pid, i); i++) {
    long long v = atoll(t_arg(t_find(t, 'C', name, pid, i), "pages"));
    m = v > m ? v : m;
  }
  return m;
}

// pid 3 allocates and maps 500 pages, one per microsecond; after a pause it exits and
// its parent, pid 2, unmaps and frees them all.
static void grow_and_free(struct rec *b)
{
  struct vmt_header h = t_header(1);
  rec_header(b, &h);
  rec_add(b, RA(VMT_FORK, 0, 2, 1, 3, 0, 0));
  for (uint64 i = 0; i < 500; i++) {
    rec_add(b, RA(VMT_KALLOC, 0, 3, 100 + 10 * i, 0, PA(i), 0));
    rec_add(b, RA(VMT_MAP, 0, 3, 105 + 10 * i, URW, 0x1000 * i, PA(i)));
  }
  rec_add(b, RA(VMT_EXIT, 0, 3, 200000, 0, 0, 0));
  for (uint64 i = 0; i < 500; i++) {
    rec_add(b, RA(VMT_UNMAP, 0, 2, 200100 + 10 * i, URW, 0x1000 * i, PA(i)));
    rec_add(b, RA(VMT_KFREE, 0, 2, 200103 + 10 * i, 0, PA(i), 0));
  }
}

static void thinned_counters(void)
{
  struct rec b = { 0 };
  struct t_trace t, all;
  struct vmt_filter f = counters_every(100000);
  grow_and_free(&b);
  t_convert(&all, &b, NULL);
  t_convert(&t, &b, &f);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  CHECK(t_count(&all, 'C', "free", VMT_KPID) == 1001, "unthinned: a sample per change");
  size_t nfree = t_count(&t, 'C', "free", VMT_KPID), nres = t_count(&t, 'C', "resident", 3);
  CHECK(nfree >= 4 && nfree <= 30, "%zu free samples over 2 x 500 us at 100 us", nfree);
  CHECK(nres >= 3 && nres <= 30, "%zu resident samples", nres);
  CHECK(last_value(&t, "free", VMT_KPID) == 1000 && last_value(&t, "resident", 3) == 0,
        "counters end at their last values");
  CHECK(max_value(&t, "resident", 3) == 500, "the peak is kept");
  int before_pause = 0;
  for (int i = 0; t_find(&t, 'C', "free", VMT_KPID, i); i++) {
    const struct t_event *e = t_find(&t, 'C', "free", VMT_KPID, i);
    before_pause |= e->ts == 509000 && strcmp(t_arg(e, "pages"), "500") == 0;
  }
  CHECK(before_pause, "the value before the pause, at the last kalloc's time");
  t_trace_free(&t);
  t_trace_free(&all);
}

// 2000 short-lived processes, each mapping two pages a tenth of a microsecond apart,
// exiting, and having one page unmapped under its pid (as the kernel tears a child
// down): the last resident value and the unmap (waiting for a kfree) are held when the
// process table forgets the process, and must still be written.
static void forgotten_processes(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  struct vmt_filter f = counters_every(100000);
  for (uint32 pid = 10; pid < 2010; pid++) {
    uint64 tick = 10 * (uint64)pid;
    rec_add(&b, RA(VMT_MAP, 0, pid, tick, URW, 0x1000, PA(2 * pid)));
    rec_add(&b, RA(VMT_MAP, 0, pid, tick + 1, URW, 0x2000, PA(2 * pid + 1)));
    rec_add(&b, RA(VMT_EXIT, 0, pid, tick + 2, 0, 0, 0));
    rec_add(&b, RA(VMT_UNMAP, 0, pid, tick + 3, URW, 0x1000, PA(2 * pid)));
  }
  t_convert(&t, &b, &f);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  CHECK(!strstr(t.json, "\"processes_forgotten\":0"), "the table forgot processes");
  for (uint32 pid = 10; pid < 2010; pid++) {
    CHECK(last_value(&t, "resident", pid) == 1 && max_value(&t, "resident", pid) == 2,
          "pid %u ends at %lld resident pages", pid, last_value(&t, "resident", pid));
    CHECK(t_find(&t, 'I', "unmap", pid, 0), "pid %u: its unmap is written", pid);
  }
  t_trace_free(&t);
}

// pid 3 on cpu 0, the kernel on cpu 1, pid 4 on cpu 2 torn down after its exit.
static void pairs_recording(struct rec *b)
{
  struct vmt_header h = t_header(3);
  rec_header(b, &h);
  rec_add(b, RA(VMT_FORK, 0, 2, 1, 3, 0, 0));
  rec_add(b, RA(VMT_KALLOC, 0, 3, 10, 0, PA(1), 0));
  rec_add(b, RA(VMT_MAP, 0, 3, 12, URW, 0x1000, PA(1)));          // pair
  struct vmt_record pt = RA(VMT_KALLOC, 0, 3, 20, 0, PA(2), 0);
  pt.flags = VMT_PAGE_TABLE;
  rec_add(b, pt);                                                  // alone: a page table
  rec_add(b, RA(VMT_KALLOC, 0, 3, 30, 0, PA(3), 0));
  rec_add(b, RA(VMT_MAP, 0, 3, 31, URW, 0x4000, PA(4)));          // another page: alone
  rec_add(b, RA(VMT_UNMAP, 0, 3, 40, URW, 0x1000, PA(1)));
  rec_add(b, RA(VMT_KFREE, 0, 3, 41, 0, PA(1), 0));                // pair
  rec_add(b, RA(VMT_UNMAP, 0, 3, 41, URW, 0x4000, PA(4)));
  rec_add(b, RA(VMT_KFREE, 0, 3, 43, 0, PA(4), 0));                // pair, touching, no run
  rec_add(b, RA(VMT_UNMAP, 0, 3, 50, URW, 0x3000, PA(5)));
  rec_add(b, RA(VMT_SBRK, 0, 3, 51, 0, 0x4000, 0x3000));           // breaks it
  rec_add(b, RA(VMT_KALLOC, 0, 3, 60, 0, PA(6), 0));
  rec_add(b, RA(VMT_FAULT_BEGIN, 0, 3, 61, 13, 0x5000, 0x100));   // breaks it
  rec_add(b, RA(VMT_KALLOC, 0, 3, 62, 0, PA(7), 0));
  rec_add(b, RA(VMT_MAP, 0, 3, 63, URW, 0x5000, PA(7)));          // nested, not paired
  rec_add(b, RA(VMT_FAULT_END, 0, 3, 64, VMT_OUT_MAPPED, 0x5000, PA(7)));
  rec_add(b, RA(VMT_KALLOC, 1, 0, 70, 0, PA(8), 0));
  rec_add(b, RA(VMT_MAP, 1, 0, 71, VMT_PTE_R | VMT_PTE_W, 0x9000, PA(8)));   // kernel pair
  rec_add(b, RA(VMT_EXIT, 2, 4, 80, 0, 0, 0));
  rec_add(b, RA(VMT_UNMAP, 2, 4, 81, URW, 0x1000, PA(9)));
  rec_add(b, RA(VMT_KFREE, 2, 4, 82, 0, PA(9), 0));                // exited: still a pair
  rec_add(b, RA(VMT_FAULT_BEGIN, 0, 3, 84, 13, 0x7000, 0x100));
  for (int i = 0; i < VMT_FAULT_KIDS; i++)
    rec_add(b, RA(VMT_UNMAP, 0, 3, 85, URW, 0x8000, PA(20 + i)));  // fills the fault
  rec_add(b, RA(VMT_KALLOC, 0, 3, 86, 0, PA(11), 0));
  rec_add(b, RA(VMT_MAP, 0, 3, 87, URW, 0x7000, PA(11)));         // in a fault: not paired
  rec_add(b, RA(VMT_FAULT_END, 0, 3, 88, VMT_OUT_MAPPED, 0x7000, PA(11)));
  rec_add(b, RA(VMT_UNMAP, 0, 3, 90, URW, 0x6000, PA(10)));       // held at the end
}

static void page_pairs(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  pairs_recording(&b);
  t_convert(&t, &b, NULL);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *a = t_find(&t, 'X', "kalloc+map", 3, 0);
  CHECK(a && a->tid == 3 && a->ts == 1000 && a->dur == 200, "kalloc+map from kalloc to map");
  CHECK(strcmp(t_arg(a, "va"), "0x1000") == 0 && strcmp(t_arg(a, "pa"), "0x80001000") == 0 &&
        strcmp(t_arg(a, "perm"), "rw-u") == 0, "with the map's va, pa and permissions");
  const struct t_event *f0 = t_find(&t, 'X', "unmap+kfree", 3, 0),
                       *f1 = t_find(&t, 'X', "unmap+kfree", 3, 1);
  CHECK(f0 && f0->ts == 4000 && f0->dur == 100 && strcmp(t_arg(f0, "va"), "0x1000") == 0,
        "unmap+kfree from unmap to kfree");
  CHECK(f1 && f1->ts == 4101 && f1->dur == 199 && strcmp(t_arg(f1, "pa"), "0x80004000") == 0 &&
        !t_arg(f1, "pages"), "a touching pair starts 1 ns later; a lone pair has its pa");
  CHECK(t_count(&t, 'X', "kalloc+map", 3) == 1 && t_count(&t, 'X', "unmap+kfree", 3) == 2,
        "only partners pair");
  const struct t_event *pt = t_find(&t, 'I', "kalloc", 3, 0);
  CHECK(pt && pt->ts == 2000 && strcmp(t_arg(pt, "use"), "page table") == 0,
        "a page-table page stands alone");
  CHECK(t_find(&t, 'I', "kalloc", 3, 1) && t_find(&t, 'I', "map", 3, 0),
        "a kalloc and a map of another page stay instants");
  const struct t_event *u = t_find(&t, 'I', "unmap", 3, 0);
  CHECK(u && u->ts == 5000 && strcmp(t_arg(u, "pa"), "0x80005000") == 0,
        "an unmap followed by something else stays an instant");
  CHECK(t_find(&t, 'I', "kalloc", 3, 2) && t_find(&t, 'X', "map", 3, 0) &&
        t_count(&t, 'I', "kalloc", 3) == 4, "no pair across a fault's begin or inside it");
  const struct t_event *k = t_find(&t, 'X', "kalloc+map", VMT_KPID, 0);
  CHECK(k && k->tid == VMT_KCTX_TID(1) && strcmp(t_arg(k, "perm"), "rw--") == 0,
        "the kernel's tracks pair too");
  CHECK(t_find(&t, 'X', "unmap+kfree", 4, 0), "an exited process's teardown pairs too");
  CHECK(t_find(&t, 'I', "kalloc", 3, 3) && t_find(&t, 'I', "map", 3, 1),
        "no pair inside a fault, even past its list of events");
  const struct t_event *end = t_find(&t, 'I', "unmap", 3, 1);
  CHECK(end && end->ts == 9000, "an event held at the end is written");
  t_trace_free(&t);
  struct vmt_filter f;
  vmt_filter_all(&f);
  vmt_types_parse_list("kalloc,kfree,unmap", &f.types, (char[8]){ 0 }, 8);
  t_convert(&t, &b, &f);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  CHECK(!t_find(&t, 'X', "kalloc+map", -1, 0) && t_find(&t, 'I', "kalloc", 3, 0) &&
        t_find(&t, 'X', "unmap+kfree", 3, 0), "no pair with a hidden partner");
  t_trace_free(&t);
}

static void unmap_kfree(struct rec *b, unsigned cpu, uint32 pid, uint64 tick, uint64 va,
                        uint32 perm, unsigned page)
{
  rec_add(b, RA(VMT_UNMAP, cpu, pid, tick, perm, va, PA(page)));
  rec_add(b, RA(VMT_KFREE, cpu, pid, tick + 1, 0, PA(page), 0));
}

static void kalloc_map(struct rec *b, uint32 pid, uint64 tick, uint64 va, uint32 perm,
                       unsigned page)
{
  rec_add(b, RA(VMT_KALLOC, 0, pid, tick, 0, PA(page), 0));
  rec_add(b, RA(VMT_MAP, 0, pid, tick + 1, perm, va, PA(page)));
}

#define URX (VMT_PTE_R | VMT_PTE_X | VMT_PTE_U)

// Runs of pairs on pid 3 (cpu 0), and pid 4 (cpu 1) tearing down in between; the
// comments name the slices page_runs expects.
static void runs_recording(struct rec *b)
{
  struct vmt_header h = t_header(2);
  rec_header(b, &h);
  unmap_kfree(b, 0, 3, 10, 0x1000, URW, 1);     // A: 3 pages, pid 4's pairs in between
  unmap_kfree(b, 1, 4, 12, 0x1000, URW, 30);    // pid 4: 2 pages
  unmap_kfree(b, 0, 3, 14, 0x2000, URW, 2);
  unmap_kfree(b, 1, 4, 16, 0x2000, URW, 31);
  unmap_kfree(b, 0, 3, 18, 0x3000, URW, 3);
  rec_add(b, RA(VMT_SBRK, 0, 3, 20, 0, 0x6000, 0x4000));
  unmap_kfree(b, 0, 3, 22, 0x4000, URW, 4);     // B: 2 pages, after another event
  unmap_kfree(b, 0, 3, 24, 0x5000, URW, 5);
  unmap_kfree(b, 0, 3, 26, 0x6000, URX, 6);     // C: other permissions
  unmap_kfree(b, 0, 3, 28, 0x8000, URX, 8);     // D: a page skipped
  unmap_kfree(b, 0, 3, 30, 0x7000, URX, 7);     // E: a page down
  kalloc_map(b, 3, 32, 0x8000, URX, 10);        // G: 3 pages, the other kind
  kalloc_map(b, 3, 34, 0x9000, URX, 11);
  kalloc_map(b, 3, 36, 0xa000, URX, 12);
  kalloc_map(b, 3, 38, 0xc000, URX, 13);        // H: a page skipped, seen at the map
  rec_add(b, RA(VMT_KALLOC, 0, 3, 40, 0, PA(14), 0));
  rec_add(b, RA(VMT_KFREE, 0, 3, 41, 0, PA(15), 0));   // not its partner: two instants
  unmap_kfree(b, 0, 3, 50, 0x1000, URW, 1);     // F: 2 pages, still open at the end
  unmap_kfree(b, 0, 3, 52, 0x2000, URW, 2);
}

// Checks slice i named name on pid: ts and dur in ticks, first va, pages, perm; a run of
// one page has its pa instead of pages.
static int is_run(const struct t_trace *t, const char *name, int pid, int i, long long ts,
                  long long dur, const char *va, unsigned pages, const char *perm)
{
  const struct t_event *e = t_find(t, 'X', name, pid, i);
  char n[16];
  snprintf(n, sizeof n, "%u", pages);
  if (!e || e->ts != ts * 100 || e->dur != dur * 100 || strcmp(t_arg(e, "va"), va) != 0 ||
      strcmp(t_arg(e, "perm"), perm) != 0)
    return 0;
  if (pages == 1)
    return t_arg(e, "pa") && !t_arg(e, "pages");
  return !t_arg(e, "pa") && t_arg(e, "pages") && strcmp(t_arg(e, "pages"), n) == 0;
}

static void page_runs(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  runs_recording(&b);
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  CHECK(is_run(&t, "unmap+kfree", 3, 0, 10, 9, "0x1000", 3, "rw-u"),
        "3 pairs in a row are one slice, other tracks' events in between or not");
  CHECK(is_run(&t, "unmap+kfree", 4, 0, 12, 5, "0x1000", 2, "rw-u") &&
        t_count(&t, 'X', "unmap+kfree", 4) == 1, "another track's pairs are its own run");
  CHECK(is_run(&t, "unmap+kfree", 3, 1, 22, 3, "0x4000", 2, "rw-u"),
        "another event on the track ends a run");
  CHECK(is_run(&t, "unmap+kfree", 3, 2, 26, 1, "0x6000", 1, "r-xu"),
        "other permissions end a run; a run of one is a pair with its pa");
  CHECK(is_run(&t, "unmap+kfree", 3, 3, 28, 1, "0x8000", 1, "r-xu"), "a skipped page ends it");
  CHECK(is_run(&t, "unmap+kfree", 3, 4, 30, 1, "0x7000", 1, "r-xu"), "so does a page down");
  CHECK(is_run(&t, "kalloc+map", 3, 0, 32, 5, "0x8000", 3, "r-xu"),
        "kalloc+map pairs run too, and apart from unmap+kfree");
  CHECK(is_run(&t, "kalloc+map", 3, 1, 38, 1, "0xc000", 1, "r-xu"),
        "a kalloc+map that skips a page starts a new run");
  const struct t_event *k = t_find(&t, 'I', "kalloc", 3, 0);
  CHECK(k && k->ts == 4000 && t_find(&t, 'I', "kfree", 3, 0) &&
        k > t_find(&t, 'X', "kalloc+map", 3, 1), "a broken pair after a run: written after it");
  CHECK(is_run(&t, "unmap+kfree", 3, 5, 50, 3, "0x1000", 2, "rw-u") &&
        t_count(&t, 'X', "unmap+kfree", 3) == 6, "a run open at the end is written");
  t_trace_free(&t);
}

// 2000 short-lived processes torn down under their own pids after EXIT, each a run of
// two pages: the table forgets them while their runs are open; each run is written.
static void forgotten_runs(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  for (uint32 pid = 10; pid < 2010; pid++) {
    uint64 tick = 10 * (uint64)pid;
    rec_add(&b, RA(VMT_EXIT, 0, pid, tick, 0, 0, 0));
    unmap_kfree(&b, 0, pid, tick + 1, 0x1000, URW, 2 * pid);
    unmap_kfree(&b, 0, pid, tick + 3, 0x2000, URW, 2 * pid + 1);
  }
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  CHECK(!strstr(t.json, "\"processes_forgotten\":0"), "the table forgot processes");
  for (uint32 pid = 10; pid < 2010; pid++)
    CHECK(t_count(&t, 'X', "unmap+kfree", pid) == 1 &&
          is_run(&t, "unmap+kfree", pid, 0, 10 * pid + 1, 3, "0x1000", 2, "rw-u"),
          "pid %u: its run is written", pid);
  t_trace_free(&t);
}

void tests_compact(void)
{
  t_run("compact: counters thinned, peaks, pauses and last values kept", thinned_counters);
  t_run("compact: what forgotten processes hold back (counters, an unmap) is written",
        forgotten_processes);
  t_run("compact: kalloc+map and unmap+kfree pairs outside faults", page_pairs);
  t_run("compact: runs of pairs, page after page, as one slice", page_runs);
  t_run("compact: runs open when the table forgets their process are written", forgotten_runs);
}
