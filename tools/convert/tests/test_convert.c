// Unit tests of the converter's mapping: each builds a small recording, converts it and
// asserts on the events (which must also pass perfetto_check's rules).
#include <stdio.h>
#include <string.h>

#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_perfetto.h"
#include "tools/convert/vmt_tracks.h"

#define PA1 0x87654000ull
#define URW (VMT_PTE_R | VMT_PTE_W | VMT_PTE_U)

// pid 3 runs "lazy" on cpu 0: sbrk 2 pages, then one lazy fault.
static void lazy_fault_recording(struct rec *b)
{
  struct vmt_header h = t_header(2);
  rec_header(b, &h);
  rec_add(b, R(VMT_SWITCH, 0, 3, 10));
  rec_add(b, R_exec(0, 3, 20, "lazy"));
  rec_add(b, RA(VMT_SBRK, 0, 3, 30, 0, 0x4000, 0x6000));
  struct vmt_record fb = RA(VMT_FAULT_BEGIN, 0, 3, 40, 15, 0x5008, 0x1f0);
  fb.flags = VMT_SRC_USER | VMT_ACC_WRITE << 4;
  rec_add(b, fb);
  rec_add(b, RA(VMT_KALLOC, 0, 3, 42, 0, PA1, 0));
  struct vmt_record pt = RA(VMT_KALLOC, 0, 3, 43, 0, PA1 + 0x7000, 0);
  pt.flags = VMT_PAGE_TABLE;                          // the mapping needed a page table
  rec_add(b, pt);
  rec_add(b, RA(VMT_MAP, 0, 3, 44, URW, 0x5000, PA1));
  rec_add(b, RA(VMT_FAULT_END, 0, 3, 47, VMT_OUT_MAPPED, 0x5008, PA1));
}

static void fault_slice(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  lazy_fault_recording(&b);
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  const struct t_event *f = t_find(&t, 'X', "page fault", 3, 0);
  CHECK(f && f->tid == 3, "no page fault slice on pid 3");
  CHECK(f->ts == 4000 && f->dur == 700, "fault at %lld ns for %lld ns", f->ts, f->dur);
  CHECK(strcmp(t_arg(f, "va"), "0x5008") == 0 && strcmp(t_arg(f, "pa"), "0x87654000") == 0,
        "va/pa args");
  CHECK(strcmp(t_arg(f, "cause"), "store page fault") == 0, "cause %s", t_arg(f, "cause"));
  CHECK(strcmp(t_arg(f, "source"), "user") == 0 && strcmp(t_arg(f, "access"), "write") == 0,
        "source/access");
  CHECK(strcmp(t_arg(f, "outcome"), "mapped") == 0, "outcome");
  CHECK(!t_arg(f, "latency_us") && !t_arg(f, "scause") && !t_arg(f, "outcome_code"),
        "no args that repeat the duration, the cause or the outcome");
  CHECK(!f->cat[0], "a fault needs no category: its name says what it is");
  CHECK(!t_arg(f, "around_pages"), "a one-page fault has no around_pages arg");
  const struct t_event *k = t_find(&t, 'X', "kalloc", 3, 0), *m = t_find(&t, 'X', "map", 3, 0);
  CHECK(k && k->ts == 4200 && k->dur == 0, "kalloc nested as a zero-length slice");
  const struct t_event *k2 = t_find(&t, 'X', "kalloc", 3, 1);
  CHECK(strcmp(t_arg(k, "use"), "data") == 0 && k2 && strcmp(t_arg(k2, "use"), "page table") == 0,
        "what each page is for");
  CHECK(m && m->ts == 4400 && strcmp(t_arg(m, "perm"), "rw-u") == 0, "map nested");
  CHECK(!k->cat[0] && !m->cat[0], "page events need no category either");
  CHECK(f->flow_out && m->flow_in && f->bind_id == m->bind_id && f->bind_id > 0,
        "flow from fault to map");
  CHECK(t_count(&t, 'I', "kalloc", -1) == 0, "kalloc inside a fault must not be an instant");
  t_trace_free(&t);
}

