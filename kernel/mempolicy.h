// sbrk policies: how a process's heap grows. Shared by the kernel, user programs and the
// host tools.
//
// A process that has chosen nothing (MEMPOLICY_DEFAULT) gets what each call asks for, as
// on today's xv6-riscv: sbrk eager, sbrklazy lazy (the type sys_sbrk is given,
// kernel/vm.h). Any other policy overrides every growth of the heap, whichever call
// asked: under MEMPOLICY_LAZY plain sbrk is lazy too (xv6's 2020 lazy lab), under
// MEMPOLICY_EAGER sbrklazy is eager. A policy is inherited by fork and kept by exec.
#ifndef FAULTLINE_MEMPOLICY_H
#define FAULTLINE_MEMPOLICY_H

#define MEMPOLICY_QUERY (-1)   // mempolicy(MEMPOLICY_QUERY) only reads the policy
#define MEMPOLICY_LAZY    0    // sbrk moves the break; pages are allocated on first touch
#define MEMPOLICY_EAGER   1    // sbrk allocates and maps every page at once (xv6)
#define MEMPOLICY_FAULTAROUND 2  // lazy, but a fault that continues a sequential run of
                               // faults also maps a window of the pages after it
                               // (kernel/vmfault.c); setting any policy ends a run
#define MEMPOLICY_DEFAULT 3    // none chosen: each call gets what it asks for

// The ways a heap can grow: 0 .. MEMPOLICY_GROWTHS-1 (lazy, eager, fault-around). A
// trace's sbrk record carries one of these, the one that growth used.
#define MEMPOLICY_GROWTHS 3
// Every value mempolicy() takes and returns: the growths and MEMPOLICY_DEFAULT.
#define MEMPOLICY_COUNT   4

// Their names, indexed by policy: one spelling for ^P, the wrappers, the boot's policy
// word, the benchmark's policy column and the trace converter.
#define MEMPOLICY_NAMES { [MEMPOLICY_LAZY] = "lazy", [MEMPOLICY_EAGER] = "eager", \
                          [MEMPOLICY_FAULTAROUND] = "faultaround",                \
                          [MEMPOLICY_DEFAULT] = "default" }

#endif
