// vmtgen: writes a synthetic vmtrace recording for tests and benchmarks. A seeded random
// workload runs on several CPUs: processes fork, exec, grow and shrink their heap (lazily
// or eagerly), fault pages in (kalloc + map inside the fault), get killed, exit, write
// markers, and are switched in and out. Records are written the way the recorder drains
// the kernel's buffers: in per-CPU chunks, so CPUs interleave out of time order. Drops
// can be simulated (seq numbers skipped, then a VMT_LOST record). With --chains each
// fault's begin is followed by a call chain of 0 to VMT_CHAIN_MAX return addresses,
// sometimes truncated, as a version 2 kernel writes them; --format-version 1 writes an
// old recording (no chains). With --fold records stand for the records they imply, as a
// version 3 kernel writes them: a fault's end says its page's kalloc and map, a map its
// page's kalloc, an unmap its page's kfree. From version 4 forks are copy-on-write
// unless --copy-fork: a fork shares its parent's heap (one VMT_SHARE per run of present
// pages, before the FORK), and a write fault on a shared page copies it (an unmap of
// the shared frame, a kalloc and map of the copy), takes it over when no one else holds
// it, or runs out of memory. In version 5 (the default) exit, exec and a shrink write
// one VMT_UNMAP per run of up to VMT_UNMAP_PAGES_MAX pages in a row with the same
// permissions (VMT_UNMAP_PAGES), as the kernel's uvmunmap does: folded, a run of
// writable pages says its frames freed, a run of copy-on-write ones is followed by a
// kfree for each frame it dropped the last reference to; a copy's unmap of the shared
// frame stays a record of its own.
//
// With --stats it prints, on standard error, vmtcheck options that expect exactly the
// counts written, so a test can check the whole pipeline against the generator.
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mempolicy.h"
#include "tools/convert/vmt_codec.h"
#include "tools/convert/vmt_expand.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_reader.h"

#define MAXPROC  64
#define MAXPG    64             // heap pages per process
#define HEAPBASE 0x4000ull
#define TABLE_SPAN (512 * 4096ull)   // what one last-level page table maps
#define PERM_URW (VMT_PTE_R | VMT_PTE_W | VMT_PTE_U)
#define PERM_COW (VMT_PTE_R | VMT_PTE_U | VMT_PTE_COW)   // shared: read-only until written

struct gproc {
  uint32 pid;
  int alive, cpu, killed, eager;      // cpu: where it runs, -1 if not running
  char name[16];
  uint64 brk;                         // HEAPBASE + pages * page size
  uint64 pa[MAXPG];                   // 0: not mapped
  unsigned char cow[MAXPG];           // the page is shared copy-on-write
  uint64 pt[8];                       // page-table pages made by its faults
  unsigned npt;
};

struct gcpu {
  uint32 running, seq;                // running: index into procs + 1, 0 idle
  uint64 pending_lost;
  unsigned char *buf;                 // records not yet drained
  size_t n;
};

struct gen {
  uint64 seed, target, written, now;
  unsigned ncpu, active, chunk, maxlive, drop, chains, fold, copyfork;
  struct vmt_header h;
  struct gproc proc[MAXPROC];
  struct gcpu cpu[NCPU];
  uint64 *freepa;                     // stack of free physical pages
  uint64 nfree;
  unsigned short *refs;               // per physical page: processes that map it
  uint32 nextpid;
  FILE *out;
  uint64 count[VMT_NTYPES], outcome[VMT_OUT_TAKEN + 1], cow_nomem, lost;
  uint64 in_fault[VMT_NTYPES], in_cow_fault[VMT_NTYPES], ptpages_in_fault;
  uint64 share_pages, share_cow_pages;
  struct gopen {                      // a written FAULT_BEGIN not yet ended
    uint32 pid;
    uint64 n[VMT_NTYPES], ptpages;    // its page events, counted at its end by its kind
  } open[MAXPROC + NCPU];
  unsigned nopen;
};

