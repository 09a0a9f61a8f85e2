// Spinlocks. A hart holding one has interrupts off, so an interrupt handler on the same
// hart can never spin on a lock its own interrupted code holds.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/printf.h"

void initlock(struct spinlock *lk, const char *name)
{
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
}

void acquire(struct spinlock *lk)
{
  push_off();
  if (holding(lk))
    panic(lk->name);   // re-acquiring would deadlock; the name says which lock
  // Atomic swap with acquire ordering: later loads and stores stay after it.
  while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
    ;
  lk->cpu = mycpu();
}

void release(struct spinlock *lk)
{
  if (!holding(lk))
    panic(lk->name);
  lk->cpu = 0;
  // Release ordering: the critical section's stores are visible before the lock is free.
  __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
  pop_off();
}

// Caller must have interrupts off (mycpu() must not change under it).
int holding(struct spinlock *lk)
{
  return lk->locked && lk->cpu == mycpu();
}

void push_off(void)
{
  uint64 s = r_sstatus();
  int was_on = (s & SSTATUS_SIE) != 0;
  // Only if they are on: under QEMU every CSR access ends a translated block, and the
  // page-fault path runs with interrupts off.
  if (was_on)
    w_sstatus(s & ~SSTATUS_SIE);
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = was_on;
  c->noff++;
}

void pop_off(void)
{
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}
