// mkfs: build a faultline file system image on the host.
//
//   build/tools/mkfs fs.img FILE...     FILE is a path, or NAME=PATH to name its copy NAME
//
// The image has FSSIZE blocks laid out as kernel/fs.h describes, an empty log, and a
// root directory holding ".", ".." and one regular file per FILE, named after FILE's
// last path component with one leading '_' removed (build/fs/_sh becomes "sh", so the build
// can name programs differently from the sources they come from), or the NAME given as
// NAME=PATH (README=README.md: xv6 programs open "README", the repository has README.md).
//
// The whole image is assembled in memory and written only once it is complete, so an
// error never leaves a half-made image behind. On disk everything is little-endian,
// whatever the host's byte order.
//
// All I/O goes through stdio. <sys/stat.h>, <fcntl.h> and the like stay out: their struct
// stat would clash with the kernel's (kernel/stat.h, included for T_DIR and T_FILE).
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/stat.h"
#include "kernel/param.h"

// The layout, in blocks, is kernel/fs.h's (FSINODES, FS_*), the one the kernel checks.
#define NINODES FSINODES
#define NMETA   FS_NMETA

_Static_assert(sizeof(struct dinode) * IPB == BSIZE, "dinodes must tile a block");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents must tile a block");
_Static_assert(NMETA < FSSIZE, "FSSIZE leaves no room for data");

static const char *image_path;   // for error messages

static struct {
  uchar *bytes;                    // FSSIZE * BSIZE, zero-filled
  struct superblock sb;            // host byte order; encoded by finish_image
  struct dinode inode[NINODES];    // host byte order; encoded by finish_image
  uint next_inum;                  // next free inode number
  uint next_block;                 // next free data block
} img;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "mkfs: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

// ---- Little-endian encoding -------------------------------------------------------------

static void
put16(uchar *p, uint v)
{
  p[0] = v;
  p[1] = v >> 8;
}

static void
put32(uchar *p, uint v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static uint
get32(const uchar *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint)p[3] << 24;
}

static uchar *
block(uint bno)
{
  return img.bytes + (size_t)bno * BSIZE;
}

// ---- Building ---------------------------------------------------------------------------

static void
start_image(void)
{
  img.bytes = calloc(FSSIZE, BSIZE);
  if (img.bytes == 0)
    die("out of memory");

  img.sb.magic = FSMAGIC;
  img.sb.size = FSSIZE;
  img.sb.nblocks = FSSIZE - NMETA;
  img.sb.ninodes = NINODES;
  img.sb.nlog = LOGSIZE;
  img.sb.logstart = FS_LOGSTART;
  img.sb.inodestart = FS_INODESTART;
  img.sb.bmapstart = FS_BMAPSTART;

  img.next_inum = ROOTINO;   // inode 0 is never used: a dirent with inum 0 is free
  img.next_block = NMETA;
}

static uint
new_inode(short type)
{
  if (img.next_inum >= NINODES)
    die("%s: too many files (at most %d inodes)", image_path, NINODES - 1);
  uint inum = img.next_inum++;
  img.inode[inum].type = type;
  img.inode[inum].nlink = 1;
  return inum;
}

static uint
new_block(void)
{
  if (img.next_block >= FSSIZE)
    die("%s: image full: the files need more than the %u data blocks of FSSIZE",
        image_path, FSSIZE - NMETA);
  return img.next_block++;
}

// The disk block holding block bn of inode inum, allocated if new. Files are only ever
// appended to, so a block is new exactly when bn is the file's next block.
static uint
file_block(uint inum, uint bn, const char *what)
{
  struct dinode *d = &img.inode[inum];
  if (bn >= MAXFILE)
    die("%s: too big (more than %ld blocks)", what, (long)MAXFILE);
  if (bn < NDIRECT) {
    if (d->addrs[bn] == 0)
      d->addrs[bn] = new_block();
    return d->addrs[bn];
  }
  if (d->addrs[NDIRECT] == 0)
    d->addrs[NDIRECT] = new_block();
  uchar *entry = block(d->addrs[NDIRECT]) + (bn - NDIRECT) * sizeof(uint);
  if (get32(entry) == 0)
    put32(entry, new_block());
  return get32(entry);
}

// Append n bytes to inode inum; what names the file in error messages.
static void
append(uint inum, const void *data, size_t n, const char *what)
{
  struct dinode *d = &img.inode[inum];
  const uchar *p = data;
  while (n > 0) {
    uint off = d->size % BSIZE;
    size_t m = BSIZE - off < n ? BSIZE - off : n;
    memcpy(block(file_block(inum, d->size / BSIZE, what)) + off, p, m);
    d->size += m;
    p += m;
    n -= m;
  }
}

// name is at most DIRSIZ bytes; one of exactly DIRSIZ is stored without a NUL.
static void
add_dirent(uint dir, uint inum, const char *name)
{
  uchar de[sizeof(struct dirent)];
  memset(de, 0, sizeof(de));
  put16(de, inum);
  memcpy(de + sizeof(ushort), name, strlen(name));
  append(dir, de, sizeof(de), "/");
}

