// The buffer cache: NBUF in-memory copies of disk blocks.
//
// It does two jobs. It saves disk reads, keeping recently used blocks around; and it is
// the one place a block lives in memory, so two processes working on the same block see
// the same bytes, and its sleeplock lets only one of them use it at a time.
//
// The buffers form a circular list through a sentinel, most recently released first.
// A lookup walks it from the front (recent blocks are the likely hits); recycling walks
// it from the back, taking the least recently released buffer that nobody holds.
//
// cache.lock protects the list and each buffer's dev, blockno and refcnt. A buffer's
// sleeplock protects its valid flag and data; recycling may clear valid without it,
// because a buffer is recycled only when refcnt is 0 and so nobody can hold the lock.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/buf.h"
#include "kernel/printf.h"
#include "kernel/virtio_disk.h"

static struct {
  struct spinlock lock;
  struct buf buf[NBUF];
  struct buf lru;   // sentinel: lru.next is the most recently released buffer
} cache;

static void
list_remove(struct buf *b)
{
  b->next->prev = b->prev;
  b->prev->next = b->next;
}

static void
list_push_front(struct buf *b)
{
  b->next = cache.lru.next;
  b->prev = &cache.lru;
  cache.lru.next->prev = b;
  cache.lru.next = b;
}

void
binit(void)
{
  initlock(&cache.lock, "bcache");
  cache.lru.next = cache.lru.prev = &cache.lru;
  for (struct buf *b = cache.buf; b < cache.buf + NBUF; b++) {
    initsleeplock(&b->lock, "buffer");
    list_push_front(b);
  }
}

// The cached buffer for (dev, blockno) with a new reference, or 0. Caller holds cache.lock.
static struct buf *
lookup(uint dev, uint blockno)
{
  for (struct buf *b = cache.lru.next; b != &cache.lru; b = b->next) {
    if (b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      return b;
    }
  }
  return 0;
}

// Reassign the least recently used idle buffer to (dev, blockno), contents invalid.
// Caller holds cache.lock.
static struct buf *
recycle(uint dev, uint blockno)
{
  for (struct buf *b = cache.lru.prev; b != &cache.lru; b = b->prev) {
    if (b->refcnt == 0) {
      b->dev = dev;
      b->blockno = blockno;
      b->valid = 0;
      b->refcnt = 1;
      return b;
    }
  }
  // Every buffer is held. The log limits how many blocks an operation keeps, so
  // running out means NBUF is too small for the system's concurrency: a kernel bug.
  panic("bget: no free buffers");
}

// The buffer for (dev, blockno), locked, holding the block only if valid is set.
// A block has at most one buffer: lookup and recycle happen under one hold of
// cache.lock, so two processes missing on the same block cannot both recycle.
static struct buf *
bget(uint dev, uint blockno)
{
  acquire(&cache.lock);
  struct buf *b = lookup(dev, blockno);
  if (b == 0)
    b = recycle(dev, blockno);
  release(&cache.lock);
  acquiresleep(&b->lock);
  return b;
}

struct buf *
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);
  if (!b->valid) {
    virtio_disk_rw(b, 0);
    b->valid = 1;
  }
  return b;
}

void
bwrite(struct buf *b)
{
  if (!holdingsleep(&b->lock))
    panic("bwrite: buffer not locked");
  virtio_disk_rw(b, 1);
}

// The caller must not use b afterwards. An idle buffer keeps its block: a later bread
// of the same block is a hit until the buffer is recycled.
void
brelse(struct buf *b)
{
  if (!holdingsleep(&b->lock))
    panic("brelse: buffer not locked");
  releasesleep(&b->lock);

  acquire(&cache.lock);
  b->refcnt--;
  if (b->refcnt == 0) {
    list_remove(b);
    list_push_front(b);
  }
  release(&cache.lock);
}

// The extra reference keeps b from being recycled while not locked, so a block the log
// has not yet written home keeps its only up-to-date copy in memory.
void
bpin(struct buf *b)
{
  acquire(&cache.lock);
  b->refcnt++;
  release(&cache.lock);
}

void
bunpin(struct buf *b)
{
  acquire(&cache.lock);
  if (b->refcnt == 0)
    panic("bunpin: not pinned");
  b->refcnt--;
  release(&cache.lock);
}
