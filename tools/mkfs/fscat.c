// fscat: copy one file out of a faultline file system image to stdout.
//
//   fscat fs.img PATH        PATH is absolute in the image: /README, /dir/file
//
// A committed transaction still in the log is installed first, in memory, as the
// kernel's recovery would; the image file is never written. Meant for images fsck has
// passed (the crash test reads back what its writers wrote): a damaged one gets a
// one-line error, never a read outside the image.
//
// Exit status: 0, 1 if PATH is not a file in the image (or the image cannot be read),
// 2 on bad usage.
#include <stdio.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/stat.h"
#include "tools/mkfs/fsimage.h"

static const char *image, *path;

static int
fail(const char *why)
{
  fprintf(stderr, "fscat: %s: %s: %s\n", image, path, why);
  return 1;
}

// The inode dir's entry name names, or 0.
static uint
lookup(const struct fsimage *img, const struct dinode *dir, const char *name)
{
  uint n = dir->size > MAXFILE * BSIZE ? 0 : dir->size / sizeof(struct dirent);
  for (uint i = 0; i < n; i++) {
    uint inum;
    char ename[DIRSIZ + 1];
    if (fsimage_dirent(img, dir, i, &inum, ename) == 0 && inum != 0 && inum < FSINODES &&
        strncmp(ename, name, DIRSIZ) == 0)
      return inum;
  }
  return 0;
}

// Walk path's elements from "/"; returns the inode, or 0 with a message printed.
static uint
resolve(const struct fsimage *img)
{
  char copy[MAXPATH];
  if (path[0] != '/' || strlen(path) >= sizeof copy)
    return fail("not an absolute path of at most MAXPATH bytes"), 0;
  strcpy(copy, path);
  uint inum = ROOTINO;
  for (char *elem = strtok(copy, "/"); elem != 0; elem = strtok(0, "/")) {
    struct dinode d = fsimage_inode(img, inum);
    if (d.type != T_DIR)
      return fail("a path element is not a directory"), 0;
    inum = lookup(img, &d, elem);
    if (inum == 0)
      return fail("no such file"), 0;
  }
  return inum;
}

static int
copy_out(const struct fsimage *img, const struct dinode *d)
{
  if (d->type != T_FILE)
    return fail("not a regular file");
  if (d->size > MAXFILE * BSIZE)
    return fail("size beyond MAXFILE blocks (run fsck)");
  for (uint off = 0; off < d->size; off += BSIZE) {
    uint bno = fsimage_bmap(img, d, off / BSIZE);
    const uchar *b = fsimage_block(img, bno);
    if (bno == 0 || b == 0)
      return fail("a block of the file is missing or outside the image (run fsck)");
    uint n = d->size - off < BSIZE ? d->size - off : BSIZE;
    if (fwrite(b, 1, n, stdout) != n)
      return fail("cannot write to stdout");
  }
  return fflush(stdout) == 0 ? 0 : fail("cannot write to stdout");
}

int
main(int argc, char *argv[])
{
  if (argc != 3) {
    fprintf(stderr, "usage: fscat fs.img /PATH\n");
    return 2;
  }
  image = argv[1];
  path = argv[2];
  struct fsimage img;
  char why[200];
  if (fsimage_load(&img, image, why, sizeof why) < 0 ||
      fsimage_replay_log(&img, why, sizeof why) < 0) {
    fprintf(stderr, "fscat: %s: %s\n", image, why);
    fsimage_free(&img);
    return 1;
  }
  uint inum = resolve(&img);
  int rc = 1;
  if (inum != 0) {
    struct dinode d = fsimage_inode(&img, inum);
    rc = copy_out(&img, &d);
  }
  fsimage_free(&img);
  return rc;
}
