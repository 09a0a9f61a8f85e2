// sbrk policies: how a process's heap grows. Shared by the kernel and user programs.
#ifndef FAULTLINE_MEMPOLICY_H
#define FAULTLINE_MEMPOLICY_H

#define MEMPOLICY_QUERY (-1)   // mempolicy(MEMPOLICY_QUERY) only reads the policy
#define MEMPOLICY_LAZY    0    // sbrk moves the break; pages are allocated on first touch
#define MEMPOLICY_EAGER   1    // sbrk allocates and maps every page at once (xv6)
#define MEMPOLICY_FAULTAROUND 2  // lazy, but a fault that continues a sequential run of
                               // faults also maps a window of the pages after it
                               // (kernel/vmfault.c); setting any policy ends a run
#define MEMPOLICY_COUNT   3

// Their names, indexed by policy: one spelling for ^P, the wrappers, the benchmark's
// policy column and the trace converter.
#define MEMPOLICY_NAMES { [MEMPOLICY_LAZY] = "lazy", [MEMPOLICY_EAGER] = "eager", \
                          [MEMPOLICY_FAULTAROUND] = "faultaround" }

#endif
