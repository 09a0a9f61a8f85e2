// Processes: the process table, creation (fork), exit and wait, sleep and wakeup, and
// the per-hart scheduler.
//
// Locking: p->lock guards a slot's state, chan, killed, xstate and pid. wait_lock guards
// every p->parent and orders exit's wakeup of a parent against that parent's wait();
// when both are needed, wait_lock is taken first.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/kalloc.h"
#include "kernel/kaddr.h"
#include "kernel/vm.h"
#include "kernel/usercopy.h"
#include "kernel/trap.h"
#include "kernel/file.h"
#include "kernel/inode.h"
#include "kernel/log.h"
#include "kernel/exec.h"
#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"
#include "kernel/bootargs.h"
#include "kernel/memstat.h"
#include "kernel/proc.h"
#include "kernel/vmfault.h"
#include "tracing/trace.h"
#include "tracing/vmtrace_dev.h"

struct cpu cpus[NCPU];
static struct proc procs[NPROC];
static struct proc *initproc;

static struct spinlock pid_lock;
static int nextpid = 1;

static struct spinlock wait_lock;

extern char _trampoline[];   // trampoline.S

static void forkret(void);

// ---- The process table ----------------------------------------------------------------

// One kernel stack page per slot, each below an unmapped guard page (KSTACK).
void proc_mapstacks(pagetable_t kpgtbl)
{
  for (int i = 0; i < NPROC; i++) {
    char *page = kalloc();
    if (page == 0)
      panic("proc_mapstacks");
    kvmmap(kpgtbl, KSTACK(i), kva2pa(page), PGSIZE, PTE_R | PTE_W);
  }
}

void procinit(void)
{
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  for (int i = 0; i < NPROC; i++) {
    initlock(&procs[i].lock, "proc");
    procs[i].state = UNUSED;
    procs[i].kstack = KSTACK(i);
  }
}

int cpuid(void)
{
  return r_tp();
}

struct cpu *mycpu(void)
{
  return &cpus[cpuid()];
}

// The process whose kernel thread is running, found from the stack it runs on: slot i's
// thread, and only it, runs on KSTACK(i) (kernel/memlayout.h), wherever the hart; any
// other stack is a hart's boot stack, where the scheduler and boot run for no process.
// Reading mycpu()->proc instead would need interrupts off around it (the thread may move
// to another hart in between), and under QEMU every write of sstatus ends a translated
// block: two of them, in the most called function of a system call.
struct proc *myproc(void)
{
  // sp - 1: sp is the top of the stack page itself when the stack is empty.
  uint64 sp = r_sp() - 1;
  if (sp < KSTACK(NPROC - 1))
    return 0;
  return &procs[KSTACK_SLOT(sp)];
}

