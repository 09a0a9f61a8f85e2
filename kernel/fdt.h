// The flattened device tree QEMU hands the kernel (the devicetree specification's
// format: a header, a block of tokens describing nodes and properties, a block of
// property names; every number big-endian). A reader that checks every bound: a
// malformed tree ends the walk, never faults.
#ifndef FAULTLINE_FDT_H
#define FAULTLINE_FDT_H

#include "kernel/types.h"

// start() stores here the device tree address QEMU hands every hart in a1 (0: none).
extern uint64 boot_fdt;

// One property, as fdt_walk shows it. Every pointer points into the tree.
struct fdt_prop {
  int depth;              // of its node: 1 for the root's own properties
  const char *node;       // its node's name, unit address included ("memory@80000000")
  const char *name;       // the property's name
  const uchar *value;
  uint32 len;             // value's bytes; all of them lie inside the tree
};

// Called for each property in tree order; a non-zero return ends the walk with it.
typedef int (*fdt_visit)(const struct fdt_prop *prop, void *arg);

// Walk the tree QEMU handed in boot_fdt. Hart 0, before kinit: the tree lies in RAM
// the page allocator takes over. Returns what visit ended the walk with, 0 if it saw
// every property, -1 if there is no tree in the boot map or the walk met a flaw (the
// properties before the flaw were visited).
int fdt_walk(fdt_visit visit, void *arg);

// The big-endian 32-bit number at p.
uint32 fdt_be32(const uchar *p);

#endif
