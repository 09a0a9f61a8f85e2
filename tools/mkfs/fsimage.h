// Reading a faultline file system image on the host, for fsck and fscat: the whole image
// in memory, checked to be one before anything else looks at it, and the on-disk records
// (kernel/fs.h) decoded from little-endian whatever the host's byte order.
//
// Nothing here trusts the image beyond its superblock and size: a block number taken from
// an inode may point anywhere, and fsimage_block says 0 for one outside the image.
#ifndef FAULTLINE_FSIMAGE_H
#define FAULTLINE_FSIMAGE_H

#include <stddef.h>

#include "kernel/types.h"
#include "kernel/fs.h"

struct fsimage {
  uchar *bytes;            // sb.size blocks
  struct superblock sb;    // host byte order
};

// Load the image at path. Accepts only an image laid out from this tree's kernel/fs.h and
// kernel/param.h (the kernel refuses any other at boot) and at least sb.size blocks long.
// Returns 0, or -1 with why (one line, no newline) filled in.
int fsimage_load(struct fsimage *img, const char *path, char *why, size_t whysize);
void fsimage_free(struct fsimage *img);

// Install a committed transaction still in the log, in memory only, as the kernel's
// recovery would at boot, so that the image is judged as the kernel will see it.
// Returns the number of blocks installed (0: the log was empty), or -1 if the header is
// impossible (more blocks than the log holds, or one outside the image), with why filled.
int fsimage_replay_log(struct fsimage *img, char *why, size_t whysize);

// Block bno, or 0 if it lies outside the image.
uchar *fsimage_block(const struct fsimage *img, uint bno);

// Inode inum (below sb.ninodes), decoded.
struct dinode fsimage_inode(const struct fsimage *img, uint inum);

// The disk block holding file block bn of d; 0 if it has none, bn is MAXFILE or more, or
// the indirect block lies outside the image.
uint fsimage_bmap(const struct fsimage *img, const struct dinode *d, uint bn);

// Directory entry number i of directory d (i * sizeof(struct dirent) < d->size), decoded;
// name is NUL-terminated (DIRSIZ + 1 bytes). Returns 0, or -1 if its block is missing.
int fsimage_dirent(const struct fsimage *img, const struct dinode *d, uint i, uint *inum,
                   char name[DIRSIZ + 1]);

// Little-endian fields.
uint fsimage_get32(const uchar *p);

#endif