static uint
make_root(void)
{
  uint root = new_inode(T_DIR);
  if (root != ROOTINO)
    die("internal error: root is inode %u, not %d", root, ROOTINO);
  add_dirent(root, root, ".");
  add_dirent(root, root, "..");   // the root is its own parent
  return root;
}

// The name FILE gets in the root directory: its last component, less one leading '_'.
static const char *
default_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  if (name[0] == '_')
    name++;
  return name;
}

// Checks the name a file gets in the image (path is for messages).
static const char *
image_name(const char *path, const char *name)
{
  if (name[0] == '\0')
    die("%s: no file name left to use in the image", path);
  if (strlen(name) > DIRSIZ)
    die("%s: name \"%s\" is longer than DIRSIZ (%d)", path, name, DIRSIZ);
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    die("%s: \"%s\" is reserved", path, name);
  return name;
}

// Refuse two inputs that would get the same name: the second would be unreachable.
static void
check_unique(uint root, const char *name, const char *path)
{
  const struct dinode *d = &img.inode[root];
  for (uint off = 0; off < d->size; off += sizeof(struct dirent)) {
    const uchar *de = block(d->addrs[off / BSIZE]) + off % BSIZE;
    if (strncmp((const char *)de + sizeof(ushort), name, DIRSIZ) == 0)
      die("%s: a file named \"%s\" is already in the image", path, name);
  }
}

// arg is PATH or NAME=PATH (a NAME has no '/'). Fills name (DIRSIZ + 1 bytes at least)
// and returns the path.
static const char *
split_arg(const char *arg, char *name, size_t size)
{
  const char *eq = strchr(arg, '=');
  const char *slash = strchr(arg, '/');
  if (eq == 0 || (slash != 0 && slash < eq)) {
    snprintf(name, size, "%s", default_name(arg));
    return arg;
  }
  if ((size_t)(eq - arg) >= size)
    die("%s: name before '=' is longer than DIRSIZ (%d)", arg, DIRSIZ);
  memcpy(name, arg, eq - arg);
  name[eq - arg] = '\0';
  return eq + 1;
}

static void
add_file(uint root, const char *arg)
{
  char given[DIRSIZ + 2];
  const char *path = split_arg(arg, given, sizeof given);
  const char *name = image_name(path, given);
  // The root directory fits in its direct blocks (check_unique reads only those).
  if (img.inode[root].size + sizeof(struct dirent) > NDIRECT * BSIZE)
    die("%s: too many files for the root directory", path);
  check_unique(root, name, path);

  FILE *f = fopen(path, "rb");
  if (f == 0)
    die("%s: %s", path, strerror(errno));

  uint inum = new_inode(T_FILE);
  char buf[BSIZE];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    append(inum, buf, n, path);
  if (ferror(f))
    die("%s: %s", path, strerror(errno));
  fclose(f);

  add_dirent(root, inum, name);
}

// ---- Finishing ----------------------------------------------------------------------------

static void
encode_superblock(void)
{
  uchar *p = block(1);
  const uint fields[] = {
    img.sb.magic, img.sb.size, img.sb.nblocks, img.sb.ninodes,
    img.sb.nlog, img.sb.logstart, img.sb.inodestart, img.sb.bmapstart,
  };
  _Static_assert(sizeof(fields) == sizeof(struct superblock), "superblock fields");
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
    put32(p + 4 * i, fields[i]);
}

static void
encode_inodes(void)
{
  for (uint inum = 0; inum < NINODES; inum++) {
    const struct dinode *d = &img.inode[inum];
    uchar *p = block(IBLOCK(inum, img.sb)) + (inum % IPB) * sizeof(struct dinode);
    put16(p + 0, d->type);
    put16(p + 2, d->major);
    put16(p + 4, d->minor);
    put16(p + 6, d->nlink);
    put32(p + 8, d->size);
    for (int i = 0; i < NDIRECT + 1; i++)
      put32(p + 12 + 4 * i, d->addrs[i]);
  }
}

// Blocks are handed out in order, so exactly those below next_block are in use
// (the metadata included).
static void
encode_bitmap(void)
{
  for (uint b = 0; b < img.next_block; b++)
    block(BBLOCK(b, img.sb))[(b % BPB) / 8] |= 1 << (b % 8);
}

static void
write_image(void)
{
  FILE *f = fopen(image_path, "wb");
  if (f == 0)
    die("%s: %s", image_path, strerror(errno));
  int ok = fwrite(img.bytes, BSIZE, FSSIZE, f) == FSSIZE;
  ok = (fclose(f) == 0) && ok;
  if (!ok) {
    remove(image_path);
    die("%s: write failed", image_path);
  }
}

int
main(int argc, char *argv[])
{
  if (argc < 2) {
    fprintf(stderr, "usage: mkfs fs.img [NAME=]FILE...\n");
    return 2;
  }
  image_path = argv[1];

  start_image();
  uint root = make_root();
  for (int i = 2; i < argc; i++)
    add_file(root, argv[i]);

  encode_superblock();
  encode_inodes();
  encode_bitmap();
  write_image();

  printf("mkfs: %s: %u of %d blocks used (%u metadata), %u of %d inodes\n",
         image_path, img.next_block, FSSIZE, NMETA, img.next_inum - 1, NINODES - 1);
  return 0;
}
