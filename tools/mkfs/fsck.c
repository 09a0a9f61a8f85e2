// fsck: check a faultline file system image for consistency.
//
//   fsck fs.img
//
// A committed transaction still in the log is installed first, in memory only (the image
// file is never written), so the image is judged as the kernel will see it after its
// recovery at boot. Then:
//   - every inode has a known type (inode 0, never used, is free);
//   - every block an inode holds lies in the data area and is held once, by one inode;
//   - a file's size agrees with its blocks: a block for every byte below the size, none
//     past it but the one a failed write may leave (see check_size);
//   - every directory's size is whole entries, its first two are "." (itself) and ".."
//     (the directory that names it; "/" names itself), and its entries name used inodes;
//   - every inode's link count equals the directory entries naming it ("." excepted,
//     ".." counted), no directory is named twice, and every linked inode is reachable
//     from "/";
//   - the bitmap marks a block used exactly when it is metadata or an inode holds it.
// An inode with a type and no links that nothing names is an orphan: a file unlinked
// while open (or a directory removed while some process's cwd) when the machine
// stopped. It is consistent (its blocks are its own, and marked used) and the kernel
// frees it at the next boot; fsck counts it, not as an error.
//
// Prints one line per inconsistency, naming the inode or block, then one summary line.
// Exit status: 0 consistent, 1 inconsistent, 2 not an image (wrong magic or geometry,
// truncated, unreadable; one line on stderr) or bad usage.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/stat.h"
#include "tools/mkfs/fsimage.h"

#define MAX_SHOWN 100   // error lines printed; the rest are only counted

static struct fsimage img;
static struct dinode inode[FSINODES];
static uint owner[FSSIZE];        // the inode holding each block (0: none)
static uint named[FSINODES];      // directory entries naming each inode
static uint named_by[FSINODES];   // for a directory: the directory whose entry names it
static uint dotdot[FSINODES];     // for a directory: what its ".." names
static uchar reached[FSINODES];   // found by the walk from "/"
static uint errors;

