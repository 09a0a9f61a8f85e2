// Pipes: a 512-byte ring buffer shared by one read file and one write file.
//
// nread and nwrite count every byte ever taken out and put in; they only grow (and
// wrap around together as unsigned numbers), so nwrite - nread is the number of
// bytes waiting, and a position in data is the count modulo PIPESIZE.
//
// Readers wait on &nwrite (for it to move), writers on &nread. User memory is copied
// with the pipe lock held, in runs that stop at the end of the ring; the copy may take
// a page fault on a lazy heap page, which the fault handler serves without sleeping.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/kalloc.h"
#include "kernel/file.h"
#include "kernel/pipe.h"
#include "kernel/usercopy.h"

#define PIPESIZE 512

struct pipe {
  struct spinlock lock;
  uint nread;       // bytes read so far
  uint nwrite;      // bytes written so far
  int readopen;     // the read end is still open
  int writeopen;    // the write end is still open
  char data[PIPESIZE];
};

_Static_assert(sizeof(struct pipe) <= PGSIZE, "a pipe must fit in one page");

static uint
bytes_waiting(struct pipe *pi)
{
  return pi->nwrite - pi->nread;
}

static uint
min_u(uint a, uint b)
{
  return a < b ? a : b;
}

// Make a pipe and its two files. On failure nothing is left allocated and *rf, *wf
// are untouched.
int
pipealloc(struct file **rf, struct file **wf)
{
  struct pipe *pi = kalloc();
  struct file *r = filealloc();
  struct file *w = filealloc();

  if (pi == 0 || r == 0 || w == 0) {
    // Files from filealloc are still FD_NONE: closing them only frees the slot.
    if (pi)
      kfree(pi);
    if (r)
      fileclose(r);
    if (w)
      fileclose(w);
    return -1;
  }

  initlock(&pi->lock, "pipe");
  pi->nread = 0;
  pi->nwrite = 0;
  pi->readopen = 1;
  pi->writeopen = 1;

  r->type = FD_PIPE;
  r->readable = 1;
  r->writable = 0;
  r->pipe = pi;

  w->type = FD_PIPE;
  w->readable = 0;
  w->writable = 1;
  w->pipe = pi;

  *rf = r;
  *wf = w;
  return 0;
}

// Close one end. Whoever waits on the other end is woken to notice (a reader sees
// end of file, a writer sees no readers). The second close frees the pipe.
void
pipeclose(struct pipe *pi, int writable)
{
  int unused;

  acquire(&pi->lock);
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nwrite);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nread);
  }
  unused = !pi->readopen && !pi->writeopen;
  release(&pi->lock);

  if (unused)
    kfree(pi);
}

// Move up to want bytes from user address src into the ring, stopping at the end of
// the ring. Caller holds pi->lock and has checked there is room. Returns the count
// moved, or -1 if the user memory is not readable (nothing is added then).
static int
put_run(struct pipe *pi, pagetable_t pagetable, uint64 src, uint want)
{
  uint at = pi->nwrite % PIPESIZE;
  uint room = PIPESIZE - bytes_waiting(pi);
  uint m = min_u(want, min_u(room, PIPESIZE - at));

  if (copyin(pagetable, &pi->data[at], src, m) < 0)
    return -1;
  pi->nwrite += m;
  return m;
}

// Write n bytes from user address addr, sleeping while the pipe is full.
// Returns n; the bytes written before a bad user address (or -1 if none); or -1 if
// the read end is closed or the caller is killed while waiting.
int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;

  acquire(&pi->lock);
  while (done < n) {
    int m;

    if (!pi->readopen || killed(p)) {
      release(&pi->lock);
      return -1;
    }
    if (bytes_waiting(pi) == PIPESIZE) {
      wakeup(&pi->nwrite);
      sleep(&pi->nread, &pi->lock);
      continue;
    }
    m = put_run(pi, p->pagetable, addr + done, n - done);
    if (m < 0)
      break;
    done += m;
  }
  wakeup(&pi->nwrite);
  release(&pi->lock);

  if (done == 0 && n > 0)
    return -1;
  return done;
}

// Move up to want bytes from the ring to user address dst, stopping at the end of
// the ring. Caller holds pi->lock and has checked the pipe is not empty. Returns the
// count moved, or -1 if the user memory is not writable (nothing is consumed then).
static int
take_run(struct pipe *pi, pagetable_t pagetable, uint64 dst, uint want)
{
  uint at = pi->nread % PIPESIZE;
  uint m = min_u(want, min_u(bytes_waiting(pi), PIPESIZE - at));

  if (copyout(pagetable, dst, &pi->data[at], m) < 0)
    return -1;
  pi->nread += m;
  return m;
}

// Read up to n bytes into user address addr. Sleeps only while the pipe is empty
// and a writer remains; then takes whatever is there. Returns the count read (0 at
// end of file), or -1 if killed while waiting or if the first copy fails.
int
piperead(struct pipe *pi, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;

  acquire(&pi->lock);
  while (bytes_waiting(pi) == 0 && pi->writeopen) {
    if (killed(p)) {
      release(&pi->lock);
      return -1;
    }
    sleep(&pi->nwrite, &pi->lock);
  }

  while (done < n && bytes_waiting(pi) > 0) {
    int m = take_run(pi, p->pagetable, addr + done, n - done);
    if (m < 0) {
      if (done == 0)
        done = -1;
      break;
    }
    done += m;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return done;
}
