// How much RAM the machine has: QEMU's -m, as the device tree's /memory node says.
#ifndef FAULTLINE_RAM_H
#define FAULTLINE_RAM_H

#include "kernel/types.h"

// The end of RAM (physical, exclusive, page aligned): RAM is [KERNBASE, phys_top), with
// phys_top at most PHYSMAX. Set once by ram_init; read-only afterwards.
extern uint64 phys_top;

// Read the RAM's size from the device tree, saying on the console when it is absent or
// beyond what the kernel supports (main prints the size it settled on). Hart 0, once, before kinit
// (which overwrites the tree) and before anything uses phys_top. No usable /memory
// node: PHYSTOP, QEMU's default of 128 MiB.
void ram_init(void);

#endif
