# Every hart starts here, in machine mode, at 0x80000000 with paging off, while the
# kernel is linked in the upper half (kernel/kernel.ld). Until paging is on, only
# pc-relative addressing works: `la` and `call` give physical addresses here.
#
# _entry gives each hart its own boot stack and runs start() (machine mode, physical);
# start() mrets to supervisor_entry, still physical, which turns on the boot page table
# and jumps to main() at its linked address.
#include "kernel/param.h"
#include "kernel/memlayout.h"

        .section .text
        .global _entry
_entry:
        la sp, boot_stacks
        li t0, BOOT_STACK
        csrr t1, mhartid
        addi t1, t1, 1
        mul t0, t0, t1
        add sp, sp, t0          # sp = top of this hart's stack (physical)
        call start
1:
        wfi
        j 1b

# Supervisor mode, paging off, sp physical. The boot page table maps the first GiB of
# RAM twice: at its physical address, so that the instruction after the satp write is
# still there, and in the direct map, where the kernel is linked. Its direct map of
# the devices' gigabyte lets main() print before kvminit() builds the real map.
        .global supervisor_entry
supervisor_entry:
        la t0, boot_pagetable
        srli t0, t0, 12
        li t1, 8 << 60          # Sv39 (SATP_SV39)
        or t0, t0, t1
        sfence.vma zero, zero
        csrw satp, t0
        sfence.vma zero, zero
        li t0, DIRECTMAP
        add sp, sp, t0          # the same stack, through the direct map
        ld t0, main_linked      # main's linked (upper-half) address, read pc-relatively
        jr t0

        .section .rodata
        .align 3
main_linked:
        .dword main

# Gigapage leaves: PPN = pa >> 12 at bit 10, then D A X W R V (0xcf); A and D are set
# so that no hardware needs to update them.
#define GIGA_LEAF(pa) (((pa) >> 12) << 10 | 0xcf)
#define GIGA_INDEX(va) (((va) >> 30) & 0x1ff)
        .section .data
        .align 12
        .global boot_pagetable
boot_pagetable:
        .zero 8 * GIGA_INDEX(KERNBASE)
        .dword GIGA_LEAF(KERNBASE)
        .zero 8 * (GIGA_INDEX(DIRECTMAP) - GIGA_INDEX(KERNBASE) - 1)
        .dword GIGA_LEAF(0)
        .zero 8 * (GIGA_INDEX(DIRECTMAP + KERNBASE) - GIGA_INDEX(DIRECTMAP) - 1)
        .dword GIGA_LEAF(KERNBASE)
        .zero 8 * (511 - GIGA_INDEX(DIRECTMAP + KERNBASE))