static uint64 rnd(struct gen *g)      // splitmix64: small, fast, fully determined by seed
{
  uint64 z = (g->seed += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static unsigned below(struct gen *g, unsigned n) { return (unsigned)(rnd(g) % n); }

// ---- Output: per-CPU chunks, sequence numbers, simulated drops ------------------------

static void drain(struct gen *g, struct gcpu *k)
{
  if (k->n && fwrite(k->buf, sizeof(struct vmt_record), k->n, g->out) != k->n) {
    fprintf(stderr, "vmtgen: write error: %s\n", strerror(errno));
    exit(1);
  }
  k->n = 0;
}

// Counts what a checker will see inside faults: page events of a process between its
// written FAULT_BEGIN and its written FAULT_END (or EXIT), as vmt_summary does, as a
// copy-on-write fault's if the end says it was one.
static void count_nesting(struct gen *g, const struct vmt_record *r)
{
  unsigned i = 0;
  while (i < g->nopen && g->open[i].pid != r->pid)
    i++;
  struct gopen *o = i < g->nopen ? &g->open[i] : NULL;
  if (r->type == VMT_FAULT_BEGIN && !o) {
    g->open[g->nopen++] = (struct gopen){ .pid = r->pid };
  } else if ((r->type == VMT_FAULT_END || r->type == VMT_EXIT) && o) {
    uint64 *to = r->type == VMT_FAULT_END && (r->arg & VMT_END_COW) ? g->in_cow_fault
                                                                     : g->in_fault;
    for (unsigned t = VMT_KALLOC; t <= VMT_UNMAP; t++)
      to[t] += o->n[t];
    g->ptpages_in_fault += o->ptpages;
    *o = g->open[--g->nopen];
  } else if (r->type == VMT_KALLOC && r->flags == VMT_PAGE_TABLE && o) {
    o->ptpages++;
  } else if (r->type >= VMT_KALLOC && r->type <= VMT_UNMAP && o) {
    o->n[r->type]++;
  }
  if (r->type == VMT_FAULT_END && (r->arg & VMT_END_OUTCOME) <= VMT_OUT_TAKEN)
    g->outcome[r->arg & VMT_END_OUTCOME]++;
  if (r->type == VMT_FAULT_END && (r->arg & VMT_END_COW) &&
      (r->arg & VMT_END_OUTCOME) == VMT_OUT_NOMEM)
    g->cow_nomem++;
  if (r->type == VMT_SHARE) {
    g->share_pages += r->b;
    g->share_cow_pages += r->flags & VMT_SHARE_COW ? r->b : 0;
  }
}

// Counts r and what it implies, as a reader will see them.
static void count(struct gen *g, const struct vmt_record *r)
{
  struct vmt_expand e;
  struct vmt_record x;
  int implied;
  vmt_expand_init(&e, &g->h);
  vmt_expand_push(&e, r);
  while (vmt_expand_next(&e, &x, &implied)) {
    count_nesting(g, &x);
    g->count[x.type]++;
  }
}

static void put(struct gen *g, unsigned c, struct vmt_record *r)
{
  struct gcpu *k = &g->cpu[c];
  count(g, r);
  r->seq = k->seq++;
  vmt_encode_record(r, k->buf + k->n++ * sizeof(struct vmt_record));
  g->written++;
  if (k->n == g->chunk)
    drain(g, k);
}

// Emits one record on CPU c at the current time, or drops it (its seq is used up and a
// VMT_LOST record reports it before the next record that gets through).
static void emit(struct gen *g, unsigned c, unsigned type, uint32 pid, unsigned flags,
                 uint32 arg, uint64 a, uint64 b)
{
  struct gcpu *k = &g->cpu[c];
  struct vmt_record r = { .ts = g->now, .pid = pid, .type = (uint16)type, .cpu = (uint8)c,
                          .flags = (uint8)flags, .arg = arg, .a = a, .b = b };
  g->now += 1 + below(g, 3);
  if (g->drop && below(g, 1000) < g->drop) {
    k->seq++;
    k->pending_lost++;
    return;
  }
  if (k->pending_lost) {
    struct vmt_record l = { .ts = r.ts, .pid = pid, .type = VMT_LOST, .cpu = (uint8)c,
                            .a = k->pending_lost };
    g->lost += k->pending_lost;
    k->pending_lost = 0;
    put(g, c, &l);
  }
  put(g, c, &r);
}

// ---- Physical pages ------------------------------------------------------------------

// use: VMT_PAGE_DATA or VMT_PAGE_TABLE, as the kernel tags its pages.
// A free page, its kalloc not written (a record that implies it will be).
static uint64 take_page(struct gen *g)
{
  return g->nfree ? g->freepa[--g->nfree] : 0;
}

// A page back to the free pages, its kfree not written (a record that implies it was).
static void give_page(struct gen *g, uint64 pa)
{
  g->freepa[g->nfree++] = pa;
}

static uint64 kalloc_for(struct gen *g, unsigned c, uint32 pid, unsigned use)
{
  uint64 pa = take_page(g);
  if (pa)
    emit(g, c, VMT_KALLOC, pid, use, 0, pa, 0);
  return pa;
}

static void kfree_for(struct gen *g, unsigned c, uint32 pid, uint64 pa, unsigned use)
{
  give_page(g, pa);
  emit(g, c, VMT_KFREE, pid, use, 0, pa, 0);
}

static uint64 kalloc(struct gen *g, unsigned c, uint32 pid)
{
  return kalloc_for(g, c, pid, VMT_PAGE_DATA);
}

static void kfree(struct gen *g, unsigned c, uint32 pid, uint64 pa)
{
  kfree_for(g, c, pid, pa, VMT_PAGE_DATA);
}

// Page-table pages go with the address space: exec and exit free them.
static void free_page_tables(struct gen *g, unsigned c, struct gproc *p)
{
  while (p->npt)
    kfree_for(g, c, p->pid, p->pt[--p->npt], VMT_PAGE_TABLE);
}

// How many processes map physical page pa.
static unsigned short *refs(struct gen *g, uint64 pa)
{
  return &g->refs[(pa - 0x80000000ull) / 4096];
}

static uint64 page_va(unsigned i) { return HEAPBASE + (uint64)i * 4096; }
// Heap pages below the break: a break inside a page keeps that page (a shrink leaves it
// mapped, so a later grow must not map it again).
static unsigned npages(const struct gproc *p)
{
  return (unsigned)((p->brk - HEAPBASE + 4095) / 4096);
}

// Unmaps gathered into one record, as a version 5 kernel's uvmunmap writes them
// (kernel/vm.c): up to VMT_UNMAP_PAGES_MAX pages in a row of one last-level page table
// (2 MiB, TABLE_SPAN) with the same permissions.
struct unmap_run {
  uint32 pid, perm;
  unsigned n, cpu;                    // pages gathered; the CPU writing them
  uint64 va, pa[VMT_UNMAP_PAGES_MAX];
  unsigned char last[VMT_UNMAP_PAGES_MAX];   // no one else maps the frame any more
};

// A page's frame that no one maps any more goes back: said by its unmap (folded), or
// with a kfree record of its own.
static void release(struct gen *g, unsigned c, uint32 pid, uint64 pa, int said)
{
  if (said)
    give_page(g, pa);
  else
    kfree(g, c, pid, pa);
}

// Writes the run's record, then a kfree for each frame it freed but does not say. As
// in the kernel, only writable pages' frames are said freed (folded): they are the
// process's alone, so every one of them is freed; a read-only or copy-on-write frame
// may still be another process's, and its kfree, if any, follows the record.
static void unmap_flush(struct gen *g, struct unmap_run *u)
{
  uint32 arg = u->perm;
  uint64 a = u->va, b = 0;
  int said = g->fold && u->perm == PERM_URW;
  if (!u->n)
    return;
  for (unsigned i = 0; i < u->n; i++) {
    VMT_UNMAP_PUT(i, u->pa[i] / 4096, &arg, &a, &b);
    said &= u->last[i];
  }
  emit(g, u->cpu, VMT_UNMAP, u->pid,
       VMT_UNMAP_PAGES | u->n << VMT_UNMAP_COUNT_SHIFT | (said ? VMT_UNMAP_FREED : 0), arg, a, b);
  for (unsigned i = 0; i < u->n; i++)
    if (u->last[i])
      release(g, u->cpu, u->pid, u->pa[i], said);
  u->n = 0;
}

// The unmap of page va (frame pa; last: no one else maps it) joins the run, which goes
// out first if the page cannot extend it. Before version 5, or for a frame too high
// for a slot (only with more free pages than a kernel has), the page gets a record of
// its own, its kfree folded in or right after it, as a version 4 kernel wrote.
static void unmap_page(struct gen *g, struct unmap_run *u, uint64 va, uint64 pa, uint32 perm,
                       int last)
{
  if (u->n && (u->n == VMT_UNMAP_PAGES_MAX || perm != u->perm || va != u->va + 4096ull * u->n ||
               va % TABLE_SPAN == 0))
    unmap_flush(g, u);
  if (g->h.version < 5 || pa / 4096 > VMT_UNMAP_PFN_MASK) {
    unmap_flush(g, u);
    emit(g, u->cpu, VMT_UNMAP, u->pid, g->fold && last ? VMT_UNMAP_FREED : 0, perm, va, pa);
    if (last)
      release(g, u->cpu, u->pid, pa, g->fold);
    return;
  }
  if (!u->n) {
    u->va = va;
    u->perm = perm;
  }
  u->last[u->n] = (unsigned char)last;
  u->pa[u->n++] = pa;
}

// Unmaps the heap pages at or above page `from`, in va order as a shrink or exit does,
// freeing those no other process maps.
static void free_heap(struct gen *g, unsigned c, struct gproc *p, unsigned from)
{
  struct unmap_run u = { .pid = p->pid, .cpu = c };
  for (unsigned i = from; i < MAXPG; i++) {
    if (!p->pa[i]) {
      unmap_flush(g, &u);
      continue;
    }
    int last = --*refs(g, p->pa[i]) == 0;
    unmap_page(g, &u, page_va(i), p->pa[i], p->cow[i] ? PERM_COW : PERM_URW, last);
    p->pa[i] = 0;
    p->cow[i] = 0;
  }
  unmap_flush(g, &u);
}

// in_fault: a fault maps its own page; folded, its end record says the kalloc and map.
static int map_page(struct gen *g, unsigned c, struct gproc *p, unsigned i, int in_fault)
{
  uint64 pa = g->fold ? take_page(g) : kalloc(g, c, p->pid);
  if (!pa)
    return 0;
  if (!(g->fold && in_fault))
    emit(g, c, VMT_MAP, p->pid, g->fold ? VMT_MAP_ALLOCATED : 0, PERM_URW, page_va(i), pa);
  p->pa[i] = pa;
  p->cow[i] = 0;
  *refs(g, pa) = 1;
  return 1;
}

// ---- Process life --------------------------------------------------------------------

static struct gproc *running(struct gen *g, unsigned c)
{
  return g->cpu[c].running ? &g->proc[g->cpu[c].running - 1] : NULL;
}

static void switch_to(struct gen *g, unsigned c, struct gproc *p)
{
  struct gproc *old = running(g, c);
  if (old)
    old->cpu = -1;
  g->cpu[c].running = p ? (uint32)(p - g->proc) + 1 : 0;
  if (p)
    p->cpu = (int)c;
  emit(g, c, VMT_SWITCH, p ? p->pid : 0, 0, 0, 0, 0);
}

static void do_exit(struct gen *g, unsigned c, struct gproc *p, int status)
{
  free_heap(g, c, p, 0);
  free_page_tables(g, c, p);
  emit(g, c, VMT_EXIT, p->pid, 0, (uint32)status, 0, 0);
  p->alive = 0;
  switch_to(g, c, NULL);
}

static struct gproc *free_slot(struct gen *g)
{
  for (unsigned i = 1; i < g->maxlive && i < MAXPROC; i++)
    if (!g->proc[i].alive)
      return &g->proc[i];
  return NULL;
}

// A copy-on-write fork: the child maps the parent's present pages, one share per run,
// and they become COW in both.
static void share_heap(struct gen *g, unsigned c, struct gproc *p, struct gproc *k)
{
  for (unsigned i = 0, j; i < MAXPG; i = j) {
    for (j = i; j < MAXPG && p->pa[j]; j++) {
      k->pa[j] = p->pa[j];
      k->cow[j] = p->cow[j] = 1;
      ++*refs(g, p->pa[j]);
    }
    if (j > i)
      emit(g, c, VMT_SHARE, k->pid, VMT_SHARE_COW, p->pid, page_va(i), j - i);
    else
      j++;
  }
}

// The child gets the parent's present pages: shared copy-on-write, or else a copy of
// each (kalloc + map in the child's name).
static void do_fork(struct gen *g, unsigned c, struct gproc *p)
{
  struct gproc *k = free_slot(g);
  if (!k)
    return;
  *k = *p;
  k->npt = 0;
  k->pid = g->nextpid++;
  k->cpu = -1;
  k->killed = 0;
  memset(k->pa, 0, sizeof k->pa);
  memset(k->cow, 0, sizeof k->cow);
  if (g->h.version >= 4 && !g->copyfork) {
    share_heap(g, c, p, k);
    emit(g, c, VMT_FORK, p->pid, 0, k->pid, 0, 0);
    return;
  }
  emit(g, c, VMT_FORK, p->pid, 0, k->pid, 0, 0);
  for (unsigned i = 0; i < MAXPG; i++)
    if (p->pa[i] && !map_page(g, c, k, i, 0))
      break;
}

static void do_exec(struct gen *g, unsigned c, struct gproc *p)
{
  static const char *const progs[] = { "lazytests", "usertests", "sh", "ls", "stressfs",
                                       "grind", "echo", "a-name-of-16char" };
  free_heap(g, c, p, 0);
  free_page_tables(g, c, p);
  p->brk = HEAPBASE;
  p->eager = below(g, 4) == 0;
  const char *prog = progs[below(g, 8)];
  memset(p->name, 0, sizeof p->name);
  memcpy(p->name, prog, strnlen(prog, sizeof p->name));
  uint64 a = 0, b = 0;
  for (int i = 0; i < 8; i++) {
    a |= (uint64)(unsigned char)p->name[i] << 8 * i;
    b |= (uint64)(unsigned char)p->name[8 + i] << 8 * i;
  }
  emit(g, c, VMT_EXEC, p->pid, 0, (uint32)p->brk, a, b);   // arg: the image's size
}

// ---- What a running process does -----------------------------------------------------

static void do_sbrk(struct gen *g, unsigned c, struct gproc *p);

// The call chain of the fault just begun on CPU c: return addresses in a 4 KiB text.
static void emit_chain(struct gen *g, unsigned c, uint32 pid)
{
  uint32 ret[VMT_CHAIN_MAX] = { 0 };
  unsigned n = below(g, VMT_CHAIN_MAX + 1);
  unsigned flags = n == VMT_CHAIN_MAX && below(g, 2) ? n | VMT_CHAIN_TRUNCATED : n;
  for (unsigned i = 0; i < n; i++)
    ret[i] = 0x1000 + 4 * below(g, 1024);
  emit(g, c, VMT_FAULT_CHAIN, pid, flags, ret[0], ret[1] | (uint64)ret[2] << 32,
       ret[3] | (uint64)ret[4] << 32);
}

// A write to shared page i: taken over if no one else maps it any more, else copied
// into a new page (the shared one unmapped inside the fault), or out of memory.
static void do_cow_fault(struct gen *g, unsigned c, struct gproc *p, unsigned i)
{
  unsigned source = below(g, 8) == 0 ? VMT_SRC_KERNEL : VMT_SRC_USER;
  uint64 va = page_va(i), old = p->pa[i], pa;
  unsigned n = *refs(g, old);
  uint32 arg = VMT_END_COW | (n < VMT_END_REFS_MAX ? n : VMT_END_REFS_MAX) << VMT_END_REFS_SHIFT;
  emit(g, c, VMT_FAULT_BEGIN, p->pid, source | VMT_ACC_WRITE << 4, 15, va + 8,
       0x1000 + 4 * below(g, 1024));
  if (g->chains)
    emit_chain(g, c, p->pid);
  if (n == 1) {
    emit(g, c, VMT_FAULT_END, p->pid, source, arg | VMT_OUT_TAKEN, va + 8, old);
    p->cow[i] = 0;
    return;
  }
  if (!(pa = g->fold ? take_page(g) : kalloc(g, c, p->pid))) {
    emit(g, c, VMT_FAULT_END, p->pid, source, arg | VMT_OUT_NOMEM, va + 8, 0);
    do_exit(g, c, p, -1);
    return;
  }
  --*refs(g, old);
  emit(g, c, VMT_UNMAP, p->pid, 0, PERM_COW, va, old);
  if (!g->fold)
    emit(g, c, VMT_MAP, p->pid, 0, PERM_URW, va, pa);
  else
    arg |= VMT_END_KALLOC | VMT_END_MAP | PERM_URW << VMT_END_PERM_SHIFT;
  emit(g, c, VMT_FAULT_END, p->pid, source, arg | VMT_OUT_COPIED, va + 8, pa);
  p->pa[i] = pa;
  p->cow[i] = 0;
  *refs(g, pa) = 1;
}

// A shared page of p, or -1 if it has none (looked for from a random page on).
static int shared_page(struct gen *g, const struct gproc *p)
{
  unsigned start = below(g, MAXPG);
  for (unsigned k = 0; k < MAXPG; k++)
    if (p->cow[(start + k) % MAXPG])
      return (int)((start + k) % MAXPG);
  return -1;
}

// A lazy fault on an untouched heap page; sometimes an illegal address instead, which
// kills the process, and out of memory kills it too. Or a write to a shared page.
static void do_fault(struct gen *g, unsigned c, struct gproc *p)
{
  int s = below(g, 3) == 0 ? shared_page(g, p) : -1;
  if (s >= 0) {
    do_cow_fault(g, c, p, (unsigned)s);
    return;
  }
  unsigned n = npages(p), i = n ? below(g, n) : 0, k = 0;
  while (k < n && p->pa[(i + k) % n])
    k++;
  if (k == n) {                       // every heap page is present: grow first
    do_sbrk(g, c, p);
    return;
  }
  int illegal = below(g, 30) == 0;
  uint64 va = illegal ? p->brk + 4096 * below(g, 16) : page_va((i + k) % n);
  unsigned source = below(g, 8) == 0 ? VMT_SRC_KERNEL : VMT_SRC_USER;
  unsigned access = below(g, 3) ? VMT_ACC_WRITE : VMT_ACC_READ;
  emit(g, c, VMT_FAULT_BEGIN, p->pid, source | access << 4, access ? 15 : 13, va + 8,
       0x1000 + 4 * below(g, 1024));
  if (g->chains)
    emit_chain(g, c, p->pid);
  if (!illegal && p->npt < 8 && below(g, 8) == 0)   // the mapping needs a new page table
    if ((p->pt[p->npt] = kalloc_for(g, c, p->pid, VMT_PAGE_TABLE)) != 0)
      p->npt++;
  if (illegal) {
    emit(g, c, VMT_FAULT_END, p->pid, source, VMT_OUT_ILLEGAL, va + 8, 0);
    do_exit(g, c, p, -1);
  } else if (!map_page(g, c, p, (i + k) % n, 1)) {
    emit(g, c, VMT_FAULT_END, p->pid, source, VMT_OUT_NOMEM, va + 8, 0);
    do_exit(g, c, p, -1);
  } else {
    uint32 implies = g->fold ? VMT_END_KALLOC | VMT_END_MAP | PERM_URW << VMT_END_PERM_SHIFT : 0;
    emit(g, c, VMT_FAULT_END, p->pid, source, VMT_OUT_MAPPED | implies, va + 8,
         p->pa[(i + k) % n]);
  }
}

// Grows (lazily, or eagerly with kalloc + map outside any fault) or shrinks the heap.
static void do_sbrk(struct gen *g, unsigned c, struct gproc *p)
{
  unsigned n = npages(p), want = n;
  if (n && below(g, 4) == 0)
    want = n - 1 - below(g, n);
  else if (n < MAXPG)
    want = n + 1 + below(g, MAXPG - n < 8 ? MAXPG - n : 8);
  uint64 old = p->brk;
  if (want < n)
    free_heap(g, c, p, want);
  p->brk = page_va(want) - (want && below(g, 2) ? below(g, 4096) : 0);
  emit(g, c, VMT_SBRK, p->pid, 0, p->eager ? MEMPOLICY_EAGER : MEMPOLICY_LAZY, old, p->brk);
  for (unsigned i = n; p->eager && i < want; i++)
    if (!map_page(g, c, p, i, 0))
      break;
}

// A marker like the test suites write, split into 16-byte pieces.
static void do_marker(struct gen *g, unsigned c, struct gproc *p)
{
  char text[64];
  int len = snprintf(text, sizeof text, "test %llu: %s", (unsigned long long)g->written,
                     below(g, 2) ? "sbrk and touch every page" : "ok");
  for (int at = 0; at < len; at += 16) {
    uint64 w[2] = { 0, 0 };
    for (int i = 0; i < 16 && at + i < len; i++)
      w[i / 8] |= (uint64)(unsigned char)text[at + i] << 8 * (i % 8);
    emit(g, c, VMT_MARKER, p ? p->pid : 0, at + 16 < len ? VMT_MORE : 0, 0, w[0], w[1]);
  }
}

static void do_kill(struct gen *g, unsigned c, struct gproc *p)
{
  struct gproc *v = &g->proc[1 + below(g, g->maxlive - 1)];
  if (!v->alive || v == p)
    return;
  emit(g, c, VMT_KILL, p->pid, 0, v->pid, 0, 0);
  v->killed = 1;
}

// A runnable process not running elsewhere, or NULL.
static struct gproc *pick_runnable(struct gen *g)
{
  unsigned start = below(g, MAXPROC);
  for (unsigned k = 0; k < MAXPROC; k++) {
    struct gproc *p = &g->proc[(start + k) % MAXPROC];
    if (p->alive && p->cpu < 0)
      return p;
  }
  return NULL;
}

// init (proc[0]) only forks, writes markers and yields: it must outlive everything.
static void act_init(struct gen *g, unsigned c, struct gproc *p)
{
  unsigned r = below(g, 100);
  if (r < 50)
    do_fork(g, c, p);
  else if (r < 60)
    do_marker(g, c, p);
  else
    switch_to(g, c, pick_runnable(g));
}

static void act(struct gen *g, unsigned c, struct gproc *p)
{
  unsigned r = below(g, 1000);
  if (p == g->proc)
    act_init(g, c, p);
  else if (p->killed)
    do_exit(g, c, p, -1);
  else if (r < 550)
    do_fault(g, c, p);
  else if (r < 680)
    do_sbrk(g, c, p);
  else if (r < 720)
    do_marker(g, c, p);
  else if (r < 760)
    do_fork(g, c, p);
  else if (r < 775)
    do_exec(g, c, p);
  else if (r < 800)
    do_exit(g, c, p, (int)below(g, 3));
  else if (r < 805)
    do_kill(g, c, p);
  else if (r < 900)
    switch_to(g, c, pick_runnable(g));
}

// Kernel work with no process: a page borrowed and given back, or a kernel marker.
static void idle(struct gen *g, unsigned c)
{
  unsigned r = below(g, 100);
  if (r < 60) {
    switch_to(g, c, pick_runnable(g));
  } else if (r < 70) {
    uint64 pa = kalloc(g, c, 0);
    if (pa)
      kfree(g, c, 0, pa);
  } else if (r < 72) {
    do_marker(g, c, NULL);
  } else {
    g->now += 10 + below(g, 100);
  }
}

// ---- Command line --------------------------------------------------------------------

static const char usage[] =
  "usage: vmtgen [options] [-o OUT]\n"
  "Writes a synthetic vmtrace recording (OUT, default standard output).\n"
  "  -s, --seed S        random seed (default 1); the same seed gives the same bytes\n"
  "  -n, --events N      about N records (default 10000)\n"
  "  -c, --cpus C        CPUs in the header, 1..8 (default 3)\n"
  "  -a, --active A      CPUs that produce records (default all); the rest stay silent\n"
  "  -p, --procs P       most processes alive at once, 2..64 (default 8)\n"
  "  -k, --chunk K       records per CPU drained at once (default 256)\n"
  "  -d, --drop D        drop D records in 1000 (default 0)\n"
  "  -f, --free-pages F  free physical pages at the start (default 32768)\n"
  "  -C, --chains        follow each fault's begin with its call chain\n"
  "  -v, --format-version V  the header's version, from the oldest readers accept to\n"
  "                      the current (default); version 1 has no chains, before 4\n"
  "                      forks copy, before 5 every unmap is a record of its own\n"
  "  -F, --fold          let records stand for those they imply (version 3 on)\n"
  "  -Y, --copy-fork     forks copy the heap (version 4 forks share it copy-on-write)\n"
  "  -z, --hz HZ         timer frequency (default 10000000)\n"
  "  -S, --stats         print vmtcheck --expect options for the counts on stderr\n"
  "  -h, --help          this text\n";

static uint64 num(const char *s, uint64 lo, uint64 hi, const char *what)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || end == s || *end || *s == '-' || v < lo || v > hi) {
    fprintf(stderr, "vmtgen: bad %s '%s' (see --help)\n", what, s);
    exit(2);
  }
  return v;
}

