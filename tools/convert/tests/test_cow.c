// Unit tests of copy-on-write fork on the timeline (format version 4): a fork's shares as
// one fork slice, copy-on-write faults as their own slices with an arrow from that fork,
// and the resident and "cow shared" counters when several processes map one frame.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_tracks.h"

#define PA1 0x87654000ull
#define PA2 0x87700000ull
#define URW (VMT_PTE_R | VMT_PTE_W | VMT_PTE_U)
#define RXU (VMT_PTE_R | VMT_PTE_X | VMT_PTE_U)
#define RCOW (VMT_PTE_R | VMT_PTE_U | VMT_PTE_COW)

static struct vmt_record share(uint32 child, uint32 parent, uint64 tick, uint64 va,
                               uint64 pages, int cow)
{
  struct vmt_record r = RA(VMT_SHARE, 0, child, tick, parent, va, pages);
  r.flags = cow ? VMT_SHARE_COW : 0;
  return r;
}

static struct vmt_record begin(uint32 pid, uint64 tick, uint64 va)
{
  struct vmt_record r = RA(VMT_FAULT_BEGIN, 0, pid, tick, 15, va, 0x1f0);
  r.flags = VMT_ACC_WRITE << 4;
  return r;
}

static uint32 cow_end(unsigned outcome, unsigned refs)
{
  return outcome | VMT_END_COW | refs << VMT_END_REFS_SHIFT;
}

// pid 3 maps a text page and two heap pages, forks pid 4 copy-on-write; pid 4 writes
// the first heap page (copied: its frame had 2 references), exits and is torn down; pid
// 3 then writes the second heap page, which no one else holds any more (taken).
static void cow_recording(struct rec *b, int folded)
{
  *b = t_recording(1);
  rec_add(b, R(VMT_SWITCH, 0, 3, 10));
  rec_add(b, RA(VMT_MAP, 0, 3, 11, RXU, 0x1000, PA1 + 0x9000));
  rec_add(b, RA(VMT_MAP, 0, 3, 12, URW, 0x4000, PA1));
  rec_add(b, RA(VMT_MAP, 0, 3, 13, URW, 0x5000, PA1 + 0x1000));
  rec_add(b, share(4, 3, 20, 0x1000, 1, 0));
  rec_add(b, share(4, 3, 21, 0x4000, 2, 1));
  rec_add(b, RA(VMT_FORK, 0, 3, 30, 4, 0, 0));
  rec_add(b, R(VMT_SWITCH, 0, 4, 40));
  rec_add(b, begin(4, 50, 0x4008));
  rec_add(b, RA(VMT_UNMAP, 0, 4, 52, RCOW, 0x4000, PA1));
  if (!folded) {                      // where the end's implications put them
    rec_add(b, RA(VMT_KALLOC, 0, 4, 53, 0, PA2, 0));
    rec_add(b, RA(VMT_MAP, 0, 4, 53, URW, 0x4000, PA2));
  }
  uint32 implies = VMT_END_KALLOC | VMT_END_MAP | URW << VMT_END_PERM_SHIFT;
  rec_add(b, RA(VMT_FAULT_END, 0, 4, 53, cow_end(VMT_OUT_COPIED, 2) | (folded ? implies : 0),
                0x4008, PA2));
  rec_add(b, RA(VMT_EXIT, 0, 4, 60, 0, 0, 0));
  rec_add(b, RA(VMT_UNMAP, 0, 4, 61, RXU, 0x1000, PA1 + 0x9000));
  rec_add(b, RA(VMT_UNMAP, 0, 4, 62, URW, 0x4000, PA2));
  rec_add(b, RA(VMT_KFREE, 0, 4, 62, 0, PA2, 0));
  rec_add(b, RA(VMT_UNMAP, 0, 4, 63, RCOW, 0x5000, PA1 + 0x1000));
  rec_add(b, R(VMT_SWITCH, 0, 3, 70));
  rec_add(b, begin(3, 80, 0x5010));
  rec_add(b, RA(VMT_FAULT_END, 0, 3, 82, cow_end(VMT_OUT_TAKEN, 1), 0x5010, PA1 + 0x1000));
}

// The timeline of cow_recording's folded records, every event shown.
static void cow_timeline(struct t_trace *t)
{
  struct rec b;
  cow_recording(&b, 1);
  t_convert(t, &b, NULL);
  rec_free(&b);
}

static long long last(const struct t_trace *t, const char *name, uint32 pid)
{
  const struct t_event *e = NULL;
  for (int i = 0; t_find(t, 'C', name, pid, i); i++)
    e = t_find(t, 'C', name, pid, i);
  return e && t_arg(e, "pages") ? atoll(t_arg(e, "pages")) : -999;
}

// The value of counter name on pid at time ns (the latest sample at or before it).
static long long at(const struct t_trace *t, const char *name, uint32 pid, long long ns)
{
  long long v = -999;
  for (int i = 0; t_find(t, 'C', name, pid, i); i++)
    if (t_find(t, 'C', name, pid, i)->ts <= ns)
      v = atoll(t_arg(t_find(t, 'C', name, pid, i), "pages"));
  return v;
}

