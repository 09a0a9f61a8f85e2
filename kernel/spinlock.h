// Mutual exclusion between harts. Holding a spinlock keeps interrupts off on this hart.
#ifndef FAULTLINE_SPINLOCK_H
#define FAULTLINE_SPINLOCK_H

#include "kernel/types.h"

struct spinlock {
  uint locked;
  const char *name;   // for panics
  struct cpu *cpu;    // holder, for holding() checks
};

void initlock(struct spinlock *lk, const char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int  holding(struct spinlock *lk);

// Nestable interrupt disable: interrupts come back on only after the last pop_off.
void push_off(void);
void pop_off(void);

#endif