// Fault-around: the fault that also mapped the 19 pages after its own says so, and all
// their kallocs and maps nest inside it (more than a one-page fault's two events).
static void fault_around(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  struct vmt_header h = t_header(2);
  rec_header(&b, &h);
  rec_add(&b, R(VMT_SWITCH, 0, 3, 10));
  rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 3, 40, 15, 0x5008, 0x1f0));
  for (unsigned i = 0; i < 20; i++) {
    rec_add(&b, RA(VMT_KALLOC, 0, 3, 41 + 2 * i, 0, PA1 + 0x1000 * i, 0));
    rec_add(&b, RA(VMT_MAP, 0, 3, 42 + 2 * i, URW, 0x5000 + 0x1000 * i, PA1 + 0x1000 * i));
  }
  struct vmt_record fe = RA(VMT_FAULT_END, 0, 3, 90, VMT_OUT_MAPPED, 0x5008, PA1);
  fe.flags = VMT_SRC_USER | 19 << VMT_AROUND_SHIFT;
  rec_add(&b, fe);
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations: %s", t.rc, t.violations, t.err);
  const struct t_event *f = t_find(&t, 'X', "page fault", 3, 0);
  CHECK(f && t_arg(f, "around_pages") && strcmp(t_arg(f, "around_pages"), "19") == 0,
        "around_pages 19");
  CHECK(strcmp(t_arg(f, "source"), "user") == 0, "the count leaves the source alone");
  CHECK(t_count(&t, 'X', "map", 3) == 20 && t_count(&t, 'I', "map", -1) == 0,
        "the 20 maps nest in the fault");
  t_trace_free(&t);
}

static void counters(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  lazy_fault_recording(&b);
  rec_add(&b, RA(VMT_UNMAP, 0, 3, 50, URW, 0x5000, PA1));
  rec_add(&b, RA(VMT_KFREE, 0, 3, 51, 0, PA1, 0));
  rec_add(&b, RA(VMT_MAP, 0, 3, 52, VMT_PTE_R, 0x9000, PA1));   // not a user page
  rec_add(&b, RA(VMT_EXIT, 0, 3, 60, 0, 0, 0));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *c0 = t_find(&t, 'C', "free", VMT_KPID, 0),
                       *c1 = t_find(&t, 'C', "free", VMT_KPID, 1),
                       *c3 = t_find(&t, 'C', "free", VMT_KPID, 3);
  CHECK(c0 && c0->ts == 0 && strcmp(t_arg(c0, "pages"), "1000") == 0, "starts at header");
  CHECK(c1 && strcmp(t_arg(c1, "pages"), "999") == 0, "-1 per kalloc");
  CHECK(c3 && strcmp(t_arg(c3, "pages"), "999") == 0, "+1 per kfree");
  const struct t_event *r0 = t_find(&t, 'C', "resident", 3, 0),
                       *r1 = t_find(&t, 'C', "resident", 3, 1);
  CHECK(r0 && strcmp(t_arg(r0, "pages"), "1") == 0, "+1 per user map");
  CHECK(r1 && strcmp(t_arg(r1, "pages"), "0") == 0, "-1 per user unmap");
  CHECK(t_count(&t, 'C', "resident", 3) == 2, "a map without PTE_U is not resident memory");
  const struct t_event *v0 = t_find(&t, 'C', "virtual", 3, 0),
                       *v1 = t_find(&t, 'C', "virtual", 3, 1),
                       *v2 = t_find(&t, 'C', "virtual", 3, 2);
  CHECK(v0 && v0->ts == 2000 && strcmp(t_arg(v0, "pages"), "4") == 0,
        "the size exec left (sbrk's old break), backdated to the exec");
  CHECK(v1 && v1->ts == 3000 && strcmp(t_arg(v1, "pages"), "6") == 0, "break 0x6000: 6 pages");
  CHECK(v2 && v2->ts == 6000 && strcmp(t_arg(v2, "pages"), "0") == 0, "exit empties it");
  t_trace_free(&t);
}

