// Per-CPU trace ring buffers. The design is drawn at the top of tracing/ring.c; the
// producer's fast path is here, inline, because it runs for every event recorded.
#ifndef FAULTLINE_RING_H
#define FAULTLINE_RING_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

// Most records one CPU's ring can hold; `bufsize` (vmtracectl) picks a smaller size.
// Sizes are powers of two, so that a slot index is a mask, not a division.
#define TRACE_RING_MAX 32768
#define TRACE_RING_DEFAULT 32768
#define TRACE_RING_MIN 16

// The ring's policy for a ring of size records. At RING_WAKE_LEVEL the reader is woken,
// so that it drains well before anything is dropped; at RING_HOLD_LEVEL and above the
// reader is falling behind, and the process producing is held back until the reader
// has drained the ring to RING_WAKE_LEVEL again (tracing/vmtrace_dev.c).
#define RING_WAKE_LEVEL(size) ((uint64)((size) / 4))
#define RING_HOLD_LEVEL(size) (3 * RING_WAKE_LEVEL(size))

struct trace_ring {
  // Written only by the ring's own CPU (the producer), on the emit path, which is never
  // preempted or re-entered (tracing/emit.c); reset writes them too, but only while
  // every producer is quiet (see ring_reset).
  uint64 head;              // records ever written
  uint32 seq;               // sequence number of the next record, kept or dropped
  uint32 busy;              // inside trace_emit (tracing/emit.c), for trace_stop
  uint64 pending_lost;      // dropped since the last VMT_LOST record
  // head may reach this without a look at the reader's tail: up to it, every record
  // finds room and stays below the wake level (so no drops wait either). Worked out
  // from a tail the producer read, which only grows, so it is never too high; 0 after
  // a drop or a reset, until a commit that reads the tail works it out again (no drops
  // wait at a commit: ring_put_slow writes their VMT_LOST first).
  uint64 calm_until;
  uint64 lost_total;        // dropped since reset
  // Where the pid this CPU's records carry is kept: the running process's trace_pid
  // (kernel/proc.h), or a 0 while none runs (trace_running, called by the scheduler
  // with interrupts off, so never under an emit). Never null once reset has run.
  const int *pidp;
  // Written only by the reader, on a cache line of its own.
  uint64 tail __attribute__((aligned(64)));   // records ever consumed
  // Set by reset: slots in use - 1 (a power of two minus one, < TRACE_RING_MAX), and
  // the ring's RING_WAKE_LEVEL and RING_HOLD_LEVEL for that size.
  uint32 mask;
  uint32 wake_level, hold_level;
  struct vmt_record slots[TRACE_RING_MAX];
};

// The rings live in ring.c; other files reach one only through ring_of, which is inline
// because the emit path asks for its ring on every record. It loads the ring's address
// from a table (filled by ring_reset) rather than computing it: a load and a shift, where
// indexing the array takes a multiply, and GCC, knowing the address was the array's
// plus an offset, addressed fields from the symbol again instead of from the ring.
extern struct trace_ring *trace_ring_at[];
// 0, where a ring's pidp points while no process runs on its CPU.
extern const int ring_no_pid;

static inline struct trace_ring *ring_of(uint64 cpu)
{
  return trace_ring_at[cpu];
}

// Release stores and acquire loads as RISC-V fences around plain accesses. This GCC
// writes every __atomic store as an amoswap, which QEMU's TCG runs as a helper call with
// its own address lookup (two per record were a good part of an emit's cost); and it
// writes every __atomic fence as a full fence, where release and acquire need only
// these halves (which cost nothing on an x86 host).
#define STORE_RELEASE(lvalue, v)                          \
  do {                                                    \
    asm volatile("fence rw,w" : : : "memory");            \
    *(volatile __typeof__(lvalue) *)&(lvalue) = (v);      \
  } while (0)
#define LOAD_ACQUIRE(lvalue)                                       \
  ({                                                               \
    __typeof__(lvalue) v_ = *(volatile __typeof__(lvalue) *)&(lvalue); \
    asm volatile("fence r,rw" : : : "memory");                     \
    v_;                                                            \
  })