static int allocpid(void)
{
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

pagetable_t proc_pagetable(struct proc *p)
{
  pagetable_t pt = uvmcreate();
  if (pt == 0)
    return 0;
  if (mappages(pt, TRAMPOLINE, PGSIZE, kva2pa(_trampoline), PTE_R | PTE_X) < 0) {
    uvmfree(pt, 0);
    return 0;
  }
  if (mappages(pt, TRAPFRAME, PGSIZE, kva2pa(p->trapframe), PTE_R | PTE_W) < 0) {
    unmappages(pt, TRAMPOLINE, 1);
    uvmfree(pt, 0);
    return 0;
  }
  return pt;
}

void proc_freepagetable(pagetable_t pagetable, uint64 sz)
{
  unmappages(pagetable, TRAMPOLINE, 1);
  unmappages(pagetable, TRAPFRAME, 1);
  uvmfree(pagetable, sz);
}

// Work the running process does on owner's memory (fork's copy into the child, wait's
// teardown of a child) is traced under owner's pid, so that a timeline charges every
// page to the process whose page table holds it. Pair with charge_back.
static void charge_to(struct proc *owner)
{
  struct proc *me = myproc();
  if (me)
    me->trace_pid = owner->pid;
}

static void charge_back(void)
{
  struct proc *me = myproc();
  if (me)
    me->trace_pid = me->pid;
}

// Return a slot's resources and mark it free. Caller holds p->lock.
static void freeproc(struct proc *p)
{
  charge_to(p);
  if (p->trapframe)
    kfree(p->trapframe);
  if (p->pagetable)
    proc_freepagetable(p->pagetable, p->sz);
  charge_back();
  p->trapframe = 0;
  p->pagetable = 0;
  p->sz = 0;
  p->heap_base = 0;
  p->stack_base = 0;
  p->stack_tables[0] = p->stack_tables[1] = 0;
  p->pid = 0;
  p->trace_pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->mempolicy = MEMPOLICY_DEFAULT;
  p->forkpolicy = FORKPOLICY_COW;
  p->cow_copied = p->cow_taken = 0;
  vm_fault_end_run(p);
  p->state = UNUSED;
}

// Claim an UNUSED slot with a trap frame, an empty user page table, and a context that
// starts in forkret. Returns with p->lock held, or 0 if no slot or memory is free.
static struct proc *allocproc(void)
{
  struct proc *p;
  for (p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED)
      break;
    release(&p->lock);
  }
  if (p == &procs[NPROC])
    return 0;

  p->pid = allocpid();
  p->trace_pid = p->pid;
  p->state = USED;
  charge_to(p);
  int ok = (p->trapframe = kalloc()) != 0 && (p->pagetable = proc_pagetable(p)) != 0;
  charge_back();
  if (!ok) {
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (uint64)forkret;
  p->context.sp = p->kstack + PGSIZE;
  return p;
}

// ---- Creating processes ---------------------------------------------------------------

// The first process. It has no user memory yet: forkret execs /init once the file
// system is up, since reading the disk needs a process that can sleep.
void userinit(void)
{
  struct proc *p = allocproc();
  if (p == 0)
    panic("userinit");
  initproc = p;
  p->mempolicy = bootargs_mempolicy();   // inherited by every process of the boot
  p->forkpolicy = bootargs_forkpolicy();
  safestrcpy(p->name, "init", sizeof(p->name));
  p->state = RUNNABLE;
  release(&p->lock);
}

int fork(void)
{
  struct proc *p = myproc();
  struct proc *np = allocproc();
  if (np == 0)
    return -1;

  // Copy without np->lock: the copy of a big heap takes long, and every idle hart's
  // scheduler would spin on the lock meanwhile. A USED slot is the caller's alone (the
  // scheduler skips it; it has no parent yet, so wait() does not see it). Sharing
  // (copy-on-write) changes p's own entries too: p is the running process, so no other
  // hart runs its table, and uvmshare flushes this hart's TLB.
  release(&np->lock);
  charge_to(np);
  int copied = p->forkpolicy == FORKPOLICY_COPY
             ? uvmcopy(p->pagetable, np->pagetable, p->sz)
             : uvmshare(p->pagetable, np->pagetable, p->sz);
  charge_back();
  acquire(&np->lock);
  if (copied < 0) {
    freeproc(np);
    release(&np->lock);
    return -1;
  }
  np->sz = p->sz;
  np->heap_base = p->heap_base;
  np->stack_base = p->stack_base;
  np->stack_tables[0] = np->stack_tables[1] = 0;   // its own, found by its first walk
  np->mempolicy = p->mempolicy;
  np->forkpolicy = p->forkpolicy;
  *np->trapframe = *p->trapframe;
  np->trapframe->a0 = 0;   // fork returns 0 in the child
  for (int i = 0; i < NOFILE; i++)
    if (p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(p->name));
  int pid = np->pid;
  release(&np->lock);
  trace_fork(pid);

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);
  return pid;
}

// How a growth asked for with type (SBRK_EAGER or SBRK_LAZY) happens under policy: the
// call decides only when the process chose no policy (kernel/mempolicy.h).
static int growth_of(int policy, int type)
{
  if (policy != MEMPOLICY_DEFAULT)
    return policy;
  return type == SBRK_EAGER ? MEMPOLICY_EAGER : MEMPOLICY_LAZY;
}