static void names_fork_exec(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, R_exec(0, 2, 5, "sh"));
  rec_add(&b, RA(VMT_FORK, 0, 2, 10, 7, 0, 0));
  rec_add(&b, RA(VMT_SBRK, 0, 7, 20, 0, 0x3000, 0x3800));
  rec_add(&b, R_exec(0, 7, 30, "a\"name\\of16byte"));
  rec_add(&b, RA(VMT_SBRK, 0, 7, 40, 0, 0x2000, 0x3000));
  struct vmt_record ex = R_exec(0, 7, 50, "sized");
  ex.arg = 0x5000;                                    // the image's size, when told
  rec_add(&b, ex);
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *n0 = t_find(&t, 'M', "process_name", 7, 0),
                       *n1 = t_find(&t, 'M', "process_name", 7, 1);
  CHECK(n0 && strcmp(t_arg(n0, "name"), "sh") == 0, "the child starts with its parent's name");
  CHECK(n1 && strcmp(t_arg(n1, "name"), "a\"name\\of16byte") == 0, "renamed at exec: %s",
        n1 ? t_arg(n1, "name") : "none");
  CHECK(t_find(&t, 'M', "thread_name", 7, 1), "thread renamed too");
  const struct t_event *fk = t_find(&t, 'I', "fork", 2, 0);
  CHECK(fk && fk->tid == 2 && strcmp(t_arg(fk, "child"), "7") == 0 && fk->s[0] == 0,
        "fork instant, thread-scoped without an s key");
  // After exec the size is unknown until sbrk reveals it (its old break), backdated.
  const struct t_event *v0 = t_find(&t, 'C', "virtual", 7, 0);
  CHECK(v0 && v0->ts == 1000 && strcmp(t_arg(v0, "pages"), "3") == 0, "child's size at fork");
  const struct t_event *v = t_find(&t, 'C', "virtual", 7, 2);
  CHECK(v && v->ts == 3000 && strcmp(t_arg(v, "pages"), "2") == 0, "virtual size at exec");
  const struct t_event *v4 = t_find(&t, 'C', "virtual", 7, 4);
  CHECK(v4 && v4->ts == 5000 && strcmp(t_arg(v4, "pages"), "5") == 0, "exec says its size");
  t_trace_free(&t);
}

static void broken_faults(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, RA(VMT_FAULT_END, 0, 4, 5, VMT_OUT_ILLEGAL, 0x1000, 0));
  rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 4, 10, 13, 0x2000, 0));
  rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 4, 20, 13, 0x3000, 0));   // the first END was lost
  rec_add(&b, RA(VMT_KALLOC, 0, 4, 25, 0, PA1, 0));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  CHECK(t_find(&t, 'I', "fault end (begin not recorded)", 4, 0), "unmatched end is an instant");
  const struct t_event *f0 = t_find(&t, 'X', "page fault", 4, 0),
                       *f1 = t_find(&t, 'X', "page fault", 4, 1);
  CHECK(f0 && f0->ts == 1000 && f0->dur == 1000, "first fault cut at the next begin");
  CHECK(strcmp(t_arg(f0, "outcome"), "unfinished") == 0, "outcome %s", t_arg(f0, "outcome"));
  CHECK(f1 && f1->ts == 2001 && f1->dur == 499, "touching slices: next starts 1 ns later");
  CHECK(strcmp(t_arg(f1, "outcome"), "unfinished") == 0, "open at the end: unfinished");
  CHECK(t_find(&t, 'X', "kalloc", 4, 0), "kalloc still nested in the unfinished fault");
  t_trace_free(&t);
}

