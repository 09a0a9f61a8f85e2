// Open files and the device table.
#ifndef FAULTLINE_FILE_H
#define FAULTLINE_FILE_H

#include "kernel/types.h"

struct stat;

struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;
  char readable;
  char writable;
  struct pipe *pipe;     // FD_PIPE
  struct inode *ip;      // FD_INODE and FD_DEVICE
  uint off;              // FD_INODE
  short major;           // FD_DEVICE
};

// A character device. read/write move n bytes to/from dst/src, a user address if user
// is set; they return the bytes moved or -1. read is also given the open file's offset,
// which advances by what it returns (a device that streams ignores it). open and close
// are optional (0): open may refuse (-1), e.g. a second reader of /dev/vmtrace; close is
// told how the file was opened.
struct devsw {
  int  (*read)(int user_dst, uint64 dst, int n, uint off);
  int  (*write)(int user_src, uint64 src, int n);
  int  (*open)(int readable, int writable);
  void (*close)(int readable, int writable);
};

extern struct devsw devsw[];

// Major device numbers.
#define CONSOLE    1   // kernel/console.c
#define VMTRACE    2   // tracing/vmtrace_dev.c: trace records and markers
#define VMTRACECTL 3   // tracing/control.c: tracing control and status
#define HOSTLINK   4   // kernel/hostlink.c: a byte stream to a file on the host

void fileinit(void);
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int  filestat(struct file *f, uint64 addr);   // addr: user address of a struct stat
int  fileread(struct file *f, uint64 addr, int n);
int  filewrite(struct file *f, uint64 addr, int n);

#endif
