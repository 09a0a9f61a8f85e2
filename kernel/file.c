// Open files: the system-wide table that file descriptors point into, and the
// dispatch from read/write/close on a file to its pipe, inode or device driver.
//
// A struct file is shared: dup() and fork() hand out more references to the same
// slot, so they share one offset. A slot is free when its ref count is 0; only
// ftable.lock guards ref. The other fields are set once by whoever allocated the
// slot (before anyone else can see it) and are read-only afterwards, except off,
// which the inode lock serialises.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/stat.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/riscv.h"
#include "kernel/proc.h"
#include "kernel/inode.h"
#include "kernel/log.h"
#include "kernel/pipe.h"
#include "kernel/file.h"
#include "kernel/usercopy.h"
#include "kernel/printf.h"

// Drivers fill in their entry at boot (consoleinit, the vmtrace device); an entry
// left all zero means "no such device".
struct devsw devsw[NDEV];

static struct {
  struct spinlock lock;
  struct file slot[NFILE];
} ftable;

// The largest write that fits in one log transaction of MAXOPBLOCKS blocks.
// Besides the data blocks it dirties, a write may touch the inode block, the
// indirect block and two more blocks when its ends are not block-aligned; and
// each newly allocated data block may dirty a bitmap block too, hence the halving.
#define MAXWRITE_PER_OP (((MAXOPBLOCKS - 1 - 1 - 2) / 2) * BSIZE)

void
fileinit(void)
{
  initlock(&ftable.lock, "ftable");
}

// A free slot with ref 1 and every other field cleared (type FD_NONE), or 0 if
// the table is full. Until the caller sets type, fileclose() just frees the slot,
// which is how a half-built open is undone.
struct file *
filealloc(void)
{
  struct file *f;

  acquire(&ftable.lock);
  for (f = ftable.slot; f < ftable.slot + NFILE; f++) {
    if (f->ref == 0) {
      *f = (struct file){ .type = FD_NONE, .ref = 1 };
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

// Another reference to f, for dup() and fork(). The caller must already hold one.
struct file *
filedup(struct file *f)
{
  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("filedup: file not open");
  f->ref++;
  release(&ftable.lock);
  return f;
}

// The driver for major, or 0 if major names no device (a corrupt or foreign
// device node must not index outside devsw).
static struct devsw *
device(short major)
{
  if (major < 0 || major >= NDEV)
    return 0;
  return &devsw[major];
}

// Drop a file's inode reference. iput may free the inode (its last link is gone),
// which writes the disk, so it needs a transaction of its own.
static void
put_inode(struct inode *ip)
{
  begin_op();
  iput(ip);
  end_op();
}

// Let go of what an unreferenced file held. Runs without ftable.lock because
// closing a pipe may wake sleepers and putting an inode may write the disk.
static void
release_backing(struct file *f)
{
  switch (f->type) {
  case FD_PIPE:
    pipeclose(f->pipe, f->writable);
    break;
  case FD_DEVICE: {
    struct devsw *d = device(f->major);
    if (d && d->close)
      d->close(f->readable, f->writable);
    put_inode(f->ip);
    break;
  }
  case FD_INODE:
    put_inode(f->ip);
    break;
  case FD_NONE:
    break;
  }
}

// Drop one reference; the last one releases the pipe, device or inode behind f.
// The caller must not be inside a transaction if f may be an inode or device file.
void
fileclose(struct file *f)
{
  struct file gone;

  acquire(&ftable.lock);
  if (f->ref < 1)
    panic("fileclose: file not open");
  if (--f->ref > 0) {
    release(&ftable.lock);
    return;
  }
  // Keep a private copy so the slot can be reused as soon as the lock is dropped.
  gone = *f;
  f->type = FD_NONE;
  release(&ftable.lock);

  release_backing(&gone);
}

// Copy f's metadata to the user address addr (a struct stat). Pipes have none.
int
filestat(struct file *f, uint64 addr)
{
  struct stat st;

  if (f->type != FD_INODE && f->type != FD_DEVICE)
    return -1;
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return copyout(myproc()->pagetable, addr, (char *)&st, sizeof(st));
}

static int
device_read(struct file *f, uint64 addr, int n)
{
  struct devsw *d = device(f->major);

  if (d == 0 || d->read == 0)
    return -1;
  int r = d->read(1, addr, n, f->off);
  if (r > 0)
    f->off += r;
  return r;
}

static int
device_write(struct file *f, uint64 addr, int n)
{
  struct devsw *d = device(f->major);

  if (d == 0 || d->write == 0)
    return -1;
  return d->write(1, addr, n);
}

static int
inode_read(struct file *f, uint64 addr, int n)
{
  int r;

  ilock(f->ip);
  r = readi(f->ip, 1, addr, f->off, n);
  if (r > 0)
    f->off += r;
  iunlock(f->ip);
  return r;
}

// Write in pieces small enough for one transaction each, so that a large write
// cannot overflow the log. Each piece is atomic; the whole write is not.
// Returns n, or -1 if any piece came up short (disk full, bad user address).
static int
inode_write(struct file *f, uint64 addr, int n)
{
  int done = 0;

  while (done < n) {
    int want = n - done;
    int r;

    if (want > MAXWRITE_PER_OP)
      want = MAXWRITE_PER_OP;

    begin_op();
    ilock(f->ip);
    r = writei(f->ip, 1, addr + done, f->off, want);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    end_op();

    if (r != want)
      return -1;
    done += r;
  }
  return n;
}

// Read up to n bytes into user address addr. Returns the bytes read (0 at end of
// file), or -1.
int
fileread(struct file *f, uint64 addr, int n)
{
  if (!f->readable || n < 0)
    return -1;

  switch (f->type) {
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE:
    return device_read(f, addr, n);
  case FD_INODE:
    return inode_read(f, addr, n);
  default:
    panic("fileread: bad file type");
  }
}

// Write n bytes from user address addr. Returns n, or -1 (a pipe or device may
// report a shorter count).
int
filewrite(struct file *f, uint64 addr, int n)
{
  if (!f->writable || n < 0)
    return -1;

  switch (f->type) {
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE:
    return device_write(f, addr, n);
  case FD_INODE:
    return inode_write(f, addr, n);
  default:
    panic("filewrite: bad file type");
  }
}
