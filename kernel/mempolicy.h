// sbrk policies: how a process's heap grows. Shared by the kernel and user programs.
#ifndef FAULTLINE_MEMPOLICY_H
#define FAULTLINE_MEMPOLICY_H

#define MEMPOLICY_QUERY (-1)   // mempolicy(MEMPOLICY_QUERY) only reads the policy
#define MEMPOLICY_LAZY    0    // sbrk moves the break; pages are allocated on first touch
#define MEMPOLICY_EAGER   1    // sbrk allocates and maps every page at once (xv6)

#endif
