// Per-CPU trace ring buffers.
//
//   producer: the CPU itself, on the emit path,       reader: /dev/vmtrace read(),
//   never preempted nor re-entered (emit.c)           on any CPU, one at a time
//
//        tail                         head
//         |                            |
//   [ ... | rec | rec | rec | ... | rec | free ... ]   slot = index & (cap - 1)
//
// There is one producer and one consumer per ring and each index has one writer:
// head belongs to the producer, tail to the reader. The producer fills a slot, then
// publishes it with a release store of head; the reader loads head with acquire, copies
// the slots out, then frees them with a release store of tail. No lock is taken on the
// emit path, and no CPU ever writes another CPU's ring.
//
// Most records need no look at tail at all: the producer keeps calm_until, the head it
// may reach before the ring could fill or reach the reader's wake level, worked out
// from the last tail it read (tail only grows, so the figure errs low). Below it a
// record costs a slot, its stores and the release of head; the first record past it
// reads tail again, to wake the reader when it reaches that level (ring_commit_n) or
// to find the ring full, as follows.
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

static struct trace_ring trace_rings[NCPU];
struct trace_ring *trace_ring_at[NCPU];
const int ring_no_pid = 0;
static uint32 ring_slots;   // records per ring, set by ring_reset

static uint64 load_acquire(uint64 *p) { return LOAD_ACQUIRE(*p); }
static void store_release(uint64 *p, uint64 v) { STORE_RELEASE(*p, v); }

// A VMT_LOST record for the drops not yet reported. The caller has made room for it.
// Drops belong to a CPU, not to a process: its pid is 0.
static void put_lost(struct trace_ring *r, uint64 ts)
{
  struct vmt_record *slot = ring_next_slot(r);
  *slot = (struct vmt_record){
    .ts = ts, .seq = slot->seq, .type = VMT_LOST, .cpu = r - trace_rings, .a = r->pending_lost,
  };
  r->pending_lost = 0;
  ring_commit(r);
}

// The path ring_has_room turns away: the ring is full, or drops wait to be reported. A
// record may only follow its drops' VMT_LOST record, so it needs room for both.
int ring_put_slow(struct trace_ring *r, struct vmt_record *rec)
{
  uint64 used = r->head - load_acquire(&r->tail);
  uint64 need = r->pending_lost ? 2 : 1;
  if (used + need > (uint64)r->mask + 1) {
    r->seq++;
    r->pending_lost++;
    r->calm_until = 0;
    r->lost_total++;
    return 0;
  }
  int after_loss = r->pending_lost != 0;
  if (after_loss)
    put_lost(r, rec->ts);
  return ring_store(r, rec) || after_loss;   // after a loss the reader is behind: wake it
}

uint64 ring_fill(int cpu)
{
  struct trace_ring *r = &trace_rings[cpu];
  return load_acquire(&r->head) - r->tail;
}

// Copies in at most two runs (to the end of the slot array, then from its start), not
// record by record: each either_copyout walks the user page table before it copies, and
// per-record calls (with byte-by-byte copies, then) cost the reader about 600
// instructions a record.
long ring_take(int cpu, int user, uint64 dst, uint64 max)
{
  struct trace_ring *r = &trace_rings[cpu];
  uint64 avail = load_acquire(&r->head) - r->tail;
  uint64 n = avail < max ? avail : max;
  for (uint64 done = 0; done < n; ) {
    uint64 first = (r->tail + done) & r->mask;
    uint64 cap = (uint64)r->mask + 1;
    uint64 run = cap - first < n - done ? cap - first : n - done;
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
  if (r->pending_lost == 0 || r->head - r->tail > r->mask)
    return;
  put_lost(r, r_time());
}

uint64 ring_lost(int cpu)
{
  return trace_rings[cpu].lost_total;
}

uint32 ring_size(void)
{
  return ring_slots;
}

// The caller guarantees no producer is mid-emit: tracing is disabled and every CPU has
// left the emit path (trace_stop; see reset_rings in tracing/control.c); the next emit
// comes after tracing is enabled again, which orders it after these stores.
uint32 ring_reset(uint32 cap)
{
  uint32 size = TRACE_RING_MIN;
  while (size * 2 <= cap && size * 2 <= TRACE_RING_MAX)
    size *= 2;
  for (int i = 0; i < NCPU; i++) {
    struct trace_ring *r = &trace_rings[i];
    trace_ring_at[i] = r;
    if (r->pidp == 0)
      r->pidp = &ring_no_pid;   // the first reset (trace_init), before the scheduler runs
    r->mask = size - 1;
    r->wake_level = RING_WAKE_LEVEL(size);
    r->hold_level = RING_HOLD_LEVEL(size);
    r->seq = 0;
    r->pending_lost = 0;
    r->calm_until = 0;
    r->lost_total = 0;
    store_release(&r->tail, load_acquire(&r->head));
  }
  ring_slots = size;
  return size;
}

#endif // FAULTLINE_NO_TRACE
