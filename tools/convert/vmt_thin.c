#include "tools/convert/vmt_thin.h"

// Moves a sample from held to shown.
static struct vmt_sample show(struct vmt_thin *t, struct vmt_sample s)
{
  t->shown = s;
  t->any = 1;
  t->holding = 0;
  return s;
}

// gap has passed since the last written sample. A sample dated before it (a value the
// converter learnt late) is written at once rather than held.
static int due(const struct vmt_thin *t, uint64 ns, uint64 gap)
{
  return ns < t->shown.ns || ns - t->shown.ns >= gap;
}

static int sign(long long d)
{
  return d > 0 ? 1 : -1;
}

unsigned thin_update(struct vmt_thin *t, long long v, uint64 ns, uint64 gap,
                     struct vmt_sample out[2])
{
  struct vmt_sample s = { v, ns };
  unsigned n = 0;
  if (!t->any) {
    out[n++] = show(t, s);
    return n;
  }
  long long now = t->holding ? t->held.v : t->shown.v;
  if (v == now)
    return 0;
  // The held value is written if it was a peak or a trough, or the last before a pause.
  if (t->holding && (sign(v - now) != t->dir || due(t, ns, gap)))
    out[n++] = show(t, t->held);
  if (!t->holding && due(t, ns, gap)) {
    out[n++] = show(t, s);
    return n;
  }
  t->dir = (signed char)sign(v - now);
  t->held = s;
  t->holding = 1;
  return n;
}

unsigned thin_flush(struct vmt_thin *t, struct vmt_sample *out)
{
  if (!t->holding)
    return 0;
  *out = show(t, t->held);
  return 1;
}
