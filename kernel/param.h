// System-wide limits. User programs include this file too (MAXARG, MAXPATH, NOFILE ...),
// so every name xv6-riscv defines here keeps xv6-riscv's value and meaning: a program
// that sizes a loop by one of them gets what it would get on xv6. Where the kernel needs
// more room inside (the in-memory inode table), it says so in its own header and is
// checked to be at least the value promised here.
#ifndef FAULTLINE_PARAM_H
#define FAULTLINE_PARAM_H

#define NPROC        64   // process table slots
#define NCPU          8   // most harts the kernel will run on
#define NOFILE       16   // open files per process
#define NFILE       100   // open files in the whole system
#define NINODE       50   // inodes that may be in use (open, a cwd, in a call) at once;
                          // the kernel holds more: ITABLE_SLOTS in kernel/inode.h
#define NDEV         10   // device numbers (major) in the device table
#define ROOTDEV       1   // device number of the root file system disk
#define MAXARG       32   // exec arguments
#define MAXOPBLOCKS  10   // blocks one file-system operation may write
#define LOGSIZE      (MAXOPBLOCKS*3)  // blocks in the on-disk log
#define LOGBLOCKS    LOGSIZE          // today's xv6-riscv's name for it
#define NBUF         (MAXOPBLOCKS*3)  // buffer cache blocks
#define FSSIZE       2000 // file system size in blocks (the disk's other figures: kernel/fs.h)
#define MAXPATH      128  // longest path name
#define USERSTACK    1    // user stack pages
#define BOOT_STACK   4096 // bytes of machine-mode boot stack per hart (entry.S, start.c)
#define TICK_HZ      10   // clock ticks (sleep, uptime) per second

#endif
