// Traps: system calls, exceptions and device interrupts, from user mode (usertrap, via
// the trampoline) and from supervisor mode (kerneltrap, via kernelvec).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/printf.h"
#include "kernel/proc.h"
#include "kernel/plic.h"
#include "kernel/uart.h"
#include "kernel/virtio_disk.h"
#include "kernel/hostlink.h"
#include "kernel/sysarg.h"
#include "kernel/vmfault.h"
#include "kernel/trap.h"
#include "tracing/emit.h"
#include "tracing/vmtrace_dev.h"

struct spinlock tickslock;
uint64 ticks;

#define TICK_INTERVAL (TIMER_HZ / TICK_HZ)   // in time CSR counts

extern char _trampoline[], uservec[], userret[];   // trampoline.S
void kernelvec(void);                              // kernelvec.S

// INTR_PREEMPT: the timer says the interrupted process should give up the CPU.
// INTR_TRACE: a trace ring woke its reader; the process should make way for it
// (vmtrace_backoff).
enum intr_kind { INTR_NONE, INTR_DEVICE, INTR_PREEMPT, INTR_TRACE };

void trapinit(void)
{
  initlock(&tickslock, "time");
}

void trapinithart(void)
{
  w_stvec((uint64)kernelvec);
}

static void clockintr(void)
{
  if (cpuid() == 0) {
    acquire(&tickslock);
    ticks++;
    wakeup(&ticks);
    release(&tickslock);
    vmtrace_tick();
  }
  w_stimecmp(r_time() + TICK_INTERVAL);   // also acknowledges this interrupt
}

static void external_intr(void)
{
  int irq = plic_claim();
  if (irq == UART0_IRQ)
    uartintr();
  else if (irq == VIRTIO0_IRQ)
    virtio_disk_intr();
  else if (irq == VIRTIO1_IRQ)
    hostlink_intr();
  else if (irq)
    printf("unexpected interrupt irq=%d\n", irq);
  if (irq)
    plic_complete(irq);
}

// Handle the interrupt in scause, if it is one.
static enum intr_kind devintr(uint64 scause)
{
  if (scause == SCAUSE_S_EXTERNAL) {
    external_intr();
    return INTR_DEVICE;
  }
  if (scause == SCAUSE_S_TIMER) {
    clockintr();
    return INTR_PREEMPT;
  }
  if (scause == SCAUSE_S_SOFT) {
    w_sip(r_sip() & ~SIP_SSIP);   // only the tracer raises it (tracing/emit.c)
    // A ring reached a watermark on this hart. Making way lets the reader run at once;
    // else it would wait for a tick (100 ms), long enough for a fault storm to fill
    // the ring.
    return vmtrace_kick() ? INTR_TRACE : INTR_DEVICE;
  }
  return INTR_NONE;
}

static int is_page_fault(uint64 scause)
{
  return scause == SCAUSE_INSN_PAGE || scause == SCAUSE_LOAD_PAGE ||
         scause == SCAUSE_STORE_PAGE;
}

// Entered from uservec on the kernel stack, on the process's page table (the kernel's
// half is in every one).
void usertrap(void)
{
  if (r_sstatus() & SSTATUS_SPP)
    panic("usertrap: not from user mode");
  w_stvec((uint64)kernelvec);   // traps from now on are kernel traps

  struct proc *p = myproc();
  p->trapframe->epc = r_sepc();
  uint64 scause = r_scause();
  enum intr_kind intr = INTR_NONE;

  if (scause == SCAUSE_ECALL_U) {
    if (killed(p))
      exit(-1);
    p->trapframe->epc += 4;   // return past the ecall
    intr_on();                // sepc, scause and sstatus are saved: interrupts are safe
    syscall();
  } else if ((intr = devintr(scause)) != INTR_NONE) {
    // handled
  } else if (is_page_fault(scause)) {
    vm_fault_user(scause, r_stval());
  } else {
    printf("pid %d (%s): killed: unexpected trap scause %p at pc %p, stval %p\n",
           p->pid, p->name, (void *)scause, (void *)r_sepc(), (void *)r_stval());
    setkilled(p);
  }

  if (killed(p))
    exit(-1);
  if (intr == INTR_PREEMPT)
    yield();
  else if (intr == INTR_TRACE)
    vmtrace_backoff();
  usertrapret();
}

void usertrapret(void)
{
  struct proc *p = myproc();

  // From here until sret, a trap would go to uservec with kernel state: none may happen.
  intr_off();
  w_stvec(TRAMPOLINE + (uservec - _trampoline));

  p->trapframe->kernel_sp = p->kstack + PGSIZE;
  p->trapframe->kernel_trap = (uint64)usertrap;
  p->trapframe->kernel_hartid = r_tp();

  uint64 s = r_sstatus();
  uint64 x = s;
  x &= ~SSTATUS_SPP;   // sret to user mode
  x |= SSTATUS_SPIE;   // with interrupts on
  if (x != s)          // a trap from user mode left them so; under QEMU a write of
    w_sstatus(x);      // sstatus ends a translated block
  w_sepc(p->trapframe->epc);

  void (*to_user)(void) = (void (*)(void))(TRAMPOLINE + (userret - _trampoline));
  to_user();
  __builtin_unreachable();
}

// Entered from kernelvec. The kernel never touches user memory directly (usercopy.c
// translates instead), so any exception here is a kernel bug.
void kerneltrap(void)
{
  uint64 sepc = r_sepc();
  uint64 sstatus = r_sstatus();
  uint64 scause = r_scause();

  if ((sstatus & SSTATUS_SPP) == 0)
    panic("kerneltrap: not from supervisor mode");
  if (intr_get())
    panic("kerneltrap: interrupts enabled");

  enum intr_kind intr = devintr(scause);
  if (intr == INTR_NONE) {
    printf("kerneltrap: scause %p sepc %p stval %p\n",
           (void *)scause, (void *)sepc, (void *)r_stval());
    panic("kerneltrap");
  }
  // A process is switched out only between trace records (tracing/emit.c).
  int may_switch = myproc() != 0 && !trace_emit_interrupted(sepc);
  if (intr == INTR_PREEMPT && may_switch)
    yield();
  else if (intr == INTR_TRACE && may_switch)
    vmtrace_backoff();

  // yield() may have taken other traps: put back what kernelvec's sret needs.
  w_sepc(sepc);
  w_sstatus(sstatus);
}
