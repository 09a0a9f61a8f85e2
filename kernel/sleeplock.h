// Long-held locks (disk buffers, inodes): a waiter sleeps instead of spinning.
#ifndef FAULTLINE_SLEEPLOCK_H
#define FAULTLINE_SLEEPLOCK_H

#include "kernel/spinlock.h"

struct sleeplock {
  uint locked;
  struct spinlock lk;   // protects this structure
  const char *name;
  int pid;              // holder
};

void initsleeplock(struct sleeplock *lk, const char *name);
void acquiresleep(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
int  holdingsleep(struct sleeplock *lk);

#endif
