#include <stddef.h>

#include "tools/convert/vmt_space.h"

#define COW 1ull

int space_init(struct vmt_space *s, uint32 page_size)
{
  s->shift = 0;
  while ((1u << s->shift) < page_size)
    s->shift++;
  if (pages_init(&s->maps) < 0)
    return -1;
  if (pages_init(&s->frames) < 0) {
    pages_free(&s->maps);
    return -1;
  }
  return 0;
}

void space_free(struct vmt_space *s)
{
  pages_free(&s->maps);
  pages_free(&s->frames);
}

// The key of pid's mapping of va; 0 (untracked) past 2^32 pages or for pid 0.
static uint64 map_key(const struct vmt_space *s, uint32 pid, uint64 va)
{
  uint64 vpn = va >> s->shift;
  return pid && vpn >> 32 == 0 ? (uint64)pid << 32 | vpn : 0;
}

// Frame 0 stands for "not known" (a page mapped before the recording started): it is
// never counted, as no RAM lies at physical address 0.
static void frame_add(struct vmt_space *s, uint64 frame, uint32 pid, int d)
{
  if (!frame)
    return;
  uint64 *v = pages_find(&s->frames, frame + 1);
  uint64 n = v ? *v >> 32 : 0, x = v ? *v & 0xffffffffu : 0;
  n += (uint64)(long long)d;
  x ^= pid;
  if (n == 0 || n >> 31)
    pages_del(&s->frames, frame + 1);
  else
    pages_put(&s->frames, frame + 1, n << 32 | x);
}

struct vmt_space_delta space_map(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa,
                                 int cow)
{
  uint64 key = map_key(s, pid, va), frame = pa >> s->shift;
  struct vmt_space_delta d = { pid, 1, cow };
  uint64 *old = key ? pages_find(&s->maps, key) : NULL;
  if (old) {                          // mapped again without an unmap: a lost record
    d.resident = 0;
    d.cow -= (int)(*old & COW);
    frame_add(s, *old >> 1, pid, -1);
  }
  if (key && pages_put(&s->maps, key, frame << 1 | (cow ? COW : 0)) == 0)
    frame_add(s, frame, pid, 1);
  return d;
}

// The one process that maps frame at va, when pid does not; 0 if none or several.
static uint32 sole_mapper(struct vmt_space *s, uint64 frame, uint64 va, uint64 **map)
{
  uint64 *f = frame ? pages_find(&s->frames, frame + 1) : NULL;
  if (!f || *f >> 32 != 1)
    return 0;
  uint32 owner = (uint32)*f;
  uint64 key = map_key(s, owner, va);
  *map = key ? pages_find(&s->maps, key) : NULL;
  return *map && **map >> 1 == frame ? owner : 0;
}

struct vmt_space_delta space_unmap(struct vmt_space *s, uint32 pid, uint64 va, uint64 pa,
                                   int cow)
{
  uint64 key = map_key(s, pid, va), frame = pa >> s->shift;
  uint64 *m = key ? pages_find(&s->maps, key) : NULL;
  uint32 owner = pid;
  if (!m && pid)
    owner = sole_mapper(s, frame, va, &m);
  if (!m)
    return (struct vmt_space_delta){ pid, -1, -cow };
  struct vmt_space_delta d = { owner, -1, -(int)(*m & COW) };
  frame_add(s, *m >> 1, owner, -1);
  pages_del(&s->maps, map_key(s, owner, va));
  return d;
}

// Page va of the share: the parent's frame there, made COW in the parent if cow; adds
// to *d what changed.
static uint64 parent_page(struct vmt_space *s, uint32 parent, uint64 va, int cow,
                          struct vmt_share_delta *d)
{
  uint64 key = map_key(s, parent, va), *p = key ? pages_find(&s->maps, key) : NULL;
  if (!cow)
    return p ? *p >> 1 : 0;
  if (!p) {                           // mapped before the recording: frame unknown
    d->parent_cow++;
    if (key)
      pages_put(&s->maps, key, COW);
    return 0;
  }
  d->parent_cow += !(*p & COW);
  *p |= COW;
  return *p >> 1;
}

struct vmt_share_delta space_share(struct vmt_space *s, uint32 child, uint32 parent,
                                   uint64 va, uint64 n, int cow)
{
  struct vmt_share_delta d = { 0, 0, 0 };
  uint64 tracked = n < VMT_SHARE_TRACKED ? n : VMT_SHARE_TRACKED;
  for (uint64 i = 0; i < tracked; i++) {
    uint64 at = va + (i << s->shift);
    struct vmt_space_delta m = space_map(s, child, at, parent_page(s, parent, at, cow, &d)
                                         << s->shift, cow);
    d.resident += m.resident;
    d.cow += m.cow;
  }
  d.resident += (long long)(n - tracked);
  d.cow += cow ? (long long)(n - tracked) : 0;
  d.parent_cow += cow ? (long long)(n - tracked) : 0;
  return d;
}

int space_cow_done(struct vmt_space *s, uint32 pid, uint64 va)
{
  uint64 key = map_key(s, pid, va), *m = key ? pages_find(&s->maps, key) : NULL;
  if (!m || !(*m & COW))
    return 0;
  *m &= ~COW;
  return -1;
}