static void __attribute__((format(printf, 1, 2)))
inconsistent(const char *fmt, ...)
{
  if (errors++ >= MAX_SHOWN)
    return;
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static int
in_use(uint inum)
{
  return inode[inum].type != 0;
}

// ---- Blocks -----------------------------------------------------------------------------

// Block bno is held by inode inum (as what, for messages); 0 if it cannot be.
static int
claim(uint inum, uint bno, const char *what)
{
  if (bno < FS_NMETA || bno >= img.sb.size) {
    inconsistent("inode %u: %s %u is outside the data blocks [%u, %u)", inum, what, bno,
                 FS_NMETA, img.sb.size);
    return 0;
  }
  if (owner[bno] != 0) {
    inconsistent("block %u: held twice, by inode %u and inode %u", bno, owner[bno], inum);
    return 0;
  }
  owner[bno] = inum;
  return 1;
}

// A file's blocks: the bytes below its size need blocks [0, need). writei allocates a
// block before copying into it and grows the size only by what it copied, so a write
// whose copy failed (a bad user address, the disk full mid-way) may leave one block, at
// file block need, held past the size; nothing makes one further out.
static void
check_size(uint inum, const struct dinode *d)
{
  uint need = (d->size + BSIZE - 1) / BSIZE;
  for (uint bn = 0; bn < MAXFILE; bn++) {
    uint bno = fsimage_bmap(&img, d, bn);
    if (bn < need && bno == 0)
      inconsistent("inode %u: size %u, but file block %u has no disk block", inum, d->size, bn);
    else if (bn > need && bno != 0)
      inconsistent("inode %u: block %u (file block %u) lies past its size %u", inum, bno, bn,
                   d->size);
  }
  if (d->addrs[NDIRECT] != 0 && need + 1 <= NDIRECT)
    inconsistent("inode %u: indirect block %u, but size %u needs none", inum,
                 d->addrs[NDIRECT], d->size);
}

// Claim every block inode inum holds, then check its size against them.
static void
check_blocks(uint inum)
{
  const struct dinode *d = &inode[inum];
  if (d->size > MAXFILE * BSIZE) {
    inconsistent("inode %u: size %u is more than MAXFILE blocks", inum, d->size);
    return;
  }
  for (int i = 0; i < NDIRECT; i++)
    if (d->addrs[i] != 0)
      claim(inum, d->addrs[i], "block");
  if (d->addrs[NDIRECT] != 0 && claim(inum, d->addrs[NDIRECT], "indirect block")) {
    const uchar *ind = fsimage_block(&img, d->addrs[NDIRECT]);
    for (uint i = 0; i < NINDIRECT; i++) {
      uint bno = fsimage_get32(ind + 4 * i);
      if (bno != 0)
        claim(inum, bno, "block");
    }
  } else if (d->addrs[NDIRECT] != 0) {
    return;   // the indirect block is bad: its entries mean nothing
  }
  check_size(inum, d);
}

static void
check_bitmap(void)
{
  for (uint bno = 0; bno < img.sb.size; bno++) {
    const uchar *bmap = fsimage_block(&img, BBLOCK(bno, img.sb));
    int marked = (bmap[(bno % BPB) / 8] >> (bno % 8)) & 1;
    int used = bno < FS_NMETA || owner[bno] != 0;
    if (used && !marked && owner[bno] == 0)
      inconsistent("block %u: free in the bitmap, but it is metadata", bno);
    else if (used && !marked)
      inconsistent("block %u: free in the bitmap, but inode %u holds it", bno, owner[bno]);
    else if (!used && marked)
      inconsistent("block %u: used in the bitmap, but no inode holds it", bno);
  }
}

// ---- Directories ------------------------------------------------------------------------

// Entries in directory d; none if its size is impossible (check_blocks said so).
static uint
entries(const struct dinode *d)
{
  return d->size > MAXFILE * BSIZE ? 0 : d->size / sizeof(struct dirent);
}

// Entry i of directory dir, named name, names inum: count it, and check what must hold
// of "." and "..".
static void
check_entry(uint dir, uint i, uint inum, const char *name)
{
  int is_dot = strcmp(name, ".") == 0, is_dotdot = strcmp(name, "..") == 0;
  if (i == 0 && !(is_dot && inum == dir))
    inconsistent("inode %u: first entry is \"%s\" -> %u, not \".\" -> %u", dir, name, inum, dir);
  if (i == 1 && !is_dotdot)
    inconsistent("inode %u: second entry is \"%s\", not \"..\"", dir, name);
  if (i > 1 && (is_dot || is_dotdot))
    inconsistent("inode %u: entry %u is another \"%s\"", dir, i, name);
  if (inum == 0)
    return;
  if (inum >= FSINODES) {
    inconsistent("inode %u: entry \"%s\" names inode %u, beyond the %d inodes", dir, name,
                 inum, FSINODES);
    return;
  }
  if (!in_use(inum)) {
    inconsistent("inode %u: entry \"%s\" names inode %u, which is free", dir, name, inum);
    return;
  }
  if (i == 1)
    dotdot[dir] = inum;
  if (i == 0 && is_dot)
    return;   // "." is not a link
  if (i == 1 && inode[dir].nlink == 0)
    return;   // an unlinked directory's ".": unlink took that link from the parent
  named[inum]++;
  if (is_dot || is_dotdot || inode[inum].type != T_DIR)
    return;
  if (named_by[inum] != 0)
    inconsistent("inode %u: directory named twice, in inode %u and inode %u", inum,
                 named_by[inum], dir);
  else
    named_by[inum] = dir;
}

static void
check_directory(uint dir)
{
  const struct dinode *d = &inode[dir];
  if (d->size > MAXFILE * BSIZE)
    return;
  if (d->size % sizeof(struct dirent) != 0 || d->size < 2 * sizeof(struct dirent)) {
    inconsistent("inode %u: directory size %u is not whole entries, \".\" and \"..\" first",
                 dir, d->size);
    return;
  }
  for (uint i = 0; i < entries(d); i++) {
    uint inum;
    char name[DIRSIZ + 1];
    if (fsimage_dirent(&img, d, i, &inum, name) < 0)
      return;   // the missing block is reported by check_size
    check_entry(dir, i, inum, name);
  }
}

// Every directory's ".." names the directory that names it; "/" is its own parent.
static void
check_parents(void)
{
  for (uint inum = 1; inum < FSINODES; inum++) {
    if (inode[inum].type != T_DIR || dotdot[inum] == 0)
      continue;
    uint parent = inum == ROOTINO ? ROOTINO : named_by[inum];
    if (parent != 0 && dotdot[inum] != parent)
      inconsistent("inode %u: \"..\" names inode %u, but inode %u names it", inum,
                   dotdot[inum], parent);
  }
  if (named_by[ROOTINO] != 0)
    inconsistent("inode %u (/): named by directory inode %u", ROOTINO, named_by[ROOTINO]);
}

// Mark what "/" reaches through directory entries other than "." and "..".
static void
walk(uint dir)
{
  static uint stack[FSINODES];
  uint top = 0;
  stack[top++] = dir;
  reached[dir] = 1;
  while (top > 0) {
    const struct dinode *d = &inode[stack[--top]];
    for (uint i = 2; i < entries(d); i++) {
      uint inum;
      char name[DIRSIZ + 1];
      if (fsimage_dirent(&img, d, i, &inum, name) < 0 || inum == 0 || inum >= FSINODES ||
          !in_use(inum) || reached[inum])
        continue;
      reached[inum] = 1;
      if (inode[inum].type == T_DIR)
        stack[top++] = inum;
    }
  }
}

// ---- Inodes -----------------------------------------------------------------------------

// Link counts against entries; returns the number of orphans.
static uint
check_links(void)
{
  uint orphans = 0;
  for (uint inum = 1; inum < FSINODES; inum++) {
    if (!in_use(inum))
      continue;
    const struct dinode *d = &inode[inum];
    if (d->nlink == 0 && named[inum] == 0) {
      orphans++;
      continue;
    }
    if (d->nlink != (int)named[inum])
      inconsistent("inode %u: link count %d, but %u directory entries name it", inum,
                   d->nlink, named[inum]);
    else if (!reached[inum])
      inconsistent("inode %u: not reachable from /", inum);
  }
  return orphans;
}

static int
read_inodes(void)
{
  for (uint inum = 0; inum < FSINODES; inum++) {
    inode[inum] = fsimage_inode(&img, inum);
    short t = inode[inum].type;
    if (inum == 0 && t != 0)
      inconsistent("inode 0: in use (type %d), but inode 0 is never used", t);
    else if (t != 0 && t != T_DIR && t != T_FILE && t != T_DEVICE)
      inconsistent("inode %u: unknown type %d", inum, t);
    else
      continue;
    inode[inum].type = 0;   // checked no further
  }
  if (inode[ROOTINO].type != T_DIR) {
    inconsistent("inode %u (/): not a directory (type %d)", ROOTINO, inode[ROOTINO].type);
    return -1;
  }
  return 0;
}

int
main(int argc, char *argv[])
{
  if (argc != 2) {
    fprintf(stderr, "usage: fsck fs.img\n");
    return 2;
  }
  char why[200];
  if (fsimage_load(&img, argv[1], why, sizeof why) < 0) {
    fprintf(stderr, "fsck: %s: %s\n", argv[1], why);
    return 2;
  }
  int replayed = fsimage_replay_log(&img, why, sizeof why);
  if (replayed < 0)
    inconsistent("log: %s", why);
  else if (replayed > 0)
    printf("fsck: %s: installed %d committed log blocks (in memory only)\n", argv[1], replayed);

  uint orphans = 0, counts[T_DEVICE + 1] = {0};
  if (replayed >= 0 && read_inodes() == 0) {
    for (uint inum = 1; inum < FSINODES; inum++)
      if (in_use(inum)) {
        counts[inode[inum].type]++;
        check_blocks(inum);
      }
    for (uint inum = 1; inum < FSINODES; inum++)
      if (inode[inum].type == T_DIR)
        check_directory(inum);
    check_parents();
    walk(ROOTINO);
    orphans = check_links();
    check_bitmap();
  }

  if (errors > MAX_SHOWN)
    printf("(%u more)\n", errors - MAX_SHOWN);
  uint used = 0;
  for (uint bno = FS_NMETA; bno < img.sb.size; bno++)
    used += owner[bno] != 0;
  if (errors > 0)
    printf("fsck: %s: INCONSISTENT: %u errors\n", argv[1], errors);
  else
    printf("fsck: %s: clean: %u files, %u directories, %u devices, %u orphans, "
           "%u of %u data blocks used\n", argv[1], counts[T_FILE], counts[T_DIR],
           counts[T_DEVICE], orphans, used, img.sb.nblocks);
  fsimage_free(&img);
  return errors > 0;
}
