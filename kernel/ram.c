// The end of RAM (kernel/ram.h), from the device tree: the root's #address-cells and
// #size-cells say how wide the numbers are (2 and 2 when absent, the specification's
// default and QEMU virt's values), and /memory's reg lists (address, size) pairs; the
// kernel uses the range that starts at KERNBASE, where QEMU loads it.
#include "kernel/types.h"
#include "kernel/memlayout.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/kaddr.h"
#include "kernel/fdt.h"
#include "kernel/ram.h"

#define MiB (1024 * 1024UL)

uint64 phys_top;

struct memory_search {
  uint32 address_cells, size_cells;   // the root's, read before its child nodes
  uint64 size;                        // of the range at KERNBASE, once found
};

#define FOUND     1
#define MALFORMED 2

// A number of cells cells (one or two) at p.
static uint64 cells_at(const uchar *p, uint32 cells)
{
  uint64 n = 0;
  for (uint32 i = 0; i < cells; i++)
    n = n << 32 | fdt_be32(p + 4 * i);
  return n;
}

// Is name a memory node's: "memory", or "memory@" and its unit address.
static int memory_node(const char *name)
{
  return strncmp(name, "memory", 6) == 0 && (name[6] == 0 || name[6] == '@');
}

// The root's cell sizes, then the reg entry of a memory node that starts at KERNBASE.
static int visit_memory(const struct fdt_prop *p, void *arg)
{
  struct memory_search *m = arg;
  if (p->depth == 1 && strncmp(p->name, "#address-cells", 15) == 0)
    m->address_cells = p->len == 4 ? fdt_be32(p->value) : 0;
  else if (p->depth == 1 && strncmp(p->name, "#size-cells", 12) == 0)
    m->size_cells = p->len == 4 ? fdt_be32(p->value) : 0;
  if (p->depth != 2 || !memory_node(p->node) || strncmp(p->name, "reg", 4) != 0)
    return 0;
  uint32 ac = m->address_cells, sc = m->size_cells;
  if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
    return MALFORMED;
  uint32 entry = 4 * (ac + sc);
  if (p->len == 0 || p->len % entry != 0)
    return MALFORMED;
  for (uint32 at = 0; at < p->len; at += entry) {
    if (cells_at(p->value + at, ac) == KERNBASE) {
      m->size = cells_at(p->value + at + 4 * ac, sc);
      return FOUND;
    }
  }
  return 0;   // another NUMA node's memory: keep looking
}

// The RAM size the tree gives for the range at KERNBASE, or 0 if it gives none.
static uint64 tree_ram_size(void)
{
  struct memory_search m = { 2, 2, 0 };
  return fdt_walk(visit_memory, &m) == FOUND ? m.size : 0;
}

void ram_init(void)
{
  extern char end[];   // kernel.ld: the kernel image's end
  uint64 image_end = PGROUNDUP(kva2pa(end));
  uint64 size = tree_ram_size();
  if (size == 0) {
    phys_top = PHYSTOP;
    printf("ram: no usable /memory in the device tree, assuming %lu MiB\n",
           (PHYSTOP - KERNBASE) / MiB);
    return;
  }
  // Compared as a size, so that a huge one cannot wrap KERNBASE + size.
  if (size > PHYSMAX - KERNBASE) {
    phys_top = PHYSMAX;
    printf("ram: %lu MiB, of which the kernel uses the first %lu MiB (its boot map)\n",
           size / MiB, (PHYSMAX - KERNBASE) / MiB);
    return;
  }
  phys_top = PGROUNDDOWN(KERNBASE + size);
  if (phys_top < image_end) {
    printf("ram: %lu KiB is less than the kernel image, assuming %lu KiB\n",
           size / 1024, (image_end - KERNBASE) / 1024);
    phys_top = image_end;
  }
}
