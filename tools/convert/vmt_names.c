// Tables indexed by the format's enums. Unknown values get a neutral word rather than an
// error: a recording from a newer kernel should still convert, showing the raw number too.
#include <string.h>

#include "kernel/mempolicy.h"
#include "tools/convert/vmt_names.h"

static const char *const type_names[VMT_NTYPES] = VMT_TYPE_NAMES;

const char *vmt_type_name(unsigned type)
{
  return type < VMT_NTYPES ? type_names[type] : NULL;
}

unsigned vmt_type_parse(const char *s, size_t n)
{
  for (unsigned t = 1; t < VMT_NTYPES; t++)
    if (strlen(type_names[t]) == n && memcmp(type_names[t], s, n) == 0)
      return t;
  return 0;
}

// One name of a list: a type, or one of the two group words.
static int parse_one(const char *s, size_t n, unsigned *mask)
{
  if (n == 5 && memcmp(s, "fault", 5) == 0) {
    *mask |= VMT_FAULT_EVENTS;
    return 0;
  }
  if (n == 3 && memcmp(s, "all", 3) == 0) {
    *mask |= VMT_EVENTS_ALL;
    return 0;
  }
  unsigned t = vmt_type_parse(s, n);
  if (t == 0)
    return -1;
  *mask |= 1u << t;
  return 0;
}

int vmt_types_parse_list(const char *list, unsigned *mask, char *bad, size_t badlen)
{
  *mask = 0;
  for (const char *p = list;;) {
    size_t n = strcspn(p, ",");
    if (parse_one(p, n, mask) < 0) {
      size_t k = n < badlen - 1 ? n : badlen - 1;
      memcpy(bad, p, k);
      bad[k] = 0;
      return -1;
    }
    if (p[n] == 0)
      return 0;
    p += n + 1;
  }
}

const char *vmt_outcome_name(unsigned outcome)
{
  static const char *const names[] = {
    [VMT_OUT_MAPPED] = "mapped", [VMT_OUT_ILLEGAL] = "illegal",
    [VMT_OUT_PROTECTION] = "protection", [VMT_OUT_NOMEM] = "nomem",
    [VMT_OUT_SPURIOUS] = "spurious", [VMT_OUT_COPIED] = "copied", [VMT_OUT_TAKEN] = "taken",
  };
  return outcome < sizeof names / sizeof names[0] ? names[outcome] : "unknown";
}

const char *vmt_source_name(unsigned source)
{
  if (source == VMT_SRC_USER)
    return "user";
  return source == VMT_SRC_KERNEL ? "kernel" : "unknown";
}

const char *vmt_access_name(unsigned access)
{
  static const char *const names[] = {
    [VMT_ACC_READ] = "read", [VMT_ACC_WRITE] = "write", [VMT_ACC_EXEC] = "exec",
  };
  return access < sizeof names / sizeof names[0] ? names[access] : "unknown";
}

// scause values of the RISC-V privileged spec that can start a page fault.
const char *vmt_cause_name(unsigned scause)
{
  switch (scause) {
  case 12: return "instruction page fault";
  case 13: return "load page fault";
  case 15: return "store page fault";
  case 1: return "instruction access fault";
  case 5: return "load access fault";
  case 7: return "store access fault";
  default: return "other";
  }
}

const char *vmt_page_use_name(unsigned use)
{
  if (use == VMT_PAGE_DATA)
    return "data";
  return use == VMT_PAGE_TABLE ? "page table" : "unknown";
}

const char *vmt_policy_name(unsigned policy)
{
  static const char *const names[] = MEMPOLICY_NAMES;
  return policy < MEMPOLICY_COUNT ? names[policy] : "unknown";
}

void vmt_perm_string(unsigned perm, char *out)
{
  out[0] = perm & VMT_PTE_R ? 'r' : '-';
  out[1] = perm & VMT_PTE_W ? 'w' : '-';
  out[2] = perm & VMT_PTE_X ? 'x' : '-';
  out[3] = perm & VMT_PTE_U ? 'u' : '-';
  out[4] = 0;
}
