# Every hart starts here, in machine mode, at 0x80000000 with paging off.
# Give each hart its own boot stack and continue in C.
#include "kernel/param.h"

        .section .text
        .global _entry
_entry:
        la sp, boot_stacks
        li t0, BOOT_STACK
        csrr t1, mhartid
        addi t1, t1, 1
        mul t0, t0, t1
        add sp, sp, t0          # sp = top of this hart's stack
        call start
1:
        wfi
        j 1b