// A fault on a page already mapped (a stale TLB entry flushed): its own outcome, with
// the page's pa, and an unknown outcome keeps its number.
static void spurious_fault(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 4, 10, 13, 0x2000, 0));
  rec_add(&b, RA(VMT_FAULT_END, 0, 4, 12, VMT_OUT_SPURIOUS, 0x2000, PA1));
  rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 4, 20, 13, 0x3000, 0));
  rec_add(&b, RA(VMT_FAULT_END, 0, 4, 22, VMT_OUT_TAKEN + 1, 0x3000, 0));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *f0 = t_find(&t, 'X', "page fault", 4, 0),
                       *f1 = t_find(&t, 'X', "page fault", 4, 1);
  CHECK(f0 && strcmp(t_arg(f0, "outcome"), "spurious") == 0, "outcome %s",
        f0 ? t_arg(f0, "outcome") : "(none)");
  CHECK(f0 && strcmp(t_arg(f0, "pa"), "0x87654000") == 0, "a spurious fault names its page");
  CHECK(f1 && strcmp(t_arg(f1, "outcome"), "unknown") == 0 &&
        strcmp(t_arg(f1, "outcome_code"), "7") == 0, "an unknown outcome keeps its code");
  t_trace_free(&t);
}

static void cpu_tracks(void)
{
  struct rec b = t_recording(2);
  struct t_trace t;
  rec_add(&b, R_exec(1, 3, 5, "init"));
  rec_add(&b, R(VMT_SWITCH, 1, 3, 10));
  rec_add(&b, R(VMT_SWITCH, 1, 4, 30));
  rec_add(&b, R(VMT_SWITCH, 1, 0, 40));
  rec_add(&b, RA(VMT_KALLOC, 1, 0, 45, 0, PA1, 0));
  rec_add(&b, RA(VMT_LOST, 0, 0, 50, 0, 17, 0));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *r0 = t_find(&t, 'X', "init", VMT_KPID, 0),
                       *r1 = t_find(&t, 'X', "pid 4", VMT_KPID, 0);
  CHECK(r0 && r0->tid == VMT_RUN_TID(1) && r0->ts == 1000 && r0->dur == 2000, "init ran");
  CHECK(r1 && r1->ts == 3001 && r1->dur == 999, "pid 4 ran next (1 ns later: touching)");
  CHECK(t_count(&t, 'X', "init", -1) + t_count(&t, 'X', "pid 4", -1) == 2, "idle is no slice");
  const struct t_event *k = t_find(&t, 'I', "kalloc", VMT_KPID, 0);
  CHECK(k && k->tid == VMT_KCTX_TID(1), "pid 0 events go to the cpu's kernel track");
  const struct t_event *l = t_find(&t, 'I', "lost events", VMT_KPID, 0),
                       *lc = t_find(&t, 'C', "lost events", VMT_KPID, 0);
  CHECK(l && l->tid == VMT_RUN_TID(0) && strcmp(t_arg(l, "count"), "17") == 0, "lost instant");
  CHECK(lc && strcmp(t_arg(lc, "cpu0"), "17") == 0, "lost counter");
  t_trace_free(&t);
}

static void markers(void)
{
  struct rec b = t_recording(2);
  struct t_trace t;
  rec_add(&b, R_marker(0, 5, 10, "test sbrkbugs: s", 1));
  rec_add(&b, R_marker(1, 6, 11, "other cpu", 0));
  rec_add(&b, R_marker(0, 5, 12, "tarting", 0));
  rec_add(&b, R_marker(1, 6, 13, "cut short", 1));
  rec_add(&b, R(VMT_SWITCH, 1, 6, 14));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *m = t_find(&t, 'I', "test sbrkbugs: starting", 5, 0);
  CHECK(m && m->ts == 1000, "pieces joined on one cpu, at the first piece's time");
  CHECK(t_find(&t, 'I', "other cpu", 6, 0), "markers of another cpu stay apart");
  CHECK(t_find(&t, 'I', "cut short", 6, 0), "a marker whose rest never came is still shown");
  t_trace_free(&t);
}

