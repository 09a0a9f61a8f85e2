// The write-ahead log that makes file-system operations atomic across crashes.
#ifndef FAULTLINE_LOG_H
#define FAULTLINE_LOG_H

#include "kernel/fs.h"

struct buf;

void initlog(int dev, struct superblock *sb);   // recovers a committed log
void begin_op(void);    // wrap every file-system system call in begin_op/end_op
void end_op(void);
// Record that b (locked, modified) belongs to the current operation; replaces bwrite.
void log_write(struct buf *b);

#endif
