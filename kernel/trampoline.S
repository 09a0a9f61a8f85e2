# The user/kernel boundary. This page is mapped at TRAMPOLINE in every process's page
# table, which also holds the kernel (kernel/memlayout.h): a trap stays on the same page
# table, so neither direction writes satp or touches the TLB. Field offsets are those
# of struct trapframe (kernel/proc.h).
#include "kernel/memlayout.h"

        .section trampsec

# Traps from user mode land here (stvec), on the process's page table, where the kernel
# runs too.
        .align 4
        .globl uservec
uservec:
        csrw sscratch, a0          # free a0 to address the trap frame
        li a0, TRAPFRAME

        sd ra, 40(a0)
        sd sp, 48(a0)
        sd gp, 56(a0)
        sd tp, 64(a0)
        sd t0, 72(a0)
        sd t1, 80(a0)
        sd t2, 88(a0)
        sd s0, 96(a0)
        sd s1, 104(a0)
        sd a1, 120(a0)
        sd a2, 128(a0)
        sd a3, 136(a0)
        sd a4, 144(a0)
        sd a5, 152(a0)
        sd a6, 160(a0)
        sd a7, 168(a0)
        sd s2, 176(a0)
        sd s3, 184(a0)
        sd s4, 192(a0)
        sd s5, 200(a0)
        sd s6, 208(a0)
        sd s7, 216(a0)
        sd s8, 224(a0)
        sd s9, 232(a0)
        sd s10, 240(a0)
        sd s11, 248(a0)
        sd t3, 256(a0)
        sd t4, 264(a0)
        sd t5, 272(a0)
        sd t6, 280(a0)
        csrr t0, sscratch
        sd t0, 112(a0)             # the user's a0

        ld sp, 8(a0)               # kernel stack
        ld tp, 32(a0)              # hart id
        ld t0, 16(a0)              # usertrap()
        jr t0                      # never returns

# usertrapret() calls userret() to go back to user mode.
        .globl userret
userret:
        li a0, TRAPFRAME
        ld ra, 40(a0)
        ld sp, 48(a0)
        ld gp, 56(a0)
        ld tp, 64(a0)
        ld t0, 72(a0)
        ld t1, 80(a0)
        ld t2, 88(a0)
        ld s0, 96(a0)
        ld s1, 104(a0)
        ld a1, 120(a0)
        ld a2, 128(a0)
        ld a3, 136(a0)
        ld a4, 144(a0)
        ld a5, 152(a0)
        ld a6, 160(a0)
        ld a7, 168(a0)
        ld s2, 176(a0)
        ld s3, 184(a0)
        ld s4, 192(a0)
        ld s5, 200(a0)
        ld s6, 208(a0)
        ld s7, 216(a0)
        ld s8, 224(a0)
        ld s9, 232(a0)
        ld s10, 240(a0)
        ld s11, 248(a0)
        ld t3, 256(a0)
        ld t4, 264(a0)
        ld t5, 272(a0)
        ld t6, 280(a0)
        ld a0, 112(a0)
        sret                       # to sepc, in user mode (sstatus.SPP = 0)
