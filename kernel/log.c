// The write-ahead log. A file-system operation changes several blocks (an inode, a
// bitmap block, a directory block...), and a crash between those writes would leave the
// disk inconsistent. So no operation writes a block home directly: log_write only notes
// the block, and at commit time all noted blocks go first to the log area, then a header
// naming them (the commit point), and only then to their home locations. After a crash,
// initlog finds either no committed header (the operation never happened) or a complete
// one, which it installs again (installing twice is harmless). Either way the disk holds
// all of an operation or none of it.
//
// Group commit: operations from several processes share one transaction. begin_op
// admits an operation only if the log can hold the worst case of every admitted one
// (MAXOPBLOCKS each), and the transaction commits when the last of them calls end_op.
// Every end_op returns only once its transaction has committed, so a system call that
// returned has reached the disk: a program that saw close() return knows its file
// survives a power cut (the crash test, make crashtest, checks exactly that).
//
// Disk layout, from block sb.logstart:
//   [ header | copy of block[0] | copy of block[1] | ... ]   (sb.nlog blocks in all)
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/buf.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/proc.h"
#include "kernel/log.h"

// The header block (struct logheader, kernel/fs.h), on disk and in memory: the home block
// numbers of the first n slots.
_Static_assert(sizeof(struct logheader) <= BSIZE, "log header must fit in one block");

// wal.lock protects outstanding, committing, committed and hdr. The committing process
// uses hdr without the lock: committing keeps every other process out of the log meanwhile.
static struct {
  struct spinlock lock;
  uint dev;
  uint start;               // block number of the header
  int outstanding;          // operations between begin_op and end_op
  int committing;           // a commit is writing; begin_op must wait
  uint committed;           // transactions committed since boot; the open one is next
  struct logheader hdr;     // the open transaction's blocks
} wal;

static void
read_header(void)
{
  struct buf *b = bread(wal.dev, wal.start);
  memmove(&wal.hdr, b->data, sizeof(wal.hdr));
  brelse(b);
  if (wal.hdr.n > LOG_SLOTS)
    panic("initlog: log header is corrupt");
}

// Writing a header with n > 0 is the commit point; with n == 0, it empties the log.
static void
write_header(void)
{
  struct buf *b = bread(wal.dev, wal.start);
  memmove(b->data, &wal.hdr, sizeof(wal.hdr));
  bwrite(b);
  brelse(b);
}

// Copy each noted block from the cache into its log slot.
static void
write_slots(void)
{
  for (uint i = 0; i < wal.hdr.n; i++) {
    struct buf *from = bread(wal.dev, wal.hdr.block[i]);
    struct buf *to = bread(wal.dev, wal.start + 1 + i);
    memmove(to->data, from->data, BSIZE);
    bwrite(to);
    brelse(to);
    brelse(from);
  }
}

// Copy each log slot to its home block. During recovery nothing is pinned; after a
// normal commit, the home blocks were pinned by log_write and are released here.
static void
install(int recovering)
{
  for (uint i = 0; i < wal.hdr.n; i++) {
    struct buf *from = bread(wal.dev, wal.start + 1 + i);
    struct buf *home = bread(wal.dev, wal.hdr.block[i]);
    memmove(home->data, from->data, BSIZE);
    bwrite(home);
    if (!recovering)
      bunpin(home);
    brelse(home);
    brelse(from);
  }
}

static void
recover(void)
{
  read_header();
  // A crash after a commit point and before the log was emptied: say so, so that a
  // test killing the machine can count the recoveries that had work to do.
  if (wal.hdr.n > 0)
    printf("log: recovery installed %d blocks of a committed transaction\n", wal.hdr.n);
  install(1);
  wal.hdr.n = 0;
  write_header();
}

void
initlog(int dev, struct superblock *sb)
{
  // begin_op's admission rule assumes LOGSIZE blocks; a smaller log on disk would let
  // a transaction overrun it.
  if (sb->nlog < LOGSIZE)
    panic("initlog: log on disk is smaller than LOGSIZE");
  initlock(&wal.lock, "log");
  wal.dev = dev;
  wal.start = sb->logstart;
  recover();
}

// Caller must not hold wal.lock: commit sleeps on disk I/O. Only the process that set
// committing calls this, so nothing else touches hdr or the log blocks meanwhile.
static void
commit(void)
{
  if (wal.hdr.n == 0)
    return;
  write_slots();
  write_header();
  install(0);
  wal.hdr.n = 0;
  write_header();
}

// True if one more operation may join the open transaction. Caller holds wal.lock.
static int
room_for_one_more(void)
{
  return wal.hdr.n + (wal.outstanding + 1) * MAXOPBLOCKS <= LOG_SLOTS;
}

void
begin_op(void)
{
  acquire(&wal.lock);
  while (wal.committing || !room_for_one_more())
    sleep(&wal, &wal.lock);
  wal.outstanding++;
  release(&wal.lock);
}

// Returns once the operation's transaction has committed. Caller holds no sleep lock
// (an inode's, a buffer's): the operations still running in the transaction, which it
// waits for, may need it.
void
end_op(void)
{
  acquire(&wal.lock);
  if (wal.committing)
    panic("end_op: called during a commit");
  wal.outstanding--;
  if (wal.outstanding > 0) {
    // Returning now would let the caller report success for changes that a crash before
    // the last operation's end_op would lose: wait for the commit. Waiting, the
    // operation no longer counts as outstanding, and its unused reservation may be
    // what a waiting begin_op needs.
    uint mine = wal.committed + 1;
    wakeup(&wal);
    while ((int)(wal.committed - mine) < 0)   // wraps safely
      sleep(&wal, &wal.lock);
    release(&wal.lock);
    return;
  }
  wal.committing = 1;
  release(&wal.lock);

  commit();
  acquire(&wal.lock);
  wal.committing = 0;
  wal.committed++;
  wakeup(&wal);
  release(&wal.lock);
}

// Note that b belongs to the open transaction. Writing a block again in the same
// transaction takes no extra slot ("absorption"). The pin keeps b in the cache until
// install() has written it home: the disk copy is stale until then.
void
log_write(struct buf *b)
{
  acquire(&wal.lock);
  if (wal.outstanding < 1)
    panic("log_write: outside begin_op/end_op");

  uint i = 0;
  while (i < wal.hdr.n && wal.hdr.block[i] != b->blockno)
    i++;
  if (i == wal.hdr.n) {
    if (wal.hdr.n >= LOG_SLOTS)
      panic("log_write: transaction too big");
    wal.hdr.block[wal.hdr.n++] = b->blockno;
    bpin(b);
  }
  release(&wal.lock);
}
