// The boot's arguments: /chosen/bootargs in the device tree (kernel/fdt.h). A malformed
// tree means no arguments.
#include "kernel/types.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"
#include "kernel/bootargs.h"
#include "kernel/fdt.h"

static int boot_policy = MEMPOLICY_DEFAULT;
static int boot_forkpolicy = FORKPOLICY_COW;

// fdt_walk's visitor: stops at /chosen/bootargs, leaving it in *(const char **)arg if
// it is a string that ends inside its value.
static int find_bootargs(const struct fdt_prop *p, void *arg)
{
  if (p->depth != 2 || strncmp(p->node, "chosen", 7) != 0 ||
      strncmp(p->name, "bootargs", 9) != 0)
    return 0;
  if (p->len > 0 && p->value[p->len - 1] == 0)
    *(const char **)arg = (const char *)p->value;
  return 1;
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
  const char *args = 0;
  if (fdt_walk(find_bootargs, &args) != 1 || args == 0)
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
