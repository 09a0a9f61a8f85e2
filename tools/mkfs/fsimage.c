// Loading and decoding a file system image on the host (fsimage.h says what callers get).
//
// All I/O goes through stdio: <sys/stat.h> would bring a struct stat that clashes with
// kernel/stat.h's, which the tools include for T_DIR and T_FILE.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "tools/mkfs/fsimage.h"

uint
fsimage_get32(const uchar *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint)p[3] << 24;
}

static short
get16(const uchar *p)
{
  return (short)(p[0] | p[1] << 8);
}

// The geometry kernel/fs.c's geometry_matches insists on, from the same definitions.
static int
geometry_is_ours(const struct superblock *s)
{
  return s->size == FSSIZE && s->nblocks == FSSIZE - FS_NMETA && s->ninodes == FSINODES &&
         s->nlog == LOGSIZE && s->logstart == FS_LOGSTART &&
         s->inodestart == FS_INODESTART && s->bmapstart == FS_BMAPSTART;
}

static struct superblock
decode_super(const uchar *p)
{
  uint w[sizeof(struct superblock) / sizeof(uint)];
  for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
    w[i] = fsimage_get32(p + 4 * i);
  struct superblock sb;
  memcpy(&sb, w, sizeof(sb));   // the fields are consecutive uints, in this order
  return sb;
}

int
fsimage_load(struct fsimage *img, const char *path, char *why, size_t whysize)
{
  img->bytes = 0;
  FILE *f = fopen(path, "rb");
  if (f == 0) {
    snprintf(why, whysize, "%s", strerror(errno));
    return -1;
  }
  uchar head[2 * BSIZE];
  if (fread(head, BSIZE, 2, f) != 2) {
    snprintf(why, whysize, "too short to hold a superblock (truncated?)");
    fclose(f);
    return -1;
  }
  img->sb = decode_super(head + BSIZE);
  if (img->sb.magic != FSMAGIC) {
    snprintf(why, whysize, "not a faultline file system image (bad superblock magic 0x%x)",
             img->sb.magic);
    fclose(f);
    return -1;
  }
  if (!geometry_is_ours(&img->sb)) {
    snprintf(why, whysize, "superblock geometry is not kernel/fs.h's (size %u, %u inodes, "
             "%u log blocks)", img->sb.size, img->sb.ninodes, img->sb.nlog);
    fclose(f);
    return -1;
  }
  img->bytes = malloc((size_t)img->sb.size * BSIZE);
  if (img->bytes == 0) {
    snprintf(why, whysize, "out of memory");
    fclose(f);
    return -1;
  }
  memcpy(img->bytes, head, sizeof(head));
  size_t rest = img->sb.size - 2;
  if (fread(img->bytes + sizeof(head), BSIZE, rest, f) != rest) {
    snprintf(why, whysize, "truncated: shorter than the %u blocks its superblock says",
             img->sb.size);
    fclose(f);
    fsimage_free(img);
    return -1;
  }
  fclose(f);
  return 0;
}

void
fsimage_free(struct fsimage *img)
{
  free(img->bytes);
  img->bytes = 0;
}

uchar *
fsimage_block(const struct fsimage *img, uint bno)
{
  if (bno >= img->sb.size)
    return 0;
  return img->bytes + (size_t)bno * BSIZE;
}

int
fsimage_replay_log(struct fsimage *img, char *why, size_t whysize)
{
  const uchar *h = fsimage_block(img, img->sb.logstart);
  uint n = fsimage_get32(h);
  if (n > LOG_SLOTS) {
    snprintf(why, whysize, "log header says %u blocks, the log holds %d", n, LOG_SLOTS);
    return -1;
  }
  for (uint i = 0; i < n; i++) {
    uint home = fsimage_get32(h + 4 + 4 * i);
    if (home >= img->sb.size) {
      snprintf(why, whysize, "log header: slot %u names block %u, outside the image", i, home);
      return -1;
    }
  }
  for (uint i = 0; i < n; i++) {
    uint home = fsimage_get32(h + 4 + 4 * i);
    memcpy(fsimage_block(img, home), fsimage_block(img, img->sb.logstart + 1 + i), BSIZE);
  }
  return n;
}

struct dinode
fsimage_inode(const struct fsimage *img, uint inum)
{
  const uchar *p = fsimage_block(img, IBLOCK(inum, img->sb)) +
                   (inum % IPB) * sizeof(struct dinode);
  struct dinode d;
  d.type = get16(p);
  d.major = get16(p + 2);
  d.minor = get16(p + 4);
  d.nlink = get16(p + 6);
  d.size = fsimage_get32(p + 8);
  for (int i = 0; i < NDIRECT + 1; i++)
    d.addrs[i] = fsimage_get32(p + 12 + 4 * i);
  return d;
}

uint
fsimage_bmap(const struct fsimage *img, const struct dinode *d, uint bn)
{
  if (bn < NDIRECT)
    return d->addrs[bn];
  if (bn >= MAXFILE || d->addrs[NDIRECT] == 0)
    return 0;
  const uchar *ind = fsimage_block(img, d->addrs[NDIRECT]);
  return ind ? fsimage_get32(ind + 4 * (bn - NDIRECT)) : 0;
}

int
fsimage_dirent(const struct fsimage *img, const struct dinode *d, uint i, uint *inum,
               char name[DIRSIZ + 1])
{
  uint off = i * sizeof(struct dirent);
  uint bno = fsimage_bmap(img, d, off / BSIZE);
  const uchar *b = fsimage_block(img, bno);
  if (bno == 0 || b == 0)
    return -1;
  const uchar *e = b + off % BSIZE;
  *inum = e[0] | e[1] << 8;
  memcpy(name, e + 2, DIRSIZ);
  name[DIRSIZ] = '\0';
  return 0;
}