static void parse(struct gen *g, int argc, char **argv, const char **out, int *stats)
{
  static const struct option lo[] = {
    { "seed", 1, 0, 's' }, { "events", 1, 0, 'n' }, { "cpus", 1, 0, 'c' },
    { "active", 1, 0, 'a' }, { "procs", 1, 0, 'p' }, { "chunk", 1, 0, 'k' },
    { "drop", 1, 0, 'd' }, { "free-pages", 1, 0, 'f' }, { "hz", 1, 0, 'z' },
    { "stats", 0, 0, 'S' }, { "output", 1, 0, 'o' }, { "help", 0, 0, 'h' },
    { "chains", 0, 0, 'C' }, { "format-version", 1, 0, 'v' }, { "fold", 0, 0, 'F' },
    { "copy-fork", 0, 0, 'Y' },
    { 0, 0, 0, 0 },
  };
  int o;
  while ((o = getopt_long(argc, argv, "s:n:c:a:p:k:d:f:z:So:hCv:FY", lo, NULL)) != -1) {
    switch (o) {
    case 's': g->seed = num(optarg, 0, ~0ull, "seed"); break;
    case 'n': g->target = num(optarg, 1, 1ull << 40, "event count"); break;
    case 'c': g->ncpu = (unsigned)num(optarg, 1, NCPU, "cpu count"); break;
    case 'a': g->active = (unsigned)num(optarg, 1, NCPU, "active cpu count"); break;
    case 'p': g->maxlive = (unsigned)num(optarg, 2, MAXPROC, "process count"); break;
    case 'k': g->chunk = (unsigned)num(optarg, 1, 1 << 20, "chunk"); break;
    case 'd': g->drop = (unsigned)num(optarg, 0, 999, "drop rate"); break;
    case 'f': g->nfree = num(optarg, 0, 1 << 24, "free page count"); break;
    case 'z': g->h.timer_hz = num(optarg, 1, VMT_MAX_TIMER_HZ, "timer frequency"); break;
    case 'S': *stats = 1; break;
    case 'C': g->chains = 1; break;
    case 'F': g->fold = 1; break;
    case 'Y': g->copyfork = 1; break;
    case 'v':
      g->h.version = (uint32)num(optarg, VMT_VERSION_OLDEST, VMT_VERSION, "format version");
      break;
    case 'o': *out = optarg; break;
    case 'h': fputs(usage, stdout); exit(0);
    default: exit(2);
    }
  }
  if (optind != argc || g->active > g->ncpu || (g->chains && g->h.version && g->h.version < 2) ||
      (g->fold && g->h.version && g->h.version < 3)) {
    fprintf(stderr, "vmtgen: bad arguments (see --help)\n");
    exit(2);
  }
}

