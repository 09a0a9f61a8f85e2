// Physical and virtual memory layout. Shared with user programs (TRAMPOLINE, KERNBASE...).
//
// Physical map of qemu -machine virt (what the kernel uses of it):
//   0x00100000  test device (power off / reset)
//   0x0C000000  PLIC
//   0x10000000  UART0
//   0x10001000  virtio-mmio slot 0: the file system disk
//   0x10002000  virtio-mmio slot 1: the host link (trace output)
//   0x80000000  RAM: QEMU loads the kernel here; the rest, up to the end of RAM the device
//               tree tells (phys_top, kernel/ram.h; at most PHYSMAX), is free pages
//
// Virtual memory (Sv39): one address space per process, holding the process in the
// lower half and the kernel in the upper half. The kernel's half is the same in every
// page table (the top-level entries 256..511 are built once at boot and shared), so a
// trap or a system call needs no page-table switch, and user mode cannot touch it
// (no kernel mapping has PTE_U).
//
//   0xffffffffffffe000  KSTACK(0): kernel stacks grow down from the top, one page
//   ...                 each, with an unmapped guard page between neighbours
//   ...
//   0xffffffc080000000  the kernel image (text R|X, then data), linked here; the rest
//                       of RAM up to DIRECTMAP + phys_top follows (R|W)
//   0xffffffc010000000  UART0, virtio (DIRECTMAP + their physical addresses)
//   0xffffffc00c000000  PLIC
//   0xffffffc000100000  test device
//   0xffffffc000000000  DIRECTMAP: physical address pa is at DIRECTMAP + pa
//   (a hole: 0x4000000000 .. 0xffffffbfffffffff is not a valid Sv39 address)
//   MAXVA               (user space ends; one bit less than Sv39 allows)
//   TRAMPOLINE          user/kernel switch code (one page, not user-accessible)
//   TRAPFRAME           the process's saved registers (one page, not user-accessible)
//   ...                 heap, up to the break (p->sz), at most TRAPFRAME
//   stack (USERSTACK pages) | guard page | text and data, from 0
//
// KERNBASE and PHYSTOP keep xv6's values: PHYSTOP ends RAM of QEMU's -m 128M, which is
// the kernel's default when the device tree does not tell. Seen from user space, KERNBASE
// is an address like any other above the break: touching it kills the process, as
// touching any kernel address does.
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

// Where the kernel sees physical memory (kernel/kaddr.h converts). The bottom of Sv39's
// upper half: bit 38 set and sign-extended.
#define DIRECTMAP 0xffffffc000000000

#define KERNBASE 0x80000000L
#define PHYSTOP  (KERNBASE + 128 * 1024 * 1024)
// The most RAM the kernel uses: what the boot page table maps (kernel/entry.S, one
// gigapage), where the device tree must lie and the kernel image runs before kvminit.
#define PHYSMAX  (KERNBASE + 1024 * 1024 * 1024)

// The trampoline holds the user/kernel switch code, mapped at the same virtual address
// in every process's page table; stvec points into it while a hart runs user code.
#define TRAMPOLINE (MAXVA - PGSIZE)

// Kernel stack of process slot p, at the top of the kernel's half, each with an
// unmapped guard page below it (the page above slot 0's is unmapped too).
#define KSTACK(p) (0 - (uint64)((p) + 1) * 2 * PGSIZE)
// Its inverse: the slot whose kernel stack page holds address a, for a at or above
// KSTACK(NPROC - 1).
#define KSTACK_SLOT(a) ((0 - PGROUNDDOWN(a)) / (2 * PGSIZE) - 1)

// The per-process trap frame, just below the trampoline in user page tables.
#define TRAPFRAME (TRAMPOLINE - PGSIZE)

#endif
