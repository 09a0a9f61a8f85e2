// Per-CPU trace ring buffers. See tracing/ring.c for the design.
#ifndef FAULTLINE_RING_H
#define FAULTLINE_RING_H

#include "kernel/types.h"
#include "tracing/vmtrace_format.h"

// Most records one CPU's ring can hold; `bufsize` (vmtracectl) picks a smaller size.
#define TRACE_RING_MAX 32768
#define TRACE_RING_DEFAULT 32768

struct trace_ring {
  // Written only by the ring's own CPU (the producer), interrupts off.
  uint64 head;              // records ever written
  uint32 seq;               // sequence number of the next record, kept or dropped
  uint64 pending_lost;      // dropped since the last VMT_LOST record
  uint64 lost_total;        // dropped since reset
  uint32 reset_seen;        // last reset generation the producer applied
  // Written only by the reader.
  uint64 tail;              // records ever consumed
  // Set by reset, read by both.
  uint32 cap;               // slots in use (<= TRACE_RING_MAX)
  struct vmt_record slots[TRACE_RING_MAX];
};

extern struct trace_ring trace_rings[];

// Producer side; caller has interrupts off and runs on `cpu`. Returns 1 when this record
// brought the ring to its watermark (a quarter full): time to wake the reader.
int ring_put(int cpu, struct vmt_record *rec);
// Reader side: records available / buffered on cpu's ring.
uint64 ring_fill(int cpu);
// Reader side: copy up to max whole records from cpu's ring to dst (a user address if
// user). Returns the number copied, or -1 if the copy faulted (nothing consumed).
long ring_take(int cpu, int user, uint64 dst, uint64 max);
// Write the VMT_LOST record for drops not yet reported (if there is room). Reader side,
// only while every producer is quiet (tracing disabled and trace_quiesce done), so that
// a recording's last drops reach the reader instead of vanishing with the disable.
void ring_flush_lost(int cpu);
// Discard everything and restart sequence numbers with cap slots per CPU. Reader side;
// producers apply the sequence restart on their next record.
void ring_reset(uint32 cap);

#endif
