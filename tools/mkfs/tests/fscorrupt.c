// fscorrupt: damage a file system image on purpose, one field at a time, for fsck's tests
// (fsck-tests.sh). The record layouts come from kernel/fs.h, as fsck's do.
//
//   fscorrupt IMG show INUM               print "type T nlink N size S addrs A0 ... A12"
//   fscorrupt IMG show super              print "logstart L inodestart I bmapstart B"
//   fscorrupt IMG inode INUM FIELD VALUE  FIELD: type, nlink, size, addr0 .. addr12
//   fscorrupt IMG indirect INUM I BNO     entry I of INUM's indirect block
//   fscorrupt IMG dirent DIR I INUM [NAME]  entry I of directory DIR names INUM [as NAME]
//   fscorrupt IMG bit BNO 0|1             BNO's bit in the free bitmap
//   fscorrupt IMG log N HOME SRC          a committed log of N blocks (N may be absurd):
//                                         slot 0 holds a copy of block SRC for block HOME
//
// Writes the image back in place. Exit status 0, 1 on any error (one line on stderr).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "tools/mkfs/fsimage.h"

static struct fsimage img;

static void __attribute__((noreturn))
die(const char *why)
{
  fprintf(stderr, "fscorrupt: %s\n", why);
  exit(1);
}

static void
put32(uchar *p, uint v)
{
  for (int i = 0; i < 4; i++)
    p[i] = v >> (8 * i);
}

static uint
number(const char *s)
{
  char *end;
  unsigned long v = strtoul(s, &end, 0);
  if (*s == '\0' || *end != '\0' || v > 0xffffffffUL)
    die("bad number");
  return v;
}

static uchar *
dinode_at(uint inum)
{
  if (inum >= img.sb.ninodes)
    die("no such inode");
  return fsimage_block(&img, IBLOCK(inum, img.sb)) + (inum % IPB) * sizeof(struct dinode);
}

static void
set_inode(uint inum, const char *field, uint v)
{
  uchar *p = dinode_at(inum);
  if (strcmp(field, "type") == 0 || strcmp(field, "nlink") == 0) {
    uchar *f = p + (field[0] == 't' ? 0 : 6);
    f[0] = v;
    f[1] = v >> 8;
  } else if (strcmp(field, "size") == 0) {
    put32(p + 8, v);
  } else if (strncmp(field, "addr", 4) == 0 && number(field + 4) <= NDIRECT) {
    put32(p + 12 + 4 * number(field + 4), v);
  } else {
    die("unknown inode field");
  }
}

static void
show(uint inum)
{
  dinode_at(inum);
  struct dinode d = fsimage_inode(&img, inum);
  printf("type %d nlink %d size %u addrs", d.type, d.nlink, d.size);
  for (int i = 0; i < NDIRECT + 1; i++)
    printf(" %u", d.addrs[i]);
  printf("\n");
}

static void
set_indirect(uint inum, uint i, uint bno)
{
  dinode_at(inum);
  struct dinode d = fsimage_inode(&img, inum);
  uchar *ind = fsimage_block(&img, d.addrs[NDIRECT]);
  if (d.addrs[NDIRECT] == 0 || ind == 0 || i >= NINDIRECT)
    die("no such indirect entry");
  put32(ind + 4 * i, bno);
}

static void
set_dirent(uint dir, uint i, uint inum, const char *name)
{
  dinode_at(dir);
  struct dinode d = fsimage_inode(&img, dir);
  uint off = i * sizeof(struct dirent);
  uchar *b = fsimage_block(&img, fsimage_bmap(&img, &d, off / BSIZE));
  if (off >= d.size || b == 0)
    die("no such directory entry");
  b[off % BSIZE] = inum;
  b[off % BSIZE + 1] = inum >> 8;
  if (name)
    strncpy((char *)b + off % BSIZE + 2, name, DIRSIZ);
}

static void
set_bit(uint bno, uint on)
{
  if (bno >= img.sb.size)
    die("no such block");
  uchar *byte = fsimage_block(&img, BBLOCK(bno, img.sb)) + (bno % BPB) / 8;
  if (on)
    *byte |= 1 << (bno % 8);
  else
    *byte &= ~(1 << (bno % 8));
}

static void
set_log(uint n, uint home, uint src)
{
  uchar *h = fsimage_block(&img, img.sb.logstart);
  const uchar *from = fsimage_block(&img, src);
  if (from == 0)
    die("no such block");
  put32(h, n);
  put32(h + 4, home);
  memcpy(fsimage_block(&img, img.sb.logstart + 1), from, BSIZE);
}

static void
write_back(const char *path)
{
  FILE *f = fopen(path, "r+b");
  if (f == 0 || fwrite(img.bytes, BSIZE, img.sb.size, f) != img.sb.size || fclose(f) != 0)
    die("cannot write the image back");
}

int
main(int argc, char *argv[])
{
  char why[200];
  if (argc < 4)
    die("usage: fscorrupt IMG show|inode|indirect|dirent|bit|log ARGS...");
  if (fsimage_load(&img, argv[1], why, sizeof why) < 0)
    die(why);
  const char *op = argv[2];
  if (strcmp(op, "show") == 0 && argc == 4 && strcmp(argv[3], "super") == 0) {
    printf("logstart %u inodestart %u bmapstart %u\n", img.sb.logstart, img.sb.inodestart,
           img.sb.bmapstart);
    return 0;
  }
  if (strcmp(op, "show") == 0 && argc == 4) {
    show(number(argv[3]));
    return 0;
  }
  if (strcmp(op, "inode") == 0 && argc == 6)
    set_inode(number(argv[3]), argv[4], number(argv[5]));
  else if (strcmp(op, "indirect") == 0 && argc == 6)
    set_indirect(number(argv[3]), number(argv[4]), number(argv[5]));
  else if (strcmp(op, "dirent") == 0 && (argc == 6 || argc == 7))
    set_dirent(number(argv[3]), number(argv[4]), number(argv[5]), argc == 7 ? argv[6] : 0);
  else if (strcmp(op, "bit") == 0 && argc == 5)
    set_bit(number(argv[3]), number(argv[4]));
  else if (strcmp(op, "log") == 0 && argc == 6)
    set_log(number(argv[3]), number(argv[4]), number(argv[5]));
  else
    die("unknown operation or wrong number of arguments");
  write_back(argv[1]);
  fsimage_free(&img);
  return 0;
}
