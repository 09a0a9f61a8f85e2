// What the converter remembers about each process (name, page counters, its track) in a
// hash table of bounded size, so memory stays bounded however many processes a recording
// creates. Exited processes are forgotten when room is needed (the table grows only when
// most entries are live); a pid that comes back after that starts afresh (name unknown,
// counters at 0). If the table is full of live
// processes (only possible when EXIT records were lost), procs_get returns NULL and the
// converter shows that process's events without per-process state.
#ifndef FAULTLINE_VMT_PROCS_H
#define FAULTLINE_VMT_PROCS_H

#include "kernel/types.h"
#include "tools/convert/vmt_thin.h"

#define VMT_NAME_MAX   16          // bytes of a name in VMT_EXEC
#define VMT_PROCS_MIN   (1u << 10) // slots at first; the table doubles when half full
#define VMT_PROCS_SLOTS (1u << 16) // ... up to this: 32,768 processes, ~15 MiB

// A page event outside a fault, held until the next record on its track shows whether
// it is the first half of a pair (see vmt_pairs.c).
struct vmt_held {
  uint64 ns, va, pa;
  uint32 perm;
  uint16 type;           // VMT_KALLOC or VMT_UNMAP; 0 when nothing is held
};

// Completed pairs of one kind in a row on a track, not yet written: one slice once
// something else comes (see vmt_pairs.c). Page i of the run has va + i * page size.
struct vmt_run {
  uint64 ns, end_ns;     // the first pair's first record, the last pair's second
  uint64 va, pa;         // of the first page
  uint32 perm;
  uint32 pages;          // pairs in the run; 0 when there is no run
  uint16 type;           // the pairs' first halves: VMT_KALLOC or VMT_UNMAP
};

// One timeline row of the output: where its events go, and what is open on it.
struct vmt_track {
  uint32 pid, tid;       // JSON coordinates
  uint64 last_end;       // end (ns) of the last slice with a duration on this track
  int fault;             // index of its open fault in the converter's table, or -1
  struct vmt_held held;
  struct vmt_run run;
};

// A fork's shares seen so far, in the parent: written as one event with the FORK.
struct vmt_forking {
  uint32 child;          // 0: none
  uint32 runs;
  uint64 first_ns, pages, cow;
};

struct vmt_proc {
  uint32 pid;            // 0: empty slot
  uint8 dead;            // VMT_EXIT seen
  uint8 named;           // name is known (from FORK or EXEC)
  uint8 announced;       // process_name/thread_name written for the current name
  uint8 vknown;          // vpages is known (not since EXEC without a SBRK)
  char name[VMT_NAME_MAX];
  long long resident;    // user pages mapped in its page table (vmt_space.h)
  long long cow;         // of which copy-on-write (version 4 recordings)
  uint64 vpages;         // break / page size, rounded up
  uint64 exec_ts;        // when EXEC replaced the image
  uint64 image_size;     // bytes, as EXEC reported (0: unknown); checks its symbols
  struct vmt_thin resident_thin, virtual_thin, cow_thin;   // what its counters hold back
  struct vmt_track track;
  struct vmt_forking forking;
  uint32 shares;         // its newest share in the converter's history (vmt_shares.h)
};

struct vmt_procs {
  struct vmt_proc *slot;
  // Called with each exited process just before it is forgotten (if set), so that its
  // owner can write out what it still holds for it.
  void (*on_forget)(void *ctx, struct vmt_proc *p);
  void *ctx;
  uint32 cap;            // slots (a power of two)
  uint32 n;              // slots in use
  uint32 ndead;          // of which exited (procs_set_dead keeps count)
  uint64 forgotten;      // exited processes dropped to make room
};

int procs_init(struct vmt_procs *t);           // 0, or -1 if out of memory
void procs_free(struct vmt_procs *t);
struct vmt_proc *procs_find(struct vmt_procs *t, uint32 pid);
// Finds or creates; NULL when there is no room even after forgetting exited processes.
// *created tells whether it is new. May move every entry: pointers from earlier calls
// are stale afterwards.
struct vmt_proc *procs_get(struct vmt_procs *t, uint32 pid, int *created);
// Marks a process exited (or alive again, when its pid is reused by FORK).
void procs_set_dead(struct vmt_procs *t, struct vmt_proc *p, int dead);

#endif