int growproc(long n, int type)
{
  struct proc *p = myproc();
  uint64 oldsz = p->sz;
  uint64 newsz = oldsz + n;
  int growth = growth_of(p->mempolicy, type);

  if (n >= 0) {
    if (newsz < oldsz || newsz > TRAPFRAME)
      return -1;   // wrapped around, or would reach the trap frame
    if (growth == MEMPOLICY_EAGER && uvmgrowheap(p->pagetable, oldsz, newsz) == 0)
      return -1;
  } else {
    if (newsz > oldsz)
      newsz = oldsz;   // below address 0: as on xv6, nothing changes and sbrk succeeds
    else if (newsz < p->heap_base)
      return -1;   // would free data, text or stack
    uvmdealloc(p->pagetable, oldsz, newsz);
    if (p->around_next > newsz)
      vm_fault_end_run(p);   // the run's pages are gone: a fault there starts a new one
  }
  trace_sbrk(oldsz, newsz, growth);
  p->sz = newsz;
  return 0;
}

// ---- Exit and wait --------------------------------------------------------------------

// Give p's children to init. Caller holds wait_lock.
static void reparent(struct proc *p)
{
  for (struct proc *pp = procs; pp < &procs[NPROC]; pp++) {
    if (pp->parent == p) {
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// An exiting process gives its memory back itself, preemptibly and with no lock held,
// instead of leaving it to the parent's wait(), which holds two spinlocks: tearing down
// a large heap takes long, and with interrupts off the trace reader could not run
// while a ring filled. p->pagetable and p->sz go to 0 first, under p->lock, so that
// procdump and memstat never walk a table being freed.
static void free_user_memory(struct proc *p)
{
  acquire(&p->lock);
  pagetable_t pt = p->pagetable;
  uint64 sz = p->sz;
  p->pagetable = 0;
  p->sz = 0;
  vm_activate(0);   // off the table before it is freed; the kernel's half is the same
  release(&p->lock);
  proc_freepagetable(pt, sz);
}

void exit(int status)
{
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exiting");
  intr_on();   // usertrap kills with interrupts off; the teardown below must be preemptible
  trace_exit(status);

  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  begin_op();
  iput(p->cwd);
  end_op();
  p->cwd = 0;
  free_user_memory(p);

  acquire(&wait_lock);
  reparent(p);
  wakeup(p->parent);
  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Reap one exited child: store its status at user address addr (if non-zero) and
// return its pid. -1 if there are no children or the caller was killed.
int wait(uint64 addr)
{
  struct proc *p = myproc();
  acquire(&wait_lock);
  for (;;) {
    int have_kids = 0;
    for (struct proc *pp = procs; pp < &procs[NPROC]; pp++) {
      if (pp->parent != p)
        continue;
      acquire(&pp->lock);   // make sure pp is not still inside exit()
      have_kids = 1;
      if (pp->state == ZOMBIE) {
        int pid = pp->pid;
        if (addr != 0 && copyout(p->pagetable, addr, (char *)&pp->xstate, sizeof(int)) < 0) {
          release(&pp->lock);
          release(&wait_lock);
          return -1;
        }
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        return pid;
      }
      release(&pp->lock);
    }
    if (!have_kids || killed(p)) {
      release(&wait_lock);
      return -1;
    }
    sleep(p, &wait_lock);
  }
}

// ---- Scheduling -----------------------------------------------------------------------

// Switch to p if it is RUNNABLE; back here when it gives up the CPU. Returns 1 if it ran.
static int run_if_runnable(struct cpu *c, struct proc *p)
{
  int ran = 0;
  acquire(&p->lock);
  if (p->state == RUNNABLE) {
    p->state = RUNNING;
    c->proc = p;
    trace_running(&p->trace_pid);
    trace_switch();
    vm_activate(p->pagetable);
    swtch(&c->context, &p->context);
    // Leave p's page table: p may free it (exit, exec) while running on another hart.
    vm_activate(0);
    c->proc = 0;
    trace_running(0);
    ran = 1;
  }
  release(&p->lock);
  return ran;
}

// Is any process RUNNABLE? Read without the locks: a second look for idle() only.
static int any_runnable(void)
{
  for (struct proc *p = procs; p < &procs[NPROC]; p++)
    if (__atomic_load_n(&p->state, __ATOMIC_RELAXED) == RUNNABLE)
      return 1;
  return 0;
}

// The scan found nothing to run: wait for an interrupt. The caller scanned with
// interrupts off and keeps them off here. That order is what makes the wait safe: a disk
// completion or a tick that lands after the scan passed its sleeper cannot make the
// sleeper runnable behind the scan's back; it stays pending, wfi returns at once for a
// pending interrupt that sie enables (whatever sstatus.SIE says), and the scheduler's
// loop takes it and scans again. With interrupts on across the scan (as this loop once
// had), the handler ran early, the wakeup went unseen, and at one hart the sleeper waited
// for the next tick: 100 ms a disk block, on every synchronous log commit.
//
// Before it waits, the hart looks once more. At one hart nothing can have become
// runnable since the scan, so a process found here is that lost wakeup come back, and
// the 1-hart test suites require the count to stay 0. With more harts, another hart may
// have woken a process meanwhile (harts do not interrupt each other when they do): then
// the scheduler scans again rather than leave it for a tick, and the count says how often.
static void idle(struct cpu *c)
{
  if (any_runnable()) {
    __atomic_fetch_add(&c->idle_rescans, 1, __ATOMIC_RELAXED);
    return;
  }
  asm volatile("wfi");
}

// Each hart runs this loop forever: pick a RUNNABLE process, round robin, switch to it,
// and come back here when it gives up the CPU. A trace reader woken because a ring
// filled goes ahead of the round (vmtrace_run_first): behind a dozen busy processes it
// would wait a dozen ticks, and the producers it holds back would drop records instead.
void scheduler(void)
{
  struct cpu *c = mycpu();
  int idle_traced = 0;   // one idle event per idle stretch, not one per loop
  c->proc = 0;
  for (;;) {
    // Take whatever is pending (the last process may have run with interrupts off, and
    // every hart could wait forever), then scan with them off: see idle().
    intr_on();
    intr_off();
    int ran = 0;
    for (struct proc *p = procs; p < &procs[NPROC]; p++) {
      struct proc *first = vmtrace_run_first();
      if (first)
        ran |= run_if_runnable(c, first);
      ran |= run_if_runnable(c, p);
    }
    if (!ran) {
      if (idle_traced == 0)
        trace_switch();   // c->proc is 0: the CPU goes idle
      idle_traced = 1;
      idle(c);
    } else {
      idle_traced = 0;
    }
  }
}

// Times a hart about to wait in idle() found a process runnable after all, all harts
// together since boot (see idle()).
uint64 sched_idle_rescans(void)
{
  uint64 n = 0;
  for (int i = 0; i < NCPU; i++)
    n += __atomic_load_n(&cpus[i].idle_rescans, __ATOMIC_RELAXED);
  return n;
}

// Switch to this hart's scheduler. Caller holds exactly p->lock and has set p->state.
// intena belongs to this kernel thread, not the hart, so it is saved across the switch.
void sched(void)
{
  struct proc *p = myproc();
  if (!holding(&p->lock))
    panic("sched: p->lock not held");
  if (mycpu()->noff != 1)
    panic("sched: other locks held");
  if (p->state == RUNNING)
    panic("sched: still RUNNING");
  if (intr_get())
    panic("sched: interrupts on");
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void yield(void)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// A new process's first run in the kernel: its context starts here (allocproc).
static void forkret(void)
{
  static int fs_ready = 0;
  struct proc *p = myproc();
  release(&p->lock);   // held since scheduler()

  if (!fs_ready) {
    // The first process sets up the file system and becomes /init.
    fsinit(ROOTDEV);
    p->cwd = namei("/");
    char *argv[] = { "/init", 0 };
    int argc = kexec("/init", argv);
    if (argc < 0)
      panic("cannot exec /init");
    p->trapframe->a0 = argc;
    __atomic_store_n(&fs_ready, 1, __ATOMIC_RELEASE);
  }
  usertrapret();
}

// ---- Sleep and wakeup -----------------------------------------------------------------

// Sleep on chan, releasing lk while asleep. Holding p->lock from before lk is released
// until the switch means no wakeup(chan) can slip in between.
void sleep(void *chan, struct spinlock *lk)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  release(lk);
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

// Wake every process sleeping on chan. Caller must not hold any p->lock.
void wakeup(void *chan)
{
  struct proc *me = myproc();
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p == me)
      continue;
    acquire(&p->lock);
    if (p->state == SLEEPING && p->chan == chan)
      p->state = RUNNABLE;
    release(&p->lock);
  }
}

// ---- Killing --------------------------------------------------------------------------

// Mark pid killed. It exits the next time it crosses into or out of the kernel; a
// sleeping victim is woken so that it notices.
int kill(int pid)
{
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && p->state != UNUSED && p != initproc) {   // init must never exit
      trace_kill(pid, 0);
      p->killed = 1;
      if (p->state == SLEEPING)
        p->state = RUNNABLE;
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -1;
}

void setkilled(struct proc *p)
{
  acquire(&p->lock);
  p->killed = 1;
  release(&p->lock);
}

// No lock: killed only goes from 0 to 1 (setkilled), and a kill that lands just after
// this read is seen at the process's next check, as it would be after a locked read.
int killed(struct proc *p)
{
  return __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
}

// ---- ^P -------------------------------------------------------------------------------

static const char *state_name(enum procstate s)
{
  static const char *names[] = {
    [UNUSED] "unused", [USED] "used", [SLEEPING] "sleep",
    [RUNNABLE] "runble", [RUNNING] "run", [ZOMBIE] "zombie",
  };
  return ((uint)s < sizeof(names) / sizeof(names[0]) && names[s]) ? names[s] : "???";
}

static const char *policy_name(int policy)
{
  static const char *const names[] = MEMPOLICY_NAMES;
  return (uint)policy < MEMPOLICY_COUNT ? names[policy] : "???";
}

// One line per process: pid, state, name, virtual size and resident pages. A process
// that is not running cannot change its page table while we hold its lock, so resident
// pages are counted only then; for a running one the count would be a guess.
void procdump(void)
{
  printf("\npid\tstate\tname\tvsz KiB\tresident pages\tpolicy\n");
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED || p->state == USED) {
      release(&p->lock);
      continue;
    }
    printf("%d\t%s\t%s\t%lu\t", p->pid, state_name(p->state), p->name, p->sz / 1024);
    if ((p->state == SLEEPING || p->state == RUNNABLE) && p->pagetable)
      printf("%lu", uvmresident(p->pagetable, p->sz));
    else
      printf("-");
    printf("\t%s\n", policy_name(p->mempolicy));
    release(&p->lock);
  }
}

// ---- Memory figures -------------------------------------------------------------------

static void fill_memstat(struct proc *p, struct memstat *st)
{
  st->vsz = p->sz;
  st->resident = p->pagetable ? uvmresident(p->pagetable, p->sz) : 0;
  st->heap_base = p->heap_base;
  st->stack_base = p->stack_base;
  st->policy = p->mempolicy;
  st->pid = p->pid;
  st->cow_copied = p->cow_copied;
  st->cow_taken = p->cow_taken;
}

int procmemstat(int pid, struct memstat *st)
{
  struct proc *me = myproc();
  if (pid == 0 || pid == me->pid) {
    fill_memstat(me, st);   // our own page table cannot change under us
    return 0;
  }
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && (p->state == SLEEPING || p->state == RUNNABLE)) {
      fill_memstat(p, st);   // see procdump: it cannot run while we hold its lock
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -1;
}
