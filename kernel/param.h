// System-wide limits. User programs include this file too (MAXARG, MAXPATH, NOFILE ...),
// so every name xv6 defines here keeps its meaning.
#ifndef FAULTLINE_PARAM_H
#define FAULTLINE_PARAM_H

#define NPROC        64   // process table slots
#define NCPU          8   // most harts the kernel will run on
#define NOFILE       16   // open files per process
#define NFILE       100   // open files in the whole system
#define NINODE       (NFILE + 4 * NPROC)   // in-memory inodes: each open file, each cwd, <= 3 held by a call in progress
#define NDEV         10   // device numbers (major) in the device table
#define ROOTDEV       1   // device number of the root file system disk
#define MAXARG       32   // exec arguments
#define MAXOPBLOCKS  10   // blocks one file-system operation may write
#define LOGSIZE      (MAXOPBLOCKS*3)  // blocks in the on-disk log
#define NBUF         (MAXOPBLOCKS*3)  // buffer cache blocks
#define FSSIZE       2000 // file system size in blocks
#define MAXPATH      128  // longest path name
#define USERSTACK    1    // user stack pages
#define BOOT_STACK   4096 // bytes of machine-mode boot stack per hart (entry.S, start.c)
#define TICK_HZ      10   // clock ticks (sleep, uptime) per second

#endif
