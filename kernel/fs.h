// The on-disk file system format, shared by the kernel, mkfs and user programs
// (ls reads struct dirent). Nothing here describes in-memory state.
//
// Disk layout, in BSIZE blocks:
//   [ boot | super | log ... | inodes ... | free bitmap ... | data ... ]
#ifndef FAULTLINE_FS_H
#define FAULTLINE_FS_H

#include "kernel/types.h"
#include "kernel/param.h"   // FSSIZE, LOGSIZE

#define ROOTINO  1      // inode number of "/"
#define BSIZE    1024   // block size in bytes

#define FSMAGIC  0x10203040

// Block 1. mkfs writes it; the kernel reads it at boot.
struct superblock {
  uint magic;       // FSMAGIC
  uint size;        // blocks in the image
  uint nblocks;     // data blocks
  uint ninodes;     // inodes
  uint nlog;        // log blocks
  uint logstart;    // first log block
  uint inodestart;  // first inode block
  uint bmapstart;   // first free-bitmap block
};

#define NDIRECT   12
#define NINDIRECT (BSIZE / sizeof(uint))
#define MAXFILE   (NDIRECT + NINDIRECT)   // largest file, in blocks

// An inode as stored on disk.
struct dinode {
  short type;               // T_DIR, T_FILE, T_DEVICE; 0 means free
  short major;              // device numbers (T_DEVICE only)
  short minor;
  short nlink;              // directory entries naming this inode
  uint size;                // bytes
  uint addrs[NDIRECT+1];    // data blocks; the last is the indirect block
};

#define IPB           (BSIZE / sizeof(struct dinode))     // inodes per block
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)       // block holding inode i
#define BPB           (BSIZE * 8)                         // bitmap bits per block
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)        // bitmap block for block b

// The disk's geometry, one definition for tools/mkfs (which lays the image out) and the
// kernel (which refuses at boot an image whose superblock says anything else), so the
// two cannot drift. The figures are xv6's: FSSIZE blocks, FSINODES inodes (inode 0 is
// never used), a LOGSIZE-block log.
#define FSINODES         200
#define FS_LOGSTART      2                                  // after boot and super
#define FS_INODESTART    (FS_LOGSTART + LOGSIZE)
#define FS_INODEBLOCKS   ((uint)(FSINODES / IPB) + 1)
#define FS_BMAPSTART     (FS_INODESTART + FS_INODEBLOCKS)
#define FS_BMAPBLOCKS    ((uint)(FSSIZE / BPB) + 1)
#define FS_NMETA         (FS_BMAPSTART + FS_BMAPBLOCKS)     // blocks before the first data block

// Block sb.logstart: the log's header. n > 0 marks a committed transaction: the n blocks
// after the header are copies of the blocks named in block[], to be installed there
// (kernel/log.c). Written in one block write, so a crash leaves the old or the new one.
#define LOG_SLOTS (LOGSIZE - 1)

struct logheader {
  uint n;
  uint block[LOG_SLOTS];
};

// A directory is a file of these records; inum 0 marks a free slot.
#define DIRSIZ 14

struct dirent {
  ushort inum;
  char name[DIRSIZ];   // not NUL-terminated when DIRSIZ long
};

#endif
