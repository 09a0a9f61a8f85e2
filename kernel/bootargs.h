// The boot's arguments: the words the host gave QEMU (-append), which QEMU puts in the
// device tree's /chosen/bootargs. One is understood: policy=NAME, the sbrk policy of
// the first process and so of every process of the boot (kernel/mempolicy.h); and
// fork=NAME, the fork policy of every process of the boot (kernel/forkpolicy.h).
#ifndef FAULTLINE_BOOTARGS_H
#define FAULTLINE_BOOTARGS_H

#include "kernel/types.h"

// Read the arguments. Hart 0, once, after printfinit and before kinit: the device tree
// lies in RAM that kinit gives to the page allocator, which overwrites it.
void bootargs_init(void);

// The policy the boot asked for, or MEMPOLICY_DEFAULT if none.
int bootargs_mempolicy(void);
// The fork policy the boot asked for, or FORKPOLICY_COW if none.
int bootargs_forkpolicy(void);

#endif
