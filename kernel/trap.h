// Traps, interrupts and the return to user space.
#ifndef FAULTLINE_TRAP_H
#define FAULTLINE_TRAP_H

#include "kernel/types.h"

void trapinit(void);
void trapinithart(void);
void usertrapret(void) __attribute__((noreturn));

extern uint64 ticks;            // timer interrupts since boot (TICK_HZ per second)
extern struct spinlock tickslock;

#endif
