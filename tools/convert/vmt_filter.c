#include <string.h>

#include "tools/convert/vmt_filter.h"

void vmt_filter_all(struct vmt_filter *f)
{
  memset(f, 0, sizeof *f);
  f->types = VMT_EVENTS_ALL;
  f->to_ns = ~(uint64)0;
}

// A linear scan: at most VMT_MAX_PIDS entries, usually none or one.
int vmt_filter_pid(const struct vmt_filter *f, uint32 pid)
{
  if (f->npids == 0)
    return 1;
  for (unsigned i = 0; i < f->npids; i++)
    if (f->pids[i] == pid)
      return 1;
  return 0;
}

int vmt_filter_shows(const struct vmt_filter *f, unsigned type, uint32 pid, uint64 ns)
{
  return (f->types >> type & 1) && ns >= f->from_ns && ns <= f->to_ns &&
         vmt_filter_pid(f, pid);
}
