// fsfree: count the free inodes and free data blocks of a faultline file system image.
//
//   fsfree fs.img       prints "inodes N blocks M" and exits 0
//
// N counts the inodes holding no file or directory: free ones and device nodes (init
// makes /console on a fresh image's first boot, and a device node owns no blocks).
// M counts the data blocks holding no file's data: free ones and those of directories
// (a directory never shrinks, as in xv6: once a suite has had many files in / at once,
// / keeps the block it grew into, and that is not a leak).
//
// The kernel test script compares an image before and after a boot: a suite that
// leaves files, or blocks no file owns, behind shows up as fewer free ones. The layout
// comes from the image's superblock, the record formats from kernel/fs.h. Run it on an
// image the kernel is not using: after a clean halt every committed transaction is
// installed, so the home locations are current.
//
// Exit status: 0, 1 if the image cannot be read or is not one (one line on stderr),
// 2 on bad usage.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/stat.h"   // T_DIR, T_FILE

static const char *path;

static void __attribute__((noreturn))
die(const char *why)
{
  fprintf(stderr, "fsfree: %s: %s\n", path, why);
  exit(1);
}

static uint
get32(const uchar *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint)p[3] << 24;
}

// Reads block bno of the image into b (BSIZE bytes).
static void
read_block(FILE *f, uint bno, uchar *b)
{
  if (fseek(f, (long)bno * BSIZE, SEEK_SET) != 0 || fread(b, BSIZE, 1, f) != 1)
    die("short image");
}

static struct superblock
read_super(FILE *f)
{
  uchar b[BSIZE];
  uint w[sizeof(struct superblock) / 4];
  read_block(f, 1, b);
  for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
    w[i] = get32(b + 4 * i);
  struct superblock sb;
  memcpy(&sb, w, sizeof(sb));   // the fields are consecutive uints, in this order
  if (sb.magic != FSMAGIC || sb.size < sb.nblocks)
    die("not a faultline file system image (bad superblock)");
  return sb;
}

// The type of inode inum and, in addrs, its block addresses (host byte order).
static short
read_dinode(FILE *f, const struct superblock *sb, uint inum, uint addrs[NDIRECT + 1])
{
  uchar b[BSIZE];
  read_block(f, IBLOCK(inum, *sb), b);
  const uchar *d = b + (inum % IPB) * sizeof(struct dinode);
  for (int i = 0; i < NDIRECT + 1; i++)
    addrs[i] = get32(d + 12 + 4 * i);
  return d[0] | d[1] << 8;   // type, little-endian
}

// Blocks held by directories: their data blocks and indirect blocks.
static uint
directory_blocks(FILE *f, const struct superblock *sb)
{
  uint addrs[NDIRECT + 1], n = 0;
  uchar b[BSIZE];
  for (uint inum = 1; inum < sb->ninodes; inum++) {
    if (read_dinode(f, sb, inum, addrs) != T_DIR)
      continue;
    for (int i = 0; i < NDIRECT; i++)
      n += addrs[i] != 0;
    if (addrs[NDIRECT] == 0)
      continue;
    n++;
    read_block(f, addrs[NDIRECT], b);
    for (uint i = 0; i < NINDIRECT; i++)
      n += get32(b + 4 * i) != 0;
  }
  return n;
}

// Inodes 1 .. ninodes-1 that hold no file or directory (inode 0 is never used).
static uint
free_inodes(FILE *f, const struct superblock *sb)
{
  uchar b[BSIZE];
  uint n = 0;
  for (uint inum = 1; inum < sb->ninodes; inum++) {
    if (inum == 1 || inum % IPB == 0)
      read_block(f, IBLOCK(inum, *sb), b);
    const uchar *d = b + (inum % IPB) * sizeof(struct dinode);
    short type = d[0] | d[1] << 8;   // little-endian
    if (type != T_FILE && type != T_DIR)
      n++;
  }
  return n;
}

// Data blocks (those after the metadata) whose bitmap bit is clear.
static uint
free_blocks(FILE *f, const struct superblock *sb)
{
  uchar b[BSIZE];
  uint n = 0;
  for (uint bno = sb->size - sb->nblocks; bno < sb->size; bno++) {
    if (bno == sb->size - sb->nblocks || bno % BPB == 0)
      read_block(f, BBLOCK(bno, *sb), b);
    if (!(b[(bno % BPB) / 8] & (1 << (bno % 8))))
      n++;
  }
  return n;
}

int
main(int argc, char *argv[])
{
  if (argc != 2) {
    fprintf(stderr, "usage: fsfree fs.img\n");
    return 2;
  }
  path = argv[1];
  FILE *f = fopen(path, "rb");
  if (f == 0)
    die(strerror(errno));
  struct superblock sb = read_super(f);
  printf("inodes %u blocks %u\n", free_inodes(f, &sb),
         free_blocks(f, &sb) + directory_blocks(f, &sb));
  fclose(f);
  return 0;
}
