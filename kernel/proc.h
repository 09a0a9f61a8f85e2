// Processes, harts and the scheduler.
#ifndef FAULTLINE_PROC_H
#define FAULTLINE_PROC_H

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"

struct memstat;

// Callee-saved registers kept across swtch().
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s[12];   // s0..s11
};

struct cpu {
  struct proc *proc;        // running here, or 0
  struct context context;   // swtch() here to enter the scheduler
  int noff;                 // push_off depth
  int intena;               // were interrupts on before the first push_off?
  uint64 idle_rescans;       // runnable work found on the way to idle (proc.c, idle())
};

extern struct cpu cpus[NCPU];
extern int nharts;   // harts that have booted (kernel/main.c)

// User registers saved by the trampoline, one page per process, mapped at TRAPFRAME.
// The trampoline (kernel/trampoline.S) addresses these fields by byte offset: change the
// layout and change it there too.
struct trapframe {
  /*   0 */ uint64 unused;         // keeps the offsets trampoline.S uses
  /*   8 */ uint64 kernel_sp;      // top of this process's kernel stack
  /*  16 */ uint64 kernel_trap;    // usertrap()
  /*  24 */ uint64 epc;            // user pc
  /*  32 */ uint64 kernel_hartid;  // tp while in the kernel
  /*  40 */ uint64 ra;
  /*  48 */ uint64 sp;
  /*  56 */ uint64 gp;
  /*  64 */ uint64 tp;
  /*  72 */ uint64 t0;
  /*  80 */ uint64 t1;
  /*  88 */ uint64 t2;
  /*  96 */ uint64 s0;
  /* 104 */ uint64 s1;
  /* 112 */ uint64 a0;
  /* 120 */ uint64 a1;
  /* 128 */ uint64 a2;
  /* 136 */ uint64 a3;
  /* 144 */ uint64 a4;
  /* 152 */ uint64 a5;
  /* 160 */ uint64 a6;
  /* 168 */ uint64 a7;
  /* 176 */ uint64 s2;
  /* 184 */ uint64 s3;
  /* 192 */ uint64 s4;
  /* 200 */ uint64 s5;
  /* 208 */ uint64 s6;
  /* 216 */ uint64 s7;
  /* 224 */ uint64 s8;
  /* 232 */ uint64 s9;
  /* 240 */ uint64 s10;
  /* 248 */ uint64 s11;
  /* 256 */ uint64 t3;
  /* 264 */ uint64 t4;
  /* 272 */ uint64 t5;
  /* 280 */ uint64 t6;
};

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };


struct proc {
  struct spinlock lock;

  // p->lock must be held to use these:
  enum procstate state;
  void *chan;               // sleeping on chan, if non-zero
  int killed;
  int xstate;               // exit status, for the parent's wait()
  int pid;

  // wait_lock must be held to use this:
  struct proc *parent;

  // Private to the process; no lock needed:
  uint64 kstack;            // kernel stack (virtual address)
  pagetable_t pagetable;    // user page table
  uint64 sz;                // top of the address space: the break
  struct trapframe *trapframe;
  struct context context;   // swtch() here to run the process
  struct file *ofile[NOFILE];
  struct inode *cwd;
  char name[16];            // program name, for ^P and fault messages

  // The address-space layout exec built; the fault handler's bounds (never the saved sp).
  uint64 stack_base;        // lowest stack address; the guard page is just below
  uint64 heap_base;         // first heap address (= top of the stack); sbrk never goes below
  // The last-level page tables that map stack_base and heap_base - 1 (the same one
  // unless the stack crosses a 2 MiB boundary), found by the first call-chain walk of
  // this image (tracing/callchain.c), 0 until then. Whoever sets stack_base clears
  // them: the tables live exactly as long as the image's page table.
  pte_t *stack_tables[2];
  int mempolicy;            // MEMPOLICY_*; inherited by fork, kept by exec
  int forkpolicy;           // FORKPOLICY_*; inherited by fork, kept by exec
  // Fault-around's run of faults (kernel/vmfault.c): the page a fault continuing the run
  // would hit (0: no run), and how many pages the run's last fault mapped.
  uint64 around_next;
  int around_pages;
  // Its copy-on-write faults since fork made it (kept by exec; memstat reports them).
  uint64 cow_copied;        // a frame copied for it
  uint64 cow_taken;         // the shared frame taken over, the last reference being its
  int trace_pid;            // pid its trace records carry: pid, or the process whose
                            // page table it is working on (tracing/emit.c)
};

void procinit(void);
void userinit(void);
int  cpuid(void);                 // interrupts must be off
struct cpu  *mycpu(void);         // interrupts must be off
struct proc *myproc(void);

int  fork(void);
void exit(int status) __attribute__((noreturn));
int  wait(uint64 addr);           // addr: user address for the status, or 0
int  kill(int pid);
void setkilled(struct proc *p);
int  killed(struct proc *p);
// sbrk's work: move the break by n, growing as type (SBRK_EAGER or SBRK_LAZY,
// kernel/vm.h) asks unless p's policy overrides it. 0, or -1 and nothing changed.
int  growproc(long n, int type);

void sleep(void *chan, struct spinlock *lk);
void wakeup(void *chan);
void yield(void);
void sched(void);
void scheduler(void) __attribute__((noreturn));
uint64 sched_idle_rescans(void);   // runnable work found on the way to idle, all harts
void procdump(void);              // ^P
// Fill *st for pid (0: the caller); -1 if no such process or it is running elsewhere.
int  procmemstat(int pid, struct memstat *st);

pagetable_t proc_pagetable(struct proc *p);   // empty user table with trampoline + trapframe
void proc_freepagetable(pagetable_t pagetable, uint64 sz);

// kernel/swtch.S
void swtch(struct context *old, struct context *new);

#endif