static void setup(struct gen *g)
{
  memcpy(g->h.magic, VMT_MAGIC, 8);
  if (!g->h.version)
    g->h.version = VMT_VERSION;
  g->h.header_size = sizeof(struct vmt_header);
  g->h.record_size = sizeof(struct vmt_record);
  g->h.ncpu = g->ncpu;
  g->h.page_size = 4096;
  g->h.free_pages = g->nfree;
  g->h.start_ts = g->now = 5000000;
  g->freepa = malloc((g->nfree + 1) * sizeof *g->freepa);
  g->refs = calloc(g->nfree + 1, sizeof *g->refs);
  for (uint64 i = 0; i < g->nfree; i++)
    g->freepa[i] = 0x80000000ull + 4096 * (g->nfree - i);
  for (unsigned c = 0; c < g->ncpu; c++)
    g->cpu[c].buf = malloc((size_t)g->chunk * sizeof(struct vmt_record));
  for (unsigned i = 0; i < MAXPROC; i++)
    g->proc[i].cpu = -1;
  g->proc[0] = (struct gproc){ .pid = 1, .alive = 1, .cpu = -1, .name = "init",
                               .brk = HEAPBASE };
  g->nextpid = 2;
}

static void print_stats(const struct gen *g)
{
  static const char *const outcome[] = { "mapped", "illegal", "protection", "nomem",
                                         "spurious", "copied", "taken" };
  for (unsigned t = 1; t < VMT_NTYPES; t++)
    fprintf(stderr, "--expect %s=%llu ", vmt_type_name(t), (unsigned long long)g->count[t]);
  for (unsigned o = 0; o <= VMT_OUT_TAKEN; o++)
    fprintf(stderr, "--expect fault_%s=%llu ", outcome[o], (unsigned long long)g->outcome[o]);
  fprintf(stderr, "--expect cow_nomem=%llu --expect share_pages=%llu "
          "--expect share_cow_pages=%llu --expect unmap_in_fault=%llu ",
          (unsigned long long)g->cow_nomem, (unsigned long long)g->share_pages,
          (unsigned long long)g->share_cow_pages, (unsigned long long)g->in_fault[VMT_UNMAP]);
  for (unsigned t = VMT_KALLOC; t <= VMT_UNMAP; t++)
    fprintf(stderr, "--expect %s_in_cow_fault=%llu ", vmt_type_name(t),
            (unsigned long long)g->in_cow_fault[t]);
  fprintf(stderr, "--expect ptpages_in_fault=%llu ", (unsigned long long)g->ptpages_in_fault);
  fprintf(stderr, "--expect kalloc_in_fault=%llu --expect map_in_fault=%llu "
          "--expect dropped=%llu --expect records=%llu ",
          (unsigned long long)g->in_fault[VMT_KALLOC], (unsigned long long)g->in_fault[VMT_MAP],
          (unsigned long long)g->lost, (unsigned long long)g->written);
  if (!g->drop)        // with drops, the records no longer tell every kalloc and kfree
    fprintf(stderr, "--expect free_pages_end=%llu\n", (unsigned long long)g->nfree);
}