static void filters(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  struct vmt_filter f;
  lazy_fault_recording(&b);
  rec_add(&b, RA(VMT_SBRK, 1, 9, 100, 0, 0x4000, 0x5000));
  rec_add(&b, RA(VMT_KALLOC, 1, 9, 110, 0, PA1 + 0x1000, 0));
  vmt_filter_all(&f);
  f.pids[f.npids++] = 9;
  t_convert(&t, &b, &f);
  CHECK(t.rc == 0 && t.violations == 0, "--pid: rc %d, %zu violations", t.rc, t.violations);
  CHECK(t_count(&t, 'X', "page fault", -1) == 0 && t_find(&t, 'I', "sbrk", 9, 0),
        "--pid 9 shows pid 9 only");
  CHECK(t_count(&t, 'C', "free", VMT_KPID) == 4, "system counters stay, with every change");
  t_trace_free(&t);
  vmt_filter_all(&f);
  vmt_types_parse_list("fault", &f.types, (char[8]){ 0 }, 8);
  t_convert(&t, &b, &f);
  CHECK(t.rc == 0 && t.violations == 0, "--events: rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *pf = t_find(&t, 'X', "page fault", 3, 0);
  CHECK(pf && !pf->flow_out && t.n && !t_find(&t, 'X', "kalloc", -1, 0) &&
        !t_find(&t, 'I', "sbrk", -1, 0) && !t_find(&t, 'C', "free", -1, 0),
        "--events fault: faults only, no flow to a hidden map");
  t_trace_free(&t);
  vmt_filter_all(&f);
  f.from_ns = 4100;
  f.to_ns = 10000;
  t_convert(&t, &b, &f);
  CHECK(t.rc == 0 && t.violations == 0, "window: rc %d, %zu violations", t.rc, t.violations);
  CHECK(!t_find(&t, 'X', "page fault", -1, 0) && !t_find(&t, 'I', "kalloc", 9, 0) &&
        t_find(&t, 'I', "sbrk", 9, 0), "--from/--to: events starting inside only");
  const struct t_event *c0 = t_find(&t, 'C', "free", VMT_KPID, 0),
                       *c1 = t_find(&t, 'C', "free", VMT_KPID, 1);
  CHECK(c0 && c0->ts == 4100 && strcmp(t_arg(c0, "pages"), "1000") == 0,
        "free pages start at the window with their value there");
  CHECK(c1 && c1->ts == 4200 && strcmp(t_arg(c1, "pages"), "999") == 0, "then change");
  CHECK(t_find(&t, 'I', "kalloc", 3, 0), "a hidden fault's kalloc in the window is shown");
  t_trace_free(&t);
  rec_free(&b);
}

static void odd_timer_and_big_values(void)
{
  struct rec b = { 0 };
  struct t_trace t;
  struct vmt_header h = t_header(1);
  h.timer_hz = 3000000;                 // 333.33 ns per tick: not a whole number
  rec_header(&b, &h);
  rec_add(&b, RA(VMT_SBRK, 0, 1, 1, 0, 0, 4096));
  rec_add(&b, RA(VMT_SBRK, 0, 1, 3000001, 0, 4096, 8192));
  rec_add(&b, RA(VMT_SBRK, 0, 1, 3000002, 0, 1ull << 63, 0));   // delta -2^63
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "%s, %zu violations", t.err, t.violations);
  const struct t_event *s0 = t_find(&t, 'I', "sbrk", 1, 0), *s1 = t_find(&t, 'I', "sbrk", 1, 1);
  CHECK(s0 && s0->ts == 333, "1 tick at 3 MHz is 333 ns, got %lld", s0 ? s0->ts : -1);
  CHECK(s1 && s1->ts == 1000000333, "1 s + 1 tick, got %lld", s1 ? s1->ts : -1);
  CHECK(strcmp(t_arg(s0, "delta"), "4096") == 0, "small deltas are numbers");
  CHECK(strstr(t.json, "\"delta\":\"-9223372036854775808\""), "huge ones strings");
  t_trace_free(&t);
}

