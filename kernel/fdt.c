// The device tree walker (kernel/fdt.h). The tree comes from QEMU, but it is still read
// with bounds checks, so that every reader of the tree (kernel/bootargs.c,
// kernel/ram.c) can treat a malformed one as "no information".
#include "kernel/types.h"
#include "kernel/memlayout.h"
#include "kernel/kstring.h"
#include "kernel/kaddr.h"
#include "kernel/fdt.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_MAX_SIZE   (1024 * 1024)   // QEMU's is a few KiB; anything bigger is suspect
#define FDT_MAX_DEPTH  16              // QEMU's virt tree is 4 deep

uint64 boot_fdt;

uint32 fdt_be32(const uchar *p)
{
  return (uint32)p[0] << 24 | (uint32)p[1] << 16 | (uint32)p[2] << 8 | p[3];
}

// The NUL-terminated string at off, if it ends inside [off, end); else 0.
static const char *string_at(const uchar *fdt, uint32 off, uint32 end)
{
  for (uint32 i = off; i < end; i++)
    if (fdt[i] == 0)
      return (const char *)fdt + off;
  return 0;
}

// The tree through the direct map, with *size its length, or 0 if boot_fdt holds no
// tree the boot page table maps (kernel/entry.S: RAM's first GiB, up to PHYSMAX).
static const uchar *boot_tree(uint32 *size)
{
  if (boot_fdt < KERNBASE || boot_fdt >= PHYSMAX - 16 || boot_fdt % 8 != 0)
    return 0;
  const uchar *fdt = pa2kva(boot_fdt);
  *size = fdt_be32(fdt + 4);
  if (fdt_be32(fdt) != FDT_MAGIC || *size > FDT_MAX_SIZE || *size > PHYSMAX - boot_fdt)
    return 0;
  return fdt;
}

int fdt_walk(fdt_visit visit, void *arg)
{
  uint32 size;
  const uchar *fdt = boot_tree(&size);
  if (fdt == 0)
    return -1;
  uint32 structs = fdt_be32(fdt + 8), strings = fdt_be32(fdt + 12);
  if (structs >= size || strings >= size)
    return -1;
  const char *names[FDT_MAX_DEPTH + 1] = { "" };   // names[d]: the open node at depth d
  int depth = 0;
  for (uint32 at = structs; at + 4 <= size;) {
    uint32 token = fdt_be32(fdt + at);
    at += 4;
    if (token == FDT_BEGIN_NODE) {
      const char *name = string_at(fdt, at, size);
      if (name == 0 || depth == FDT_MAX_DEPTH)
        return -1;
      names[++depth] = name;
      at = (at + strlen(name) + 1 + 3) & ~3u;
    } else if (token == FDT_END_NODE) {
      if (depth == 0)
        return -1;
      depth--;
    } else if (token == FDT_PROP) {
      if (at + 8 > size || depth == 0)
        return -1;
      uint32 len = fdt_be32(fdt + at), nameoff = fdt_be32(fdt + at + 4);
      uint32 value = at + 8;
      if (len > size - value || nameoff >= size - strings)
        return -1;
      const char *pname = string_at(fdt, strings + nameoff, size);
      if (pname == 0)
        return -1;
      struct fdt_prop p = { depth, names[depth], pname, fdt + value, len };
      int r = visit(&p, arg);
      if (r != 0)
        return r;
      at = (value + len + 3) & ~3u;
    } else if (token != FDT_NOP) {
      return depth == 0 ? 0 : -1;   // FDT_END once every node closed; else garbage
    }
  }
  return -1;   // ran off the tree without FDT_END
}
