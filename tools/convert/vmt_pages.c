// Linear probing; deletion shifts later entries of the same run back, so there are no
// tombstones and the table never fills up with dead slots.
#include <stdlib.h>
#include <string.h>

#include "tools/convert/vmt_pages.h"

int pages_init(struct vmt_pages *t)
{
  memset(t, 0, sizeof *t);
  t->cap = VMT_PAGES_MIN;
  t->slot = calloc(t->cap, sizeof *t->slot);
  return t->slot ? 0 : -1;
}

void pages_free(struct vmt_pages *t)
{
  free(t->slot);
  t->slot = NULL;
}

static uint32 home(const struct vmt_pages *t, uint64 key, uint32 tag)
{
  uint64 h = (key ^ (uint64)tag << 40 ^ tag) * 0x9e3779b97f4a7c15ull;   // Fibonacci hashing
  return (uint32)(h >> 32) & (t->cap - 1);
}

static struct vmt_page *lookup(struct vmt_pages *t, uint64 key, uint32 tag)
{
  uint32 i = home(t, key, tag);
  while (t->slot[i].key && (t->slot[i].key != key || t->slot[i].tag != tag))
    i = (i + 1) & (t->cap - 1);
  return &t->slot[i];
}

static void grow(struct vmt_pages *t)
{
  struct vmt_pages bigger = { .cap = t->cap * 2 };
  bigger.slot = calloc(bigger.cap, sizeof *bigger.slot);
  if (!bigger.slot)
    return;
  for (uint32 i = 0; i < t->cap; i++)
    if (t->slot[i].key)
      *lookup(&bigger, t->slot[i].key, t->slot[i].tag) = t->slot[i];
  bigger.n = t->n;
  bigger.untracked = t->untracked;
  free(t->slot);
  *t = bigger;
}

uint64 *pages_find(struct vmt_pages *t, uint64 key, uint32 tag)
{
  struct vmt_page *p = lookup(t, key, tag);
  return p->key ? &p->val : NULL;
}

int pages_put(struct vmt_pages *t, uint64 key, uint32 tag, uint64 val)
{
  struct vmt_page *p = lookup(t, key, tag);
  if (p->key) {
    p->val = val;
    return 0;
  }
  if (t->n >= t->cap / 2 && t->cap < VMT_PAGES_MAX) {
    grow(t);
    p = lookup(t, key, tag);
  }
  if (t->n >= t->cap / 2) {
    t->untracked++;
    return -1;
  }
  *p = (struct vmt_page){ key, val, tag };
  t->n++;
  return 0;
}

// Empties slot i, then moves back any later entry of the run that would no longer be
// found past the hole.
static void remove_at(struct vmt_pages *t, uint32 i)
{
  uint32 j = i;
  t->slot[i].key = 0;
  for (;;) {
    j = (j + 1) & (t->cap - 1);
    if (!t->slot[j].key)
      return;
    uint32 h = home(t, t->slot[j].key, t->slot[j].tag);
    // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
    if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
      continue;
    t->slot[i] = t->slot[j];
    t->slot[j].key = 0;
    i = j;
  }
}

int pages_del(struct vmt_pages *t, uint64 key, uint32 tag)
{
  struct vmt_page *p = lookup(t, key, tag);
  if (!p->key)
    return 0;
  remove_at(t, (uint32)(p - t->slot));
  t->n--;
  return 1;
}
