// What fstat() reports about a file. Shared with user programs.
#ifndef FAULTLINE_STAT_H
#define FAULTLINE_STAT_H

#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device node

struct stat {
  int dev;      // disk device number
  uint ino;     // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE
  short nlink;  // number of directory entries naming this inode
  uint64 size;  // bytes
};

#endif
