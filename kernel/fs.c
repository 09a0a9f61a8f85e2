// The file system above the log: blocks, inodes, file contents, directories and paths.
//
// Layers, bottom up, each using only the ones before it:
//   blocks       allocate and free data blocks in the on-disk bitmap
//   inodes       the in-memory inode table: reference counts, locking, disk copies
//   contents     map a file's block numbers to disk blocks; readi, writei, itrunc
//   directories  files of struct dirent; look names up, add names
//   paths        walk "a/b/c" one element at a time from "/" or the current directory
//
// Every function that changes the disk runs inside a transaction (begin_op/end_op, the
// caller's job) and changes blocks only through log_write.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/stat.h"
#include "kernel/buf.h"
#include "kernel/log.h"
#include "kernel/inode.h"
#include "kernel/kstring.h"
#include "kernel/printf.h"
#include "kernel/proc.h"
#include "kernel/usercopy.h"

// One per machine: there is only the root disk. Read once by fsinit, then constant.
static struct superblock sb;

static void reclaim_orphans(uint dev);

// Whether the image was laid out from the same kernel/fs.h and kernel/param.h as this
// kernel: programs size their work by those headers, so the disk must be what they say.
static int
geometry_matches(const struct superblock *s)
{
  return s->size == FSSIZE && s->nblocks == FSSIZE - FS_NMETA && s->ninodes == FSINODES &&
         s->nlog == LOGSIZE && s->logstart == FS_LOGSTART &&
         s->inodestart == FS_INODESTART && s->bmapstart == FS_BMAPSTART;
}

void
fsinit(int dev)
{
  struct buf *b = bread(dev, 1);
  memmove(&sb, b->data, sizeof(sb));
  brelse(b);
  if (sb.magic != FSMAGIC)
    panic("fsinit: bad superblock magic (fs.img not made by tools/mkfs?)");
  if (!geometry_matches(&sb))
    panic("fsinit: fs.img's geometry is not kernel/fs.h's (rebuild it: make fs.img)");
  initlog(dev, &sb);
  reclaim_orphans(dev);
}

// ---- Blocks ---------------------------------------------------------------------------

// New blocks start zeroed, so a file never exposes a previous owner's data and a fresh
// indirect block reads as "no blocks yet".
static void
bzero(uint dev, uint blockno)
{
  struct buf *b = bread(dev, blockno);
  memset(b->data, 0, BSIZE);
  log_write(b);
  brelse(b);
}

// Claim a free block, zeroed. Returns its number, or 0 if the disk is full (block 0 is
// the boot block, always marked in use, so 0 can never be a real answer).
static uint
balloc(uint dev)
{
  for (uint base = 0; base < sb.size; base += BPB) {
    struct buf *b = bread(dev, BBLOCK(base, sb));
    for (uint bit = 0; bit < BPB && base + bit < sb.size; bit++) {
      uchar mask = 1 << (bit % 8);
      if ((b->data[bit / 8] & mask) == 0) {
        b->data[bit / 8] |= mask;
        log_write(b);
        brelse(b);
        bzero(dev, base + bit);
        return base + bit;
      }
    }
    brelse(b);
  }
  return 0;
}

static void
bfree(uint dev, uint blockno)
{
  struct buf *b = bread(dev, BBLOCK(blockno, sb));
  uint bit = blockno % BPB;
  uchar mask = 1 << (bit % 8);
  if ((b->data[bit / 8] & mask) == 0)
    panic("bfree: block already free");
  b->data[bit / 8] &= ~mask;
  log_write(b);
  brelse(b);
}

// ---- Inodes ---------------------------------------------------------------------------
//
// The inode table holds an in-memory struct inode for every inode some kernel code has
// a pointer to (ref > 0). A table entry goes through these states:
//   free       ref == 0; may be reused for any inode by iget
//   referenced ref > 0 (iget, idup; dropped by iput), but fields not yet read: valid == 0
//   valid      ilock has read the disk copy; the fields are only used with ip->lock held
// The inode is freed on disk (type 0) when the last reference goes and no directory
// entry names it (nlink == 0).
//
// itable.lock protects every entry's dev, inum and ref; ip->lock protects the rest.
// Typical use:
//   ip = namei(path); ilock(ip); ... read or change ip ... iunlockput(ip);
// Callers hold references across operations (an open file, a cwd) and lock only while
// using the fields, so a long-lived reference does not block other processes.