static void fork_is_one_slice(void)
{
  struct t_trace t;
  cow_timeline(&t);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  const struct t_event *f = t_find(&t, 'X', "fork", 3, 0);
  CHECK(f && f->ts == 2000 && f->dur == 1000, "the fork spans its shares and the FORK");
  CHECK(strcmp(t_arg(f, "child"), "4") == 0 && strcmp(t_arg(f, "shared_pages"), "3") == 0 &&
        strcmp(t_arg(f, "cow_pages"), "2") == 0 && strcmp(t_arg(f, "readonly_pages"), "1") == 0 &&
        strcmp(t_arg(f, "runs"), "2") == 0, "pages shared, COW and read-only, runs, child");
  CHECK(!t_find(&t, 'I', "share", -1, 0) && !t_find(&t, 'I', "fork", -1, 0),
        "no per-run instants, no second fork event");
  t_trace_free(&t);
}

static void cow_faults_and_their_arrows(void)
{
  struct t_trace t;
  cow_timeline(&t);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  const struct t_event *c4 = t_find(&t, 'X', "cow fault", 4, 0),
                       *c3 = t_find(&t, 'X', "cow fault", 3, 0),
                       *fork = t_find(&t, 'X', "fork", 3, 0);
  CHECK(c4 && c3 && fork && !t_find(&t, 'X', "page fault", -1, 0), "two COW fault slices");
  CHECK(strcmp(t_arg(c4, "outcome"), "copied") == 0 && strcmp(t_arg(c4, "refs"), "2") == 0 &&
        strcmp(t_arg(c4, "pa"), "0x87700000") == 0 && strcmp(t_arg(c4, "va"), "0x4008") == 0,
        "the copy: outcome, refs, new frame, va");
  CHECK(strcmp(t_arg(c3, "outcome"), "taken") == 0 && strcmp(t_arg(c3, "refs"), "1") == 0 &&
        strcmp(t_arg(c3, "pa"), "0x87655000") == 0, "the take-over: outcome, refs, its frame");
  CHECK(t_count(&t, 'X', "unmap", 4) == 1 && t_count(&t, 'X', "map", 4) == 1,
        "the copy's unmap and map nest in it");
  for (int i = 0; i < 2; i++) {
    const struct t_event *s = t_find(&t, 's', "shared at fork", 3, i);
    const struct t_event *c = i == 0 ? c4 : c3;
    const struct t_event *f = t_find(&t, 'f', "shared at fork", c->pid, 0);
    CHECK(s && s->ts >= fork->ts && s->ts <= fork->ts + fork->dur,
          "arrow %d starts inside the fork slice", i);
    CHECK(f && f->id == s->id && f->ts == c->ts && strcmp(f->bp, "e") == 0,
          "arrow %d ends on its COW fault (pid %lld)", i, c->pid);
  }
  t_trace_free(&t);
}

static void counters_under_sharing(void)
{
  struct t_trace t;
  cow_timeline(&t);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  CHECK(at(&t, "resident", 3, 1300) == 3 && last(&t, "resident", 3) == 3,
        "the parent keeps its 3 pages: sharing takes none away");
  CHECK(at(&t, "resident", 4, 2100) == 3, "the child maps the 3 shared pages: %lld",
        at(&t, "resident", 4, 2100));
  CHECK(at(&t, "resident", 4, 5300) == 3 && last(&t, "resident", 4) == 0,
        "a copy swaps a frame (still 3); the teardown empties it");
  CHECK(at(&t, "cow shared", 4, 2100) == 2 && at(&t, "cow shared", 3, 2100) == 2,
        "2 COW pages in each after the fork (text is read-only, not COW)");
  CHECK(at(&t, "cow shared", 4, 5300) == 1 && last(&t, "cow shared", 4) == 0,
        "the copy and the unmap of a COW page take one each");
  CHECK(at(&t, "cow shared", 3, 7000) == 2 && last(&t, "cow shared", 3) == 1,
        "the take-over takes one off the parent");
  t_trace_free(&t);
}

static void folded_copy_converts_the_same(void)
{
  struct rec apart, folded;
  struct t_trace ta, tf;
  cow_recording(&apart, 0);
  cow_recording(&folded, 1);
  t_convert(&ta, &apart, NULL);
  t_convert(&tf, &folded, NULL);
  rec_free(&apart);
  rec_free(&folded);
  CHECK(ta.rc == 0 && tf.rc == 0 && ta.violations == 0 && tf.violations == 0,
        "both convert cleanly: %s %s", ta.err, tf.err);
  CHECK(t_count(&tf, 'X', "kalloc", 4) == 1, "the copy's implied kalloc is on the timeline");
  CHECK(ta.len == tf.len && memcmp(ta.json, tf.json, ta.len) == 0,
        "the two timelines differ (%zu and %zu bytes)", ta.len, tf.len);
  t_trace_free(&ta);
  t_trace_free(&tf);
}

