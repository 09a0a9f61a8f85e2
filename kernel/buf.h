// The buffer cache: in-memory copies of disk blocks, one sleeping owner at a time.
#ifndef FAULTLINE_BUF_H
#define FAULTLINE_BUF_H

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/sleeplock.h"

struct buf {
  int valid;               // data holds the block's contents
  int disk;                // the disk driver owns it (I/O in flight)
  uint dev;
  uint blockno;
  struct sleeplock lock;
  uint refcnt;
  struct buf *prev;        // LRU list
  struct buf *next;
  uchar data[BSIZE];
};

void binit(void);
// The locked buffer for (dev, blockno), read from disk if not cached.
struct buf *bread(uint dev, uint blockno);
void bwrite(struct buf *b);    // caller holds b->lock
void brelse(struct buf *b);    // unlock and drop the reference
// Keep b cached (the log holds on to blocks it has not yet installed).
void bpin(struct buf *b);
void bunpin(struct buf *b);

#endif