static struct {
  struct spinlock lock;
  struct inode inode[ITABLE_SLOTS];
} itable;

void
iinit(void)
{
  initlock(&itable.lock, "itable");
  for (int i = 0; i < ITABLE_SLOTS; i++)
    initsleeplock(&itable.inode[i].lock, "inode");
}

// The on-disk copy of inode inum inside b, which must be block IBLOCK(inum, sb).
static struct dinode *
dinode_in(struct buf *b, uint inum)
{
  return (struct dinode *)b->data + inum % IPB;
}

// A referenced, unlocked table entry for (dev, inum); does not read the disk.
static struct inode *
iget(uint dev, uint inum)
{
  struct inode *empty = 0;

  acquire(&itable.lock);
  for (struct inode *ip = itable.inode; ip < itable.inode + ITABLE_SLOTS; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if (empty == 0 && ip->ref == 0)
      empty = ip;
  }
  // Returning 0 instead would make a lookup look like "no such name", and a create
  // would then add a duplicate entry; ITABLE_SLOTS is sized so this does not happen.
  if (empty == 0)
    panic("iget: inode table full");
  empty->dev = dev;
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  release(&itable.lock);
  return empty;
}

// A free inode on dev marked as type, referenced and unlocked; 0 if all are in use.
// Scanning and claiming happen with the inode block locked, so two creators cannot
// take the same inode.
struct inode *
ialloc(uint dev, short type)
{
  for (uint inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = dinode_in(b, inum);
    if (dip->type == 0) {
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      log_write(b);
      brelse(b);
      return iget(dev, inum);
    }
    brelse(b);
  }
  return 0;
}

// Write ip's fields to its disk copy. Call after every change to them; caller holds
// ip->lock and is inside a transaction.
void
iupdate(struct inode *ip)
{
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = dinode_in(b, ip->inum);
  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(b);
  brelse(b);
}

static void
read_dinode(struct inode *ip)
{
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = dinode_in(b, ip->inum);
  ip->type = dip->type;
  ip->major = dip->major;
  ip->minor = dip->minor;
  ip->nlink = dip->nlink;
  ip->size = dip->size;
  memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
  brelse(b);
}

