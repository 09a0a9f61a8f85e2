// Sleep locks: held across disk I/O, so waiters give up the CPU instead of spinning.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/sleeplock.h"
#include "kernel/proc.h"

void initsleeplock(struct sleeplock *lk, const char *name)
{
  initlock(&lk->lk, "sleep lock");
  lk->name = name;
  lk->locked = 0;
  lk->pid = 0;
}

void acquiresleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  while (lk->locked)
    sleep(lk, &lk->lk);
  lk->locked = 1;
  lk->pid = myproc()->pid;
  release(&lk->lk);
}

void releasesleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  lk->locked = 0;
  lk->pid = 0;
  wakeup(lk);
  release(&lk->lk);
}

int holdingsleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  int mine = lk->locked && lk->pid == myproc()->pid;
  release(&lk->lk);
  return mine;
}
