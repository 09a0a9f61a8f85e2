#include <stddef.h>

#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_space.h"

#define COW 1ull
#define STAND_IN (1ull << 63)   // a frame id for a page whose frame the records never said

int space_init(struct vmt_space *s, uint32 page_size)
{
  s->shift = 0;
  s->budget = 0;
  while ((1u << s->shift) < page_size)
    s->shift++;
  if (pages_init(&s->maps) < 0 || pages_init(&s->byva) < 0 || pages_init(&s->frames) < 0) {
    space_free(s);
    return -1;
  }
  return 0;
}

void space_credit(struct vmt_space *s)
{
  if (s->budget < (1ull << 40))
    s->budget += VMT_SHARE_CREDIT;
}

void space_free(struct vmt_space *s)
{
  pages_free(&s->maps);
  pages_free(&s->byva);
  pages_free(&s->frames);
}

// The key of pid's va in byva; 0 (untracked) past 2^32 pages or for pid 0.
static uint64 va_key(const struct vmt_space *s, uint32 pid, uint64 va)
{
  uint64 vpn = va >> s->shift;
  return pid && vpn >> 32 == 0 ? (uint64)pid << 32 | vpn : 0;
}

// Counts one mapping more (d = 1) or less (-1) of a real frame, and who maps it.
static void frame_add(struct vmt_space *s, uint64 id, uint32 pid, int d)
{
  if (id & STAND_IN)
    return;
  uint64 *v = pages_find(&s->frames, id + 1, 0);
  uint64 n = (v ? *v >> 32 : 0) + (uint64)(long long)d, x = (v ? *v & 0xffffffffu : 0) ^ pid;
  if (n == 0 || n >> 31)
    pages_del(&s->frames, id + 1, 0);
  else
    pages_put(&s->frames, id + 1, 0, n << 32 | x);
}

// pid maps frame id at its va (vk: va_key, nonzero).
static struct vmt_space_delta map_id(struct vmt_space *s, uint32 pid, uint64 vk, uint64 id,
                                     int cow)
{
  struct vmt_space_delta d = { pid, 1, cow };
  uint64 val = (vk & 0xffffffffu) << 1 | (cow ? COW : 0), *old = pages_find(&s->maps, id + 1, pid);
  if (old) {                          // mapped again without an unmap: a lost record
    d.resident = 0;
    d.cow -= (int)(*old & COW);
    *old = val;
  } else if (pages_put(&s->maps, id + 1, pid, val) == 0) {
    frame_add(s, id, pid, 1);
  }
  pages_put(&s->byva, vk, 0, id);
  return d;
}

struct vmt_space_delta space_map(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa,
                                 int cow)
{
  uint64 vk = va_key(s, pid, va);
  if (!vk)
    return (struct vmt_space_delta){ pid, 1, cow };
  return map_id(s, pid, vk, pa >> s->shift, cow);
}

// Forgets pid's mapping of frame id (value *m); the change to pid's counts.
static struct vmt_space_delta drop(struct vmt_space *s, uint32 pid, uint64 id, uint64 *m)
{
  struct vmt_space_delta d = { pid, -1, -(int)(*m & COW) };
  uint64 vk = (uint64)pid << 32 | *m >> 1, *at = pages_find(&s->byva, vk, 0);
  if (at && *at == id)
    pages_del(&s->byva, vk, 0);
  frame_add(s, id, pid, -1);
  pages_del(&s->maps, id + 1, pid);
  return d;
}

// The one other process that maps frame id at va, or 0; *m its mapping.
static uint32 sole_mapper(struct vmt_space *s, uint64 id, uint64 va, uint64 **m)
{
  uint64 *f = pages_find(&s->frames, id + 1, 0);
  if (!f || *f >> 32 != 1)
    return 0;
  uint32 owner = (uint32)*f;
  *m = pages_find(&s->maps, id + 1, owner);
  return *m && **m >> 1 == (va >> s->shift & 0xffffffffu) ? owner : 0;
}

struct vmt_space_delta space_unmap(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa,
                                   uint32 perm)
{
  uint64 id = pa >> s->shift, vk = va_key(s, pid, va), *m = NULL, *at;
  uint32 owner = pid;
  if (!vk)
    return (struct vmt_space_delta){ pid && (perm & VMT_PTE_U) ? pid : 0, -1,
                                     -!!(perm & VMT_PTE_COW) };
  if (!(m = pages_find(&s->maps, id + 1, pid)) && (at = pages_find(&s->byva, vk, 0)) &&
      (*at & STAND_IN)) {            // a shared page whose frame was never said
    id = *at;
    m = pages_find(&s->maps, id + 1, pid);
  }
  if (!m)
    owner = sole_mapper(s, id, va, &m);
  if (m)
    return drop(s, owner, id, m);
  if (!(perm & VMT_PTE_U))
    return (struct vmt_space_delta){ 0, 0, 0 };
  return (struct vmt_space_delta){ pid, -1, -!!(perm & VMT_PTE_COW) };
}

// Page vk of the share in the parent: the frame there (a stand-in if unknown), made COW
// in the parent if cow; adds to *d what that changed.
static uint64 parent_page(struct vmt_space *s, uint32 parent, uint64 vk, int cow,
                          struct vmt_share_delta *d)
{
  uint64 *at = vk ? pages_find(&s->byva, vk, 0) : NULL;
  uint64 id = at ? *at : STAND_IN | (vk & 0xffffffffu);
  uint64 *m = vk && cow ? pages_find(&s->maps, id + 1, parent) : NULL;
  if (!cow || !vk)
    return id;
  if (!m) {                           // mapped before the recording: count it from now
    d->parent_cow++;
    map_id(s, parent, vk, id, 1);
    return id;
  }
  d->parent_cow += !(*m & COW);
  *m |= COW;
  return id;
}

struct vmt_share_delta space_share(struct vmt_space *s, uint32 child, uint32 parent,
                                   uint64 va, uint64 n, int cow)
{
  struct vmt_share_delta d = { 0, 0, 0 };
  uint64 tracked = n < VMT_SHARE_TRACKED ? n : VMT_SHARE_TRACKED;
  tracked = tracked < s->budget ? tracked : s->budget;
  s->budget -= tracked;
  for (uint64 i = 0; i < tracked; i++) {
    uint64 at = va + (i << s->shift), ck = va_key(s, child, at);
    uint64 id = parent_page(s, parent, va_key(s, parent, at), cow, &d);
    struct vmt_space_delta m = ck ? map_id(s, child, ck, (id & STAND_IN) ? STAND_IN | (ck &
                                                                 0xffffffffu) : id, cow)
                                  : (struct vmt_space_delta){ child, 1, cow };
    d.resident += m.resident;
    d.cow += m.cow;
  }
  d.resident += (long long)(n - tracked);
  d.cow += cow ? (long long)(n - tracked) : 0;
  d.parent_cow += cow ? (long long)(n - tracked) : 0;
  return d;
}

int space_cow_done(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa)
{
  uint64 vk = va_key(s, pid, va), *m = pid ? pages_find(&s->maps, (pa >> s->shift) + 1, pid) : NULL;
  uint64 *at = !m && vk ? pages_find(&s->byva, vk, 0) : NULL;
  if (at)                             // the copy's map was not recorded: the shared page
    m = pages_find(&s->maps, *at + 1, pid);
  if (!m || !(*m & COW))
    return 0;
  *m &= ~COW;
  return -1;
}