int main(int argc, char **argv)
{
  static struct gen g = { .seed = 1, .target = 10000, .ncpu = 3, .maxlive = 8,
                          .chunk = 256, .nfree = 32768, .h.timer_hz = 10000000 };
  const char *out = "-";
  int stats = 0;
  unsigned char hb[sizeof(struct vmt_header)];
  parse(&g, argc, argv, &out, &stats);
  if (!g.active)
    g.active = g.ncpu;
  setup(&g);
  g.out = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
  if (!g.out) {
    fprintf(stderr, "vmtgen: %s: %s\n", out, strerror(errno));
    return 1;
  }
  vmt_encode_header(&g.h, hb);
  fwrite(hb, sizeof hb, 1, g.out);
  while (g.written < g.target) {
    unsigned c = below(&g, g.active);
    struct gproc *p = running(&g, c);
    if (p)
      act(&g, c, p);
    else
      idle(&g, c);
  }
  for (unsigned c = 0; c < g.ncpu; c++) {
    if (g.cpu[c].pending_lost)          // the final drain reports the last drops
      emit(&g, c, VMT_LOST, 0, 0, 0, 0, 0);
    drain(&g, &g.cpu[c]);
  }
  if (stats)
    print_stats(&g);
  return fclose(g.out) == 0 ? 0 : 1;
}
