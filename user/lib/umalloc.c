// malloc and free for user programs.
//
// The heap is the region sbrk hands out. Free memory is kept as a list of blocks sorted
// by address, so that free can see whether a returned block touches its neighbours and
// merge them: without merging, a heap cut into small pieces could never satisfy a large
// request again even when all of it is free.
//
// Every block, free or in use, starts with a header giving its size. Sizes count units
// of sizeof(struct header) (16 bytes), which keeps every block, and so every pointer
// malloc returns, 16-byte aligned: enough for any type on RISC-V.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

struct header {
  struct header *next;   // next free block at a higher address (free blocks only)
  uint64 units;          // size of the whole block, header included
};

// Ask sbrk for at least this much at a time (64 KiB, as xv6 does), so that a series of
// small mallocs costs few system calls. Under a lazy sbrk policy the unused part costs
// no physical memory until it is touched.
#define MIN_GROW_UNITS 4096

static struct header *free_list;   // lowest-addressed free block, or 0

static struct header *
end_of(struct header *h)
{
  return h + h->units;
}

// Puts block b on the free list in address order, merging it with the blocks directly
// before and after it when they are adjacent in memory.
static void
insert_free(struct header *b)
{
  struct header *prev = 0, *next = free_list;

  while (next && next < b) {
    prev = next;
    next = next->next;
  }

  if (next && end_of(b) == next) {
    b->units += next->units;
    b->next = next->next;
  } else {
    b->next = next;
  }

  if (prev && end_of(prev) == b) {
    prev->units += b->units;
    prev->next = b->next;
  } else if (prev) {
    prev->next = b;
  } else {
    free_list = b;
  }
}

void
free(void *p)
{
  if (p == 0)
    return;
  insert_free((struct header *)p - 1);
}

// Extends the heap by at least units and adds the new memory to the free list.
// Returns 0 when sbrk refuses.
static int
grow(uint64 units)
{
  uint64 bytes, pad;
  char *mem;
  struct header *h;

  if (units < MIN_GROW_UNITS)
    units = MIN_GROW_UNITS;
  bytes = units * sizeof(struct header);
  if (bytes > 0x7fffffff - sizeof(struct header))   // sbrk takes an int
    return 0;
  // A program may have moved the break by an odd amount itself; skip to the next
  // 16-byte boundary so that the alignment promise above still holds.
  pad = -(uint64)sbrk(0) % sizeof(struct header);
  mem = sbrk((int)(bytes + pad));
  if (mem == (char *)-1)
    return 0;
  h = (struct header *)(mem + pad);
  h->units = units;
  insert_free(h);
  return 1;
}

// Takes units from the first free block big enough. A larger block is split and its
// head handed out; the rest takes the block's place in the list. Handing out heads
// keeps what is left of the heap's top block at the top, where the next grow merges
// with it: handing out tails would strand the bottom of every grown chunk as a small
// free block, and a program that mallocs until memory runs out (xv6's usertests mem)
// would walk thousands of them on every malloc and free.
static void *
take_first_fit(uint64 units)
{
  struct header *prev = 0, *b;

  for (b = free_list; b; prev = b, b = b->next) {
    if (b->units < units)
      continue;
    struct header *rest = b->next;
    if (b->units > units) {
      rest = b + units;
      rest->units = b->units - units;
      rest->next = b->next;
      b->units = units;
    }
    if (prev)
      prev->next = rest;
    else
      free_list = rest;
    return b + 1;
  }
  return 0;
}

void *
malloc(uint nbytes)
{
  // Round up to whole units and add one for the header.
  uint64 units = ((uint64)nbytes + sizeof(struct header) - 1) / sizeof(struct header) + 1;
  void *p;

  p = take_first_fit(units);
  if (p == 0 && grow(units))
    p = take_first_fit(units);
  return p;
}