static void empty_recording(void)
{
  struct rec b = t_recording(8);
  struct t_trace t;
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "a header alone is a valid, empty recording");
  CHECK(t_count(&t, 'M', "thread_name", VMT_KPID) == 16, "two tracks named per cpu");
  char meta[64];
  snprintf(meta, sizeof meta, "\"metadata\":{\"vmtrace\":{\"version\":%d,\"ncpu\":8,", VMT_VERSION);
  CHECK(strstr(t.json, meta), "metadata");
  CHECK(strstr(t.json, "\"start_ts\":\"1000000\""), "start_ts as a string");
  t_trace_free(&t);
}

// More processes than the table holds: exited ones are forgotten, and when only live
// ones remain the extra processes still convert (without per-process state).
static void many_processes(void)
{
  struct vmt_procs t;
  int created;
  CHECK(procs_init(&t) == 0, "init");
  for (uint32 pid = 1; pid <= 100000; pid++) {
    struct vmt_proc *p = procs_get(&t, pid, &created);
    CHECK(p && created && p->pid == pid, "pid %u not created", pid);
    procs_set_dead(&t, p, 1);
  }
  CHECK(t.cap == VMT_PROCS_MIN && t.forgotten > 99000, "exited processes forgotten, not kept");
  CHECK(procs_find(&t, 100000) && !procs_find(&t, 1), "the newest stay, the oldest go");
  procs_free(&t);
  struct rec b = t_recording(1);
  struct t_trace tr;
  for (uint32 pid = 1; pid <= 40000; pid++)
    rec_add(&b, RA(VMT_SBRK, 0, pid, pid, 0, 0, 4096));
  rec_add(&b, RA(VMT_FAULT_BEGIN, 0, 39999, 50000, 13, 0x1000, 0));
  rec_add(&b, RA(VMT_FAULT_END, 0, 39999, 50001, 0, 0x1000, PA1));
  t_convert(&tr, &b, NULL);
  rec_free(&b);
  CHECK(tr.rc == 0 && tr.violations == 0, "rc %d, %zu violations", tr.rc, tr.violations);
  CHECK(t_count(&tr, 'I', "sbrk", -1) == 40000, "every process's sbrk is shown");
  CHECK(t_find(&tr, 'I', "fault_begin", 39999, 0), "an untracked process's fault: instants");
  t_trace_free(&tr);
}

// The bounded table against a plain array, through growth and deletions.
static void page_table(void)
{
  static uint64 model[20000];
  struct vmt_pages t;
  uint64 x = 1;
  CHECK(pages_init(&t) == 0, "init");
  for (int step = 0; step < 200000; step++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint32 i = (uint32)(x >> 33) % 20000, tag = i % 3;
    uint64 key = 0x80000ull + i / 3, val = (x >> 20) % 50 + 1, *v = pages_find(&t, key, tag);
    CHECK(v ? *v == model[i] : model[i] == 0, "find: value of key %u", i);
    if (x >> 63) {
      CHECK(pages_put(&t, key, tag, val) == 0, "put");
      model[i] = val;
    } else {
      CHECK(pages_del(&t, key, tag) == (model[i] != 0), "del: key %u", i);
      model[i] = 0;
    }
  }
  uint32 n = 0;
  for (int i = 0; i < 20000; i++)
    n += model[i] != 0;
  CHECK(t.n == n && t.cap <= 4 * 16384, "%u keys held, %u set", t.n, n);
  pages_free(&t);
}