// Fork chains: pid 4's page, shared from pid 3, is shared again when 4 forks 5; a later
// COW fault of 4 or 5 on it gets its arrow from the second fork (on 4's track), and the
// fork in between does not make pid 4's page count twice as COW.
static void chains_take_the_latest_fork(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, RA(VMT_MAP, 0, 3, 10, URW, 0x4000, PA1));
  rec_add(&b, share(4, 3, 20, 0x4000, 1, 1));
  rec_add(&b, RA(VMT_FORK, 0, 3, 30, 4, 0, 0));
  rec_add(&b, share(5, 4, 40, 0x4000, 1, 1));
  rec_add(&b, RA(VMT_FORK, 0, 4, 50, 5, 0, 0));
  rec_add(&b, begin(5, 60, 0x4000));
  rec_add(&b, RA(VMT_UNMAP, 0, 5, 61, RCOW, 0x4000, PA1));
  struct vmt_record end = RA(VMT_FAULT_END, 0, 5, 62, cow_end(VMT_OUT_COPIED, 3) | VMT_END_KALLOC |
                             VMT_END_MAP | URW << VMT_END_PERM_SHIFT, 0x4000, PA2);
  rec_add(&b, end);
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  const struct t_event *s = t_find(&t, 's', "shared at fork", -1, 0);
  CHECK(s && s->pid == 4 && !t_find(&t, 's', "shared at fork", -1, 1),
        "one arrow, from the fork by pid 4");
  CHECK(last(&t, "cow shared", 4) == 1 && last(&t, "cow shared", 3) == 1 &&
        last(&t, "cow shared", 5) == 0, "COW pages: 1 in 3 and 4, none left in 5");
  CHECK(last(&t, "resident", 5) == 1 && last(&t, "resident", 4) == 1,
        "each maps its page once");
  t_trace_free(&t);
}

// Shares off, maps on: the child's per-page maps of the parent's frames (with PTE_COW)
// count in the child without taking them from the parent.
static void per_page_maps_at_fork(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, RA(VMT_MAP, 0, 3, 10, URW, 0x4000, PA1));
  rec_add(&b, RA(VMT_MAP, 0, 3, 11, URW, 0x5000, PA1 + 0x1000));
  rec_add(&b, RA(VMT_MAP, 0, 4, 20, RCOW, 0x4000, PA1));
  rec_add(&b, RA(VMT_MAP, 0, 4, 21, RCOW, 0x5000, PA1 + 0x1000));
  rec_add(&b, RA(VMT_FORK, 0, 3, 30, 4, 0, 0));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  CHECK(last(&t, "resident", 3) == 2 && last(&t, "resident", 4) == 2,
        "both map 2 pages: %lld and %lld", last(&t, "resident", 3), last(&t, "resident", 4));
  CHECK(last(&t, "cow shared", 4) == 2, "the child's maps say COW");
  CHECK(t_find(&t, 'I', "fork", 3, 0), "a fork without shares is the plain instant");
  t_trace_free(&t);
}

// --events without share: the fork is the plain instant and no arrow leads from it; the
// COW faults stay. --pid of the child alone: its faults have no fork to come from.
static void filters_hide_the_fork(void)
{
  struct rec b;
  struct t_trace t;
  struct vmt_filter f;
  cow_recording(&b, 1);
  vmt_filter_all(&f);
  f.types &= ~(1u << VMT_SHARE);
  t_convert(&t, &b, &f);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  CHECK(t_find(&t, 'I', "fork", 3, 0) && !t_find(&t, 'X', "fork", -1, 0) &&
        !t_find(&t, 's', "shared at fork", -1, 0) && t_count(&t, 'X', "cow fault", -1) == 2,
        "share hidden: fork instant, no arrows, the COW faults");
  t_trace_free(&t);
  vmt_filter_all(&f);
  f.pids[f.npids++] = 4;
  t_convert(&t, &b, &f);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  CHECK(t_count(&t, 'X', "cow fault", 4) == 1 && !t_find(&t, 's', "shared at fork", -1, 0) &&
        !t_find(&t, 'f', "shared at fork", -1, 0), "--pid 4: its fault, no arrow");
  t_trace_free(&t);
}

void tests_cow(void)
{
  t_run("cow: a fork's shares are one fork slice", fork_is_one_slice);
  t_run("cow: COW faults, their outcomes and arrows from the fork", cow_faults_and_their_arrows);
  t_run("cow: resident and COW pages count in every process that maps them",
        counters_under_sharing);
  t_run("cow: a folded copy converts as the records apart", folded_copy_converts_the_same);
  t_run("cow: in a chain of forks the latest share wins", chains_take_the_latest_fork);
  t_run("cow: per-page maps at fork (shares not recorded)", per_page_maps_at_fork);
  t_run("cow: filters that hide the fork hide its arrows", filters_hide_the_fork);
}
