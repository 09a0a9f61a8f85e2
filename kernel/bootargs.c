// The boot's arguments, read from the flattened device tree (the devicetree
// specification's format: a header, a block of tokens describing nodes and properties,
// a block of property names; every number big-endian). Only /chosen/bootargs matters.
// The tree comes from QEMU, but it is still read with bounds checks: a malformed tree
// means no arguments, never a fault.
#include "kernel/types.h"
#include "kernel/memlayout.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"
#include "kernel/bootargs.h"
#include "kernel/kaddr.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_MAX_SIZE   (1024 * 1024)   // QEMU's is a few KiB; anything bigger is suspect

uint64 boot_fdt;
static int boot_policy = MEMPOLICY_DEFAULT;
static int boot_forkpolicy = FORKPOLICY_COW;

static uint32 be32(const uchar *p)
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

// /chosen/bootargs, or 0 if the tree has none (or is not a tree). The tree must lie
// within limit bytes of fdt.
static const char *find_bootargs(const uchar *fdt, uint64 limit)
{
  if (be32(fdt) != FDT_MAGIC)
    return 0;
  uint32 size = be32(fdt + 4), structs = be32(fdt + 8), strings = be32(fdt + 12);
  if (size > FDT_MAX_SIZE || size > limit || structs >= size || strings >= size)
    return 0;
  int depth = 0, in_chosen = 0;
  for (uint32 at = structs; at + 4 <= size;) {
    uint32 token = be32(fdt + at);
    at += 4;
    if (token == FDT_BEGIN_NODE) {
      const char *name = string_at(fdt, at, size);
      if (name == 0)
        return 0;
      depth++;
      in_chosen = depth == 2 && strncmp(name, "chosen", 7) == 0;
      at = (at + strlen(name) + 1 + 3) & ~3u;
    } else if (token == FDT_END_NODE) {
      depth--;
      in_chosen = 0;
    } else if (token == FDT_PROP) {
      if (at + 8 > size)
        return 0;
      uint32 len = be32(fdt + at), nameoff = be32(fdt + at + 4);
      uint32 value = at + 8;
      if (len > size - value || nameoff >= size - strings)
        return 0;
      const char *pname = string_at(fdt, strings + nameoff, size);
      if (in_chosen && pname && strncmp(pname, "bootargs", 9) == 0)
        return string_at(fdt, value, value + len);
      at = (value + len + 3) & ~3u;
    } else if (token != FDT_NOP) {
      return 0;   // FDT_END, or garbage
    }
  }
  return 0;
}

// The boot arguments this kernel knows: KEY=NAME, NAME one of names[0 .. count), sets
// *value to NAME's index.
struct knob {
  const char *key;             // with its '='
  const char *what;            // for the console
  const char *const *names;
  int count;
  int *value;
};

static const char *const mem_names[] = MEMPOLICY_NAMES;
static const char *const fork_names[] = FORKPOLICY_NAMES;
static const struct knob knobs[] = {
  { "policy=", "sbrk policy", mem_names, MEMPOLICY_COUNT, &boot_policy },
  { "fork=", "fork policy", fork_names, FORKPOLICY_COUNT, &boot_forkpolicy },
};

// Set k's value from the name after its key in w, or say why not.
static void apply_knob(const struct knob *k, const char *w)
{
  const char *name = w + strlen(k->key);
  for (int i = 0; i < k->count; i++) {
    if (strncmp(name, k->names[i], strlen(k->names[i]) + 1) == 0) {
      *k->value = i;
      printf("bootargs: %s %s for every process\n", k->what, k->names[i]);
      return;
    }
  }
  printf("bootargs: unknown %s '%s' (one of:", k->what, name);
  for (int i = 0; i < k->count; i++)
    printf(" %s", k->names[i]);
  printf(")\n");
}

// Apply one word of the arguments.
static void apply_word(const char *w)
{
  for (int i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
    if (strncmp(w, knobs[i].key, strlen(knobs[i].key)) == 0) {
      apply_knob(&knobs[i], w);
      return;
    }
  }
  printf("bootargs: ignoring '%s'\n", w);
}

void bootargs_init(void)
{
  if (boot_fdt < KERNBASE || boot_fdt >= PHYSTOP || boot_fdt % 8 != 0)
    return;   // no tree where RAM is: no arguments
  // boot_fdt is physical (QEMU's a1): read the tree through the direct map.
  const char *args = find_bootargs(pa2kva(boot_fdt), PHYSTOP - boot_fdt);
  if (args == 0)
    return;
  char word[32];   // longer words are cut here, and then match nothing
  for (const char *p = args; *p;) {
    while (*p == ' ')
      p++;
    int n = 0;
    for (; *p && *p != ' '; p++)
      if (n < sizeof(word) - 1)
        word[n++] = *p;
    word[n] = 0;
    if (n > 0)
      apply_word(word);
  }
}

int bootargs_mempolicy(void)
{
  return boot_policy;
}

int bootargs_forkpolicy(void)
{
  return boot_forkpolicy;
}