// Unmaps of a dead child's pages under the parent's pid (as xv6 records wait()'s
// teardown; this kernel charges it to the child) must still come off the child that
// mapped the pages (vmt_pages.h).
static void unmap_by_parent(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, RA(VMT_FORK, 0, 3, 1, 5, 0, 0));
  rec_add(&b, RA(VMT_MAP, 0, 5, 2, URW, 0x1000, PA1));
  rec_add(&b, RA(VMT_MAP, 0, 5, 3, URW, 0x2000, PA1 + 0x1000));
  rec_add(&b, RA(VMT_EXIT, 0, 5, 4, 0, 0, 0));
  rec_add(&b, RA(VMT_UNMAP, 0, 3, 5, URW, 0x1000, PA1));
  rec_add(&b, RA(VMT_UNMAP, 0, 3, 6, URW, 0x2000, PA1 + 0x1000));
  rec_add(&b, RA(VMT_UNMAP, 0, 3, 7, URW, 0x9000, PA1 + 0x9000));   // mapped before the start
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *r = t_find(&t, 'C', "resident", 5, 3);
  CHECK(r && strcmp(t_arg(r, "pages"), "0") == 0, "the child's pages come off the child");
  CHECK(t_count(&t, 'C', "resident", 3) == 1, "the parent is charged only its own unmap");
  t_trace_free(&t);
}

// The kernel records fork's copy into the child under the child's pid, before FORK: the
// child's resident pages count from there, and the teardown after its EXIT (under its
// pid too) brings them back to 0.
static void copy_before_fork(void)
{
  struct rec b = t_recording(1);
  struct t_trace t;
  rec_add(&b, RA(VMT_MAP, 0, 5, 1, URW, 0x1000, PA1));
  rec_add(&b, RA(VMT_MAP, 0, 5, 2, URW, 0x2000, PA1 + 0x1000));
  rec_add(&b, RA(VMT_FORK, 0, 3, 3, 5, 0, 0));
  rec_add(&b, RA(VMT_EXIT, 0, 5, 4, 0, 0, 0));
  rec_add(&b, RA(VMT_UNMAP, 0, 5, 5, URW, 0x1000, PA1));
  rec_add(&b, RA(VMT_UNMAP, 0, 5, 6, URW, 0x2000, PA1 + 0x1000));
  t_convert(&t, &b, NULL);
  rec_free(&b);
  CHECK(t.rc == 0 && t.violations == 0, "rc %d, %zu violations", t.rc, t.violations);
  const struct t_event *r1 = t_find(&t, 'C', "resident", 5, 1),
                       *r3 = t_find(&t, 'C', "resident", 5, 3);
  CHECK(r1 && strcmp(t_arg(r1, "pages"), "2") == 0, "the copied pages are the child's");
  CHECK(r3 && strcmp(t_arg(r3, "pages"), "0") == 0, "and come off it at its teardown");
  t_trace_free(&t);
}

void tests_convert(void)
{
  t_run("convert: lazy fault is a slice with kalloc and map nested, and a flow", fault_slice);
  t_run("convert: a fault-around fault counts its extra pages", fault_around);
  t_run("convert: free, resident and virtual page counters", counters);
  t_run("convert: names inherited at fork, renamed at exec, escaped", names_fork_exec);
  t_run("convert: unmatched end, lost end, fault open at the end", broken_faults);
  t_run("convert: a spurious fault, an unknown outcome", spurious_fault);
  t_run("convert: cpu tracks, kernel context, lost records", cpu_tracks);
  t_run("convert: markers joined from pieces per cpu", markers);
  t_run("convert: --pid, --events, --from/--to filters", filters);
  t_run("convert: odd timer; values past 2^53 written as strings", odd_timer_and_big_values);
  t_run("convert: header only", empty_recording);
  t_run("convert: more processes than the table holds", many_processes);
  t_run("convert: the bounded page table matches a model", page_table);
  t_run("convert: unmaps by the parent come off the child", unmap_by_parent);
  t_run("convert: fork's copy recorded before FORK stays the child's", copy_before_fork);
}