struct inode *
idup(struct inode *ip)
{
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

// Lock ip, reading it from disk the first time. Caller holds a reference.
void
ilock(struct inode *ip)
{
  if (ip == 0 || ip->ref < 1)
    panic("ilock: no reference");
  acquiresleep(&ip->lock);
  if (!ip->valid) {
    read_dinode(ip);
    ip->valid = 1;
    if (ip->type == 0)
      panic("ilock: inode is free on disk");
  }
}

void
iunlock(struct inode *ip)
{
  if (ip == 0 || ip->ref < 1 || !holdingsleep(&ip->lock))
    panic("iunlock: not locked");
  releasesleep(&ip->lock);
}

// Release the last reference to an unlinked inode: free its blocks and the inode.
// Caller holds itable.lock, which is released and re-taken. ref == 1 means nobody else
// can hold ip->lock or obtain ip, so taking the sleeplock here cannot block, and nobody
// sees the inode half-freed.
static void
free_inode(struct inode *ip)
{
  acquiresleep(&ip->lock);
  release(&itable.lock);

  itrunc(ip);
  ip->type = 0;
  iupdate(ip);
  ip->valid = 0;

  releasesleep(&ip->lock);
  acquire(&itable.lock);
}

// Drop a reference. The last reference to an inode with no links frees it on disk, so
// every iput must be inside a transaction. Caller must not hold ip->lock.
void
iput(struct inode *ip)
{
  acquire(&itable.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0)
    free_inode(ip);
  ip->ref--;
  release(&itable.lock);
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// Free, with its blocks, every inode that has a type and no links. Called once at boot,
// after log recovery and before any process can hold an inode.
//
// After recovery the disk holds whole transactions only, and in those an inode with a
// type and nlink 0 is always one that was unlinked while a process still held it (an
// open file, a cwd) and not yet released: an orphan, which nothing can reach or release
// once the machine has stopped. No other committed state has one:
//   - create_in makes the inode (ialloc: type set, nlink 0), sets nlink 1 and names it
//     in its directory inside the one transaction of open/mkdir/mknod; when naming fails
//     it drops nlink to 0 and iput frees the inode, still in that transaction;
//   - link counts up before naming and back down on failure, in one transaction;
//   - unlink clears the entry and counts down in one transaction, whose iput frees the
//     inode at once unless someone else holds it; only then is nlink 0 committed with
//     the type still set, until the last holder's iput frees it in a later transaction.
// The kernel never writes the on-disk nlink to 0 for any other reason.
static void
reclaim_orphans(uint dev)
{
  int reclaimed = 0;
  for (uint inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = dinode_in(b, inum);
    int orphan = dip->type != 0 && dip->nlink == 0;
    brelse(b);
    if (!orphan)
      continue;
    // Truncating touches the inode's block and the bitmap blocks: within MAXOPBLOCKS.
    begin_op();
    struct inode *ip = iget(dev, inum);
    ilock(ip);
    iunlock(ip);
    iput(ip);   // the only reference, no links: frees the blocks and the inode
    end_op();
    reclaimed++;
  }
  if (reclaimed > 0)
    printf("fs: reclaimed %d orphaned inode%s\n", reclaimed, reclaimed == 1 ? "" : "s");
}

void
stati(struct inode *ip, struct stat *st)
{
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// ---- Contents -------------------------------------------------------------------------
//
// Block bn of a file is addrs[bn] for bn < NDIRECT, and entry bn - NDIRECT of the
// indirect block addrs[NDIRECT] after that. 0 means "not allocated".

// The disk block holding block bn of ip, or 0 if it has none. Caller holds ip->lock.
static uint
block_lookup(struct inode *ip, uint bn)
{
  if (bn < NDIRECT)
    return ip->addrs[bn];
  bn -= NDIRECT;
  if (bn >= NINDIRECT)
    panic("block_lookup: beyond MAXFILE");
  if (ip->addrs[NDIRECT] == 0)
    return 0;
  struct buf *b = bread(ip->dev, ip->addrs[NDIRECT]);
  uint addr = ((uint *)b->data)[bn];
  brelse(b);
  return addr;
}

// Like block_lookup, but allocate the block (and the indirect block) if missing.
// Returns 0 if the disk is full. Changes ip->addrs: the caller must iupdate.
static uint
block_ensure(struct inode *ip, uint bn)
{
  if (bn < NDIRECT) {
    if (ip->addrs[bn] == 0)
      ip->addrs[bn] = balloc(ip->dev);
    return ip->addrs[bn];
  }
  bn -= NDIRECT;
  if (bn >= NINDIRECT)
    panic("block_ensure: beyond MAXFILE");

  if (ip->addrs[NDIRECT] == 0)
    ip->addrs[NDIRECT] = balloc(ip->dev);
  if (ip->addrs[NDIRECT] == 0)
    return 0;

  struct buf *b = bread(ip->dev, ip->addrs[NDIRECT]);
  uint *entry = (uint *)b->data + bn;
  if (*entry == 0) {
    *entry = balloc(ip->dev);
    if (*entry != 0)
      log_write(b);
  }
  uint addr = *entry;
  brelse(b);
  return addr;
}

static void
free_indirect(struct inode *ip)
{
  struct buf *b = bread(ip->dev, ip->addrs[NDIRECT]);
  uint *entry = (uint *)b->data;
  for (uint i = 0; i < NINDIRECT; i++) {
    if (entry[i] != 0)
      bfree(ip->dev, entry[i]);
  }
  brelse(b);
  bfree(ip->dev, ip->addrs[NDIRECT]);
  ip->addrs[NDIRECT] = 0;
}

// Free all of ip's blocks and make it empty. Caller holds ip->lock, in a transaction.
void
itrunc(struct inode *ip)
{
  for (int i = 0; i < NDIRECT; i++) {
    if (ip->addrs[i] != 0) {
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  }
  if (ip->addrs[NDIRECT] != 0)
    free_indirect(ip);
  ip->size = 0;
  iupdate(ip);
}

// How many bytes to move next from or to file offset off: stay inside one disk block,
// and, for a user address, inside one user page. A copy that fails then fails as a
// whole, so the bytes counted as moved are exactly the ones that were.
static uint
chunk_size(uint off, uint left, int user, uint64 addr)
{
  uint m = BSIZE - off % BSIZE;
  if (user && PGSIZE - addr % PGSIZE < m)
    m = PGSIZE - addr % PGSIZE;
  return left < m ? left : m;
}

// Reads stop at the end of the file. Returns the bytes read (0 at or past the end), or
// -1 if the destination was bad before any byte was read. Caller holds ip->lock.
int
readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n)
{
  if (off >= ip->size)
    return 0;
  if (n > ip->size - off)
    n = ip->size - off;

  uint tot = 0;
  while (tot < n) {
    uint addr = block_lookup(ip, off / BSIZE);
    if (addr == 0)
      break;   // a hole; writei never makes one, so only a damaged disk has them
    uint m = chunk_size(off, n - tot, user_dst, dst);
    struct buf *b = bread(ip->dev, addr);
    int r = either_copyout(user_dst, dst, b->data + off % BSIZE, m);
    brelse(b);
    if (r < 0)
      return tot > 0 ? tot : -1;
    tot += m;
    off += m;
    dst += m;
  }
  return tot;
}

// Write n bytes at off, which may be at most the current size (no holes). The file
// never grows past MAXFILE blocks: a write that would is cut short there. Returns the
// bytes written, which is less than n if the disk filled, the file reached MAXFILE or
// the source went bad part way; -1 if nothing could be written. Caller holds ip->lock,
// in a transaction that has room for the blocks this write touches.
int
writei(struct inode *ip, int user_src, uint64 src, uint off, uint n)
{
  if (off > ip->size || off + n < off)
    return -1;
  uint limit = MAXFILE * BSIZE;
  if (off >= limit)
    return n == 0 ? 0 : -1;
  uint want = n < limit - off ? n : limit - off;

  uint tot = 0;
  while (tot < want) {
    uint addr = block_ensure(ip, off / BSIZE);
    if (addr == 0)
      break;   // disk full
    uint m = chunk_size(off, want - tot, user_src, src);
    struct buf *b = bread(ip->dev, addr);
    int r = either_copyin(b->data + off % BSIZE, user_src, src, m);
    // Log the block even if the copy failed: whatever reached b->data is in the cache
    // now, and the cache must never hold changes the log will not commit.
    log_write(b);
    brelse(b);
    if (r < 0)
      break;
    tot += m;
    off += m;
    src += m;
  }

  if (off > ip->size)
    ip->size = off;
  // Even without growth, block_ensure may have changed ip->addrs.
  iupdate(ip);
  return (tot == 0 && n > 0) ? -1 : tot;
}

// ---- Directories ----------------------------------------------------------------------

// Names are compared over at most DIRSIZ bytes: a name exactly DIRSIZ long is stored
// without a terminating NUL.
int
namecmp(const char *s, const char *t)
{
  return strncmp(s, t, DIRSIZ);
}

// The inode named name in directory dp (referenced, unlocked), or 0. If poff is not 0,
// *poff gets the entry's byte offset. Caller holds dp->lock.
struct inode *
dirlookup(struct inode *dp, char *name, uint *poff)
{
  if (dp->type != T_DIR)
    panic("dirlookup: not a directory");

  struct dirent de;
  for (uint off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlookup: cannot read directory");
    if (de.inum != 0 && namecmp(name, de.name) == 0) {
      if (poff)
        *poff = off;
      return iget(dp->dev, de.inum);
    }
  }
  return 0;
}

// Offset of the first free entry in dp, or dp->size if there is none (append).
static uint
free_dirent_offset(struct inode *dp)
{
  struct dirent de;
  uint off;
  for (off = 0; off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      panic("dirlink: cannot read directory");
    if (de.inum == 0)
      break;
  }
  return off;
}

// Add the entry (name, inum) to directory dp. Returns 0, or -1 if name is already there
// or the directory cannot grow (disk full). Caller holds dp->lock, in a transaction.
int
dirlink(struct inode *dp, char *name, uint inum)
{
  struct inode *ip = dirlookup(dp, name, 0);
  if (ip != 0) {
    iput(ip);
    return -1;
  }

  struct dirent de;
  memset(&de, 0, sizeof(de));
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  // An entry never straddles a block (BSIZE is a multiple of its size), so writei
  // writes all of it or nothing.
  if (writei(dp, 0, (uint64)&de, free_dirent_offset(dp), sizeof(de)) != sizeof(de))
    return -1;
  return 0;
}

// ---- Paths ----------------------------------------------------------------------------

// Copy the first element of path into name and return the rest of path, with the
// slashes after the element skipped; 0 if path has no element left. Examples:
//   "a/bb/c" -> name "a",  returns "bb/c"
//   "///a//" -> name "a",  returns ""
//   "" or "/" -> returns 0
// An element longer than DIRSIZ is cut to DIRSIZ bytes (unterminated, as in a dirent).
static char *
next_element(char *path, char *name)
{
  while (*path == '/')
    path++;
  if (*path == '\0')
    return 0;

  char *start = path;
  while (*path != '/' && *path != '\0')
    path++;
  int len = path - start;
  if (len >= DIRSIZ) {
    memmove(name, start, DIRSIZ);
  } else {
    memmove(name, start, len);
    name[len] = '\0';
  }

  while (*path == '/')
    path++;
  return path;
}

// Walk path to its inode (referenced, unlocked), or, if want_parent, to the directory
// holding its last element, with that element copied into name. 0 if any step fails.
// "." and ".." need no special case: every directory has entries for them on disk.
//
// Only one inode is locked at a time: the current directory is unlocked before its
// child is locked, so a walk through "." or ".." cannot deadlock on itself, and walks
// in opposite directions cannot deadlock on each other.
static struct inode *
namex(char *path, int want_parent, char *name)
{
  struct inode *ip;
  if (*path == '/')
    ip = iget(ROOTDEV, ROOTINO);
  else
    ip = idup(myproc()->cwd);

  while ((path = next_element(path, name)) != 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      return 0;
    }
    if (want_parent && *path == '\0') {
      iunlock(ip);
      return ip;
    }
    // A removed directory (nlink 0, kept alive as someone's cwd) holds only "." and
    // "..", and its ".." may name a parent freed since, or an inode number reused for
    // another file: locking that would panic or lead astray. Only "." still leads back.
    if (ip->nlink < 1 && namecmp(name, ".") != 0) {
      iunlockput(ip);
      return 0;
    }
    struct inode *next = dirlookup(ip, name, 0);
    iunlockput(ip);
    if (next == 0)
      return 0;
    ip = next;
  }

  // The path had no elements at all ("/" or ""): it has no parent to return.
  if (want_parent) {
    iput(ip);
    return 0;
  }
  return ip;
}

// Both must be called inside a transaction: dropping a reference may free an inode.
struct inode *
namei(char *path)
{
  char name[DIRSIZ];
  return namex(path, 0, name);
}

// name must have room for DIRSIZ bytes.
struct inode *
nameiparent(char *path, char *name)
{
  return namex(path, 1, name);
}
