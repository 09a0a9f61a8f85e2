// Physical and virtual memory layout. Shared with user programs (TRAMPOLINE, KERNBASE...).
//
// Physical map of qemu -machine virt (what the kernel uses of it):
//   0x00100000  test device (power off / reset)
//   0x0C000000  PLIC
//   0x10000000  UART0
//   0x10001000  virtio-mmio slot 0: the file system disk
//   0x10002000  virtio-mmio slot 1: the host link (trace output)
//   0x80000000  RAM: QEMU loads the kernel here; the rest up to PHYSTOP is free pages
//
// Kernel virtual memory is the identity map of the above, plus the trampoline page at
// the top of the address space and a guarded kernel stack per process below it.
//
// User virtual memory, from 0:
//   text and data | guard page | stack (USERSTACK pages) | heap ... up to the break
//   ...
//   TRAPFRAME (one page, not user-accessible)
//   TRAMPOLINE (one page, not user-accessible)
#ifndef FAULTLINE_MEMLAYOUT_H
#define FAULTLINE_MEMLAYOUT_H

#include "kernel/riscv.h"

// The time CSR (rdtime, trace timestamps, the timer compare) counts at this rate.
#define TIMER_HZ   10000000UL

#define TESTDEV    0x00100000L
#define TESTDEV_POWEROFF 0x5555

#define UART0      0x10000000L
#define UART0_IRQ  10

#define VIRTIO_MMIO_STRIDE 0x1000L
#define VIRTIO0      0x10001000L
#define VIRTIO0_IRQ  1
#define VIRTIO1      0x10002000L
#define VIRTIO1_IRQ  2

#define PLIC               0x0c000000L
#define PLIC_PRIORITY      (PLIC + 0x0)
#define PLIC_PENDING       (PLIC + 0x1000)
#define PLIC_SENABLE(hart) (PLIC + 0x2080 + (hart) * 0x100)
#define PLIC_SPRIORITY(hart) (PLIC + 0x201000 + (hart) * 0x2000)
#define PLIC_SCLAIM(hart)  (PLIC + 0x201004 + (hart) * 0x2000)

#define KERNBASE 0x80000000L
#define PHYSTOP  (KERNBASE + 128 * 1024 * 1024)

// The trampoline holds the user/kernel switch code, mapped at the same virtual address
// in every page table so that execution survives the satp switch.
#define TRAMPOLINE (MAXVA - PGSIZE)

// Kernel stack of process slot p, each with an unmapped guard page below it.
#define KSTACK(p) (TRAMPOLINE - ((p) + 1) * 2 * PGSIZE)

// The per-process trap frame, just below the trampoline in user page tables.
#define TRAPFRAME (TRAMPOLINE - PGSIZE)

#endif
