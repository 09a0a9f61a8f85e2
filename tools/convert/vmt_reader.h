// Streaming reader of a vmtrace recording: checks the header, then hands out records one
// at a time with their byte offsets, rejecting any record that cannot be what a kernel
// wrote. Memory is one fixed read buffer whatever the size of the input.
//
// What is impossible (each an error naming the byte offset):
//   header: wrong magic, version outside VMT_VERSION_OLDEST..VMT_VERSION, header or
//     record size other than this build's structs, ncpu outside 1..NCPU, timer_hz
//     outside 1..VMT_MAX_TIMER_HZ, page size not a power of two in 256..1 GiB, reserved
//     flags set, free_pages above VMT_MAX_FREE_PAGES (2^48 pages is more memory than
//     Sv39 can address).
//   record: fewer bytes than a record at the end of the input (truncated), type outside
//     the enum, a call chain in version 1, a fault end that implies its page's kalloc
//     or map (version 3) with an outcome other than MAPPED (or COPIED, version 4),
//     copy-on-write bits (VMT_END_COW, references) before version 4 or on an outcome
//     a copy-on-write fault cannot have, COPIED or TAKEN without VMT_END_COW, a share
//     before version 4, of 0 pages, not page-aligned, or reaching past VMT_USER_TOP,
//     with unknown flags, an unmap of several pages (VMT_UNMAP_PAGES) before version 5,
//     of a count outside 1..VMT_UNMAP_PAGES_MAX, with unknown flags, not page-aligned or
//     reaching past VMT_USER_TOP, with a used frame slot 0 or an unused slot (or a bit
//     outside the slots) not 0, a plain unmap with flags other than VMT_UNMAP_FREED
//     (version 5), cpu >= ncpu, pid above
//     VMT_MAX_PID (the kernel's pids are positive ints),
//     a VMT_LOST count above VMT_MAX_LOST (sequence numbers are 32-bit: a buffer cannot
//     drop more between two reports without the gap becoming ambiguous),
//     ts before start_ts, ts more than VMT_MAX_SPAN_S seconds after start_ts, or ts
//     smaller than the previous record of the same CPU (a CPU's ring has one producer:
//     interrupt handlers record nothing and no process is switched out in the middle of
//     a record, tracing/emit.c; so each CPU's records are in time order).
#ifndef FAULTLINE_VMT_READER_H
#define FAULTLINE_VMT_READER_H

#include <stdio.h>

#include "kernel/param.h"
#include "tracing/vmtrace_format.h"

#define VMT_MAX_SPAN_S     86400ull              // one day of recording
#define VMT_MAX_TIMER_HZ   10000000000ull        // 10 GHz
#define VMT_MAX_FREE_PAGES (1ull << 48)
#define VMT_MAX_PID        0x7fffffffu
#define VMT_MAX_LOST       0xffffffffull
#define VMT_READ_CHUNK     (1u << 20)
// The end of user space: Sv39's MAXVA (kernel/riscv.h, which a host cannot include).
#define VMT_USER_TOP       (1ull << 38)

struct vmt_reader {
  FILE *f;
  struct vmt_header hdr;
  unsigned char *buf;
  size_t len, pos;          // bytes held in buf, index of the next unread byte
  int eof;
  uint64 off;               // input offset of buf[pos]
  uint64 max_ts;            // last possible timestamp
  uint64 last_ts[NCPU];     // latest timestamp seen on each CPU
  uint64 nrecords;
  char err[256];            // "offset N: what is wrong", set when a call fails
};

// Reads and checks the header. 0 on success; -1 with r->err set (then call close).
int vmt_reader_open(struct vmt_reader *r, FILE *f);
// Next record and its offset: 1, or 0 at a clean end of input, or -1 with r->err set.
int vmt_reader_next(struct vmt_reader *r, struct vmt_record *rec, uint64 *off);
void vmt_reader_close(struct vmt_reader *r);

// A checked record's timestamp as nanoseconds after the header's start_ts.
uint64 vmt_ns(const struct vmt_header *h, uint64 ts);

#endif
