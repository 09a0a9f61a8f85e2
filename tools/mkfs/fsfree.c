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
// comes from the image's superblock, the record formats from kernel/fs.h, both read
// through fsimage.c (which refuses an image of another geometry). Run it on an image the
// kernel is not using: after a clean halt every committed transaction is installed, so
// the home locations are current.
//
// Exit status: 0, 1 if the image cannot be read or is not one (one line on stderr),
// 2 on bad usage.
#include <stdio.h>

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/stat.h"   // T_DIR, T_FILE
#include "tools/mkfs/fsimage.h"

static struct fsimage img;

// Blocks held by directories: their data blocks and indirect blocks.
static uint
directory_blocks(void)
{
  uint n = 0;
  for (uint inum = 1; inum < img.sb.ninodes; inum++) {
    struct dinode d = fsimage_inode(&img, inum);
    if (d.type != T_DIR)
      continue;
    for (int i = 0; i < NDIRECT; i++)
      n += d.addrs[i] != 0;
    const uchar *ind = d.addrs[NDIRECT] ? fsimage_block(&img, d.addrs[NDIRECT]) : 0;
    if (ind == 0)
      continue;
    n++;
    for (uint i = 0; i < NINDIRECT; i++)
      n += fsimage_get32(ind + 4 * i) != 0;
  }
  return n;
}

// Inodes 1 .. ninodes-1 that hold no file or directory (inode 0 is never used).
static uint
free_inodes(void)
{
  uint n = 0;
  for (uint inum = 1; inum < img.sb.ninodes; inum++) {
    short type = fsimage_inode(&img, inum).type;
    n += type != T_FILE && type != T_DIR;
  }
  return n;
}

// Data blocks (those after the metadata) whose bitmap bit is clear.
static uint
free_blocks(void)
{
  uint n = 0;
  for (uint bno = img.sb.size - img.sb.nblocks; bno < img.sb.size; bno++) {
    const uchar *bmap = fsimage_block(&img, BBLOCK(bno, img.sb));
    n += !(bmap[(bno % BPB) / 8] & (1 << (bno % 8)));
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
  char why[200];
  if (fsimage_load(&img, argv[1], why, sizeof why) < 0) {
    fprintf(stderr, "fsfree: %s: %s\n", argv[1], why);
    return 1;
  }
  printf("inodes %u blocks %u\n", free_inodes(), free_blocks() + directory_blocks());
  fsimage_free(&img);
  return 0;
}