// Producer side: append rec to r, the ring of the CPU the emit path runs on; rec->seq is
// filled in here. If the ring is full the record is dropped and counted. Returns 1 when
// the reader should be woken (see ring_commit), or the record followed a loss.
int ring_put_slow(struct trace_ring *r, struct vmt_record *rec);

// Producer side: whether the next n records (at most the ring's size) can go straight
// into their slots (no drops waiting to be reported, and room). If not, use
// ring_put_slow.
static inline int ring_has_room_for(struct trace_ring *r, uint32 n)
{
  if (__builtin_expect(r->head + n <= r->calm_until, 1))
    return 1;
  uint64 used = r->head - LOAD_ACQUIRE(r->tail);
  return r->pending_lost == 0 && used <= (uint64)r->mask + 1 - n;
}

static inline int ring_has_room(struct trace_ring *r)
{
  return ring_has_room_for(r, 1);
}

// Producer side, after ring_has_room_for: the slot k records past the next (k below the
// room found), its seq filled in; slots are taken in order, k = 0, 1, ... The caller
// fills the rest and publishes them all with ring_commit_n.
static inline struct vmt_record *ring_slot_ahead(struct trace_ring *r, uint32 k)
{
  struct vmt_record *slot = &r->slots[(r->head + k) & r->mask];
  slot->seq = r->seq++;
  return slot;
}

static inline struct vmt_record *ring_next_slot(struct trace_ring *r)
{
  return ring_slot_ahead(r, 0);
}

// Publish the n records ring_slot_ahead handed out. Returns 1 if the ring has just
// reached RING_WAKE_LEVEL with one of them (time to wake the reader), and for every
// commit while it is at RING_HOLD_LEVEL or above (time to hold back whichever process
// is producing; a level, not an edge, because the process running when the edge was
// crossed may have been one that is never held).
static inline int ring_commit_n(struct trace_ring *r, uint32 n)
{
  uint64 head = r->head + n;
  STORE_RELEASE(r->head, head);
  if (__builtin_expect(head <= r->calm_until, 1))
    return 0;
  uint64 tail = LOAD_ACQUIRE(r->tail);
  uint64 used = head - tail;
  r->calm_until = tail + r->wake_level - 1;   // no drops wait: a record follows its VMT_LOST
  // used - n < wake <= used: one of the n reached the wake level (unsigned: one compare).
  return used - r->wake_level < n || used >= r->hold_level;
}

static inline int ring_commit(struct trace_ring *r)
{
  return ring_commit_n(r, 1);
}

// Producer side, after ring_has_room: copy a whole record into the next slot (its seq
// filled in) and publish it; returns as ring_commit.
static inline int ring_store(struct trace_ring *r, struct vmt_record *rec)
{
  struct vmt_record *slot = ring_next_slot(r);
  rec->seq = slot->seq;
  *slot = *rec;
  return ring_commit(r);
}

// Producer side: append a record built in memory, straight into its slot when there is
// room, else through ring_put_slow. Returns as ring_put_slow.
static inline int ring_put(struct trace_ring *r, struct vmt_record *rec)
{
  if (__builtin_expect(ring_has_room(r), 1))
    return ring_store(r, rec);
  return ring_put_slow(r, rec);
}

// Reader side: records available / buffered on cpu's ring.
uint64 ring_fill(int cpu);
// Records dropped on cpu's ring since the last reset.
uint64 ring_lost(int cpu);
// Records each ring holds, as set by the last ring_reset.
uint32 ring_size(void);
// Reader side: copy up to max whole records from cpu's ring to dst (a user address if
// user). Returns the number copied, or -1 if the copy faulted (nothing consumed).
long ring_take(int cpu, int user, uint64 dst, uint64 max);
// Write the VMT_LOST record for drops not yet reported (if there is room). Reader side,
// only while every producer is quiet (trace_stop done), so that
// a recording's last drops reach the reader instead of vanishing with the disable.
void ring_flush_lost(int cpu);
// Discard everything and restart sequence numbers and drop counts with cap slots per
// CPU (rounded down to a power of two). Only while every producer is quiet (trace_stop
// done). Returns the size used.
uint32 ring_reset(uint32 cap);

#endif
