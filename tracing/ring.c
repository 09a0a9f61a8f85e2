// Per-CPU trace ring buffers.
//
//   producer: the CPU itself, in any context,         reader: /dev/vmtrace read(),
//   with interrupts off (so never re-entered)         on any CPU, one at a time
//
//        tail                         head
//         |                            |
//   [ ... | rec | rec | rec | ... | rec | free ... ]   slot = index % cap
//
// There is one producer and one consumer per ring and each index has one writer:
// head belongs to the producer, tail to the reader. The producer fills a slot, then
// publishes it with a release store of head; the reader loads head with acquire, copies
// the slots out, then frees them with a release store of tail. No lock is taken on the
// emit path, and no CPU ever writes another CPU's ring.
//
// When the ring is full the new record is dropped, not the oldest: what was written
// stays consistent, and the drop is counted. Every record, kept or dropped, takes a
// sequence number; the next time there is room, a VMT_LOST record carrying the count is
// written first, so a reader sees a gap of exactly that many sequence numbers just before
// the VMT_LOST record that explains it.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/usercopy.h"
#include "tracing/ring.h"

#ifndef FAULTLINE_NO_TRACE   // compiled out: tracing/trace.h makes every trace point empty

struct trace_ring trace_rings[NCPU];

static uint32 reset_generation;

static uint64 load_acquire(uint64 *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void store_release(uint64 *p, uint64 v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

// A reset asked for by the reader takes effect here, in the producer, which owns seq.
static void apply_reset(struct trace_ring *r)
{
  uint32 gen = __atomic_load_n(&reset_generation, __ATOMIC_ACQUIRE);
  if (r->reset_seen != gen) {
    r->reset_seen = gen;
    r->seq = 0;
    r->pending_lost = 0;
    r->lost_total = 0;
  }
}

static void put_slot(struct trace_ring *r, struct vmt_record *rec)
{
  rec->seq = r->seq++;
  r->slots[r->head % r->cap] = *rec;
  store_release(&r->head, r->head + 1);
}

static void put_lost(struct trace_ring *r, const struct vmt_record *like)
{
  struct vmt_record lost = *like;
  lost.type = VMT_LOST;
  lost.flags = 0;
  lost.arg = 0;
  lost.a = r->pending_lost;
  lost.b = 0;
  put_slot(r, &lost);
  r->pending_lost = 0;
}

int ring_put(int cpu, struct vmt_record *rec)
{
  struct trace_ring *r = &trace_rings[cpu];
  apply_reset(r);
  uint64 used = r->head - load_acquire(&r->tail);
  uint64 need = r->pending_lost ? 2 : 1;
  if (used + need > r->cap) {
    r->seq++;
    r->pending_lost++;
    r->lost_total++;
    return 0;
  }
  if (r->pending_lost)
    put_lost(r, rec);
  put_slot(r, rec);
  uint64 mark = r->cap / 4;
  return used < mark && used + need >= mark;
}

uint64 ring_fill(int cpu)
{
  struct trace_ring *r = &trace_rings[cpu];
  return load_acquire(&r->head) - r->tail;
}

// Copies in at most two runs (to the end of the slot array, then from its start), not
// record by record: each either_copyout translates the user page and copies byte by
// byte, and per-record calls made the reader cost about 600 instructions a record.
long ring_take(int cpu, int user, uint64 dst, uint64 max)
{
  struct trace_ring *r = &trace_rings[cpu];
  uint64 avail = load_acquire(&r->head) - r->tail;
  uint64 n = avail < max ? avail : max;
  for (uint64 done = 0; done < n; ) {
    uint64 first = (r->tail + done) % r->cap;
    uint64 run = r->cap - first < n - done ? r->cap - first : n - done;
    if (either_copyout(user, dst + done * sizeof(struct vmt_record), &r->slots[first],
                       run * sizeof(struct vmt_record)) < 0)
      return -1;
    done += run;
  }
  store_release(&r->tail, r->tail + n);
  return n;
}

void ring_flush_lost(int cpu)
{
  struct trace_ring *r = &trace_rings[cpu];
  if (r->pending_lost == 0 || r->head - r->tail >= r->cap)
    return;
  struct vmt_record like = { .ts = r_time(), .cpu = cpu };
  put_lost(r, &like);
}

// Caller (the reader side) must make sure no producer can be mid-emit with a stale cap:
// tracing is disabled and every CPU has left the emit path (see trace_reset).
void ring_reset(uint32 cap)
{
  for (int i = 0; i < NCPU; i++) {
    struct trace_ring *r = &trace_rings[i];
    r->cap = cap;
    store_release(&r->tail, load_acquire(&r->head));
  }
  __atomic_fetch_add(&reset_generation, 1, __ATOMIC_RELEASE);
}

#endif // FAULTLINE_NO_TRACE
