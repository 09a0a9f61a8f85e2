// Supervisor-mode entry for every hart (start.c mret's here). Hart 0 brings the
// machine up; the others wait for it, then join the scheduler.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/printf.h"
#include "kernel/console.h"
#include "kernel/kalloc.h"
#include "kernel/vm.h"
#include "kernel/proc.h"
#include "kernel/trap.h"
#include "kernel/plic.h"
#include "kernel/buf.h"
#include "kernel/inode.h"
#include "kernel/file.h"
#include "kernel/virtio_disk.h"
#include "kernel/hostlink.h"
#include "kernel/bootargs.h"
#include "kernel/ram.h"
#include "kernel/memlayout.h"
#include "tracing/control.h"

static volatile int started = 0;
int nharts;

static void boot_hart0(void)
{
  consoleinit();
  printfinit();
  printf("\nfaultline kernel is booting\n\n");
  ram_init();        // these two before kinit, which reuses the device tree's memory
  bootargs_init();
  kinit();            // pages from the kernel image's end to phys_top
  kvminit();
  kvminithart();
  procinit();
  trapinit();
  trapinithart();
  plicinit();
  plicinithart();
  binit();
  iinit();
  fileinit();
  trace_init();
  virtio_disk_init();
  hostlink_init();
  userinit();
  printf("ram: %lu MiB (0x%lx to 0x%lx)\n", (phys_top - KERNBASE) >> 20, KERNBASE, phys_top);
  printf("hart 0 starting, %lu free pages\n", kfreepages());
  __atomic_store_n(&started, 1, __ATOMIC_RELEASE);
}

static void boot_other_hart(void)
{
  while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) == 0)
    ;
  kvminithart();
  trapinithart();
  plicinithart();
  printf("hart %d starting\n", cpuid());
}

void main(void)
{
  __atomic_fetch_add(&nharts, 1, __ATOMIC_RELAXED);
  if (cpuid() == 0)
    boot_hart0();
  else
    boot_other_hart();
  scheduler();
}
