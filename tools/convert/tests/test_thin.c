// Unit tests of counter thinning (tools/convert/vmt_thin.c): fixed cases, then its promises
// checked against random counters: every written sample is a real (value, time) of the
// input, in time order; the first and last values, every peak and trough and every value
// before a pause of `gap` are written; a steady climb gets about one sample per gap.
#include "tools/convert/tests/test_util.h"
#include "tools/convert/vmt_thin.h"

#define MAXN 4000

struct run {
  struct vmt_sample in[MAXN], out[MAXN];
  size_t nin, nout;
};

static void feed(struct run *r, struct vmt_thin *t, long long v, uint64 ns, uint64 gap)
{
  struct vmt_sample o[2];
  r->in[r->nin++] = (struct vmt_sample){ v, ns };
  unsigned n = thin_update(t, v, ns, gap, o);
  for (unsigned i = 0; i < n; i++)
    r->out[r->nout++] = o[i];
}

static void finish(struct run *r, struct vmt_thin *t)
{
  r->nout += thin_flush(t, &r->out[r->nout]);
}

static int written(const struct run *r, struct vmt_sample s)
{
  for (size_t i = 0; i < r->nout; i++)
    if (r->out[i].v == s.v && r->out[i].ns == s.ns)
      return 1;
  return 0;
}

static void fixed_cases(void)
{
  static struct run r;
  struct vmt_thin t = { 0 };
  const uint64 gap = 100;
  feed(&r, &t, 10, 0, gap);
  CHECK(r.nout == 1 && r.out[0].v == 10, "the first value is written at once");
  feed(&r, &t, 10, 5, gap);
  CHECK(r.nout == 1 && !t.holding, "no change, no sample");
  feed(&r, &t, 11, 10, gap);
  feed(&r, &t, 12, 20, gap);
  CHECK(r.nout == 1 && t.holding && t.held.v == 12, "changes within the gap are held");
  feed(&r, &t, 11, 30, gap);
  CHECK(r.nout == 2 && r.out[1].v == 12 && r.out[1].ns == 20, "the peak is written");
  feed(&r, &t, 10, 40, gap);
  feed(&r, &t, 9, 500, gap);
  CHECK(r.nout == 4 && r.out[2].v == 10 && r.out[2].ns == 40 && r.out[3].v == 9 &&
        r.out[3].ns == 500, "the value before a pause, at its own time, then the new one");
  feed(&r, &t, 8, 510, gap);
  finish(&r, &t);
  CHECK(r.nout == 5 && r.out[4].v == 8 && r.out[4].ns == 510, "the last value is flushed");
  CHECK(thin_flush(&t, &r.out[0]) == 0, "nothing is held after a flush");
  struct vmt_thin all = { 0 };
  r.nin = r.nout = 0;
  for (int i = 0; i < 50; i++)
    feed(&r, &all, i % 7, (uint64)i, 0);
  CHECK(r.nout == 50, "gap 0 writes every change, got %zu", r.nout);
}

// A random counter: steps of -2..2 (0 is no change), at random distances that are now
// and then longer than the gap.
static void random_run(struct run *r, uint64 seed, uint64 gap)
{
  struct vmt_thin t = { 0 };
  long long v = 1000;
  uint64 ns = 0, x = seed;
  r->nin = r->nout = 0;
  while (r->nin < MAXN) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    v += (long long)(x >> 60) % 5 - 2;
    ns += (x >> 40) % 64 == 0 ? gap * 3 : (x >> 20) % (gap / 4 + 1);
    feed(r, &t, v, ns, gap);
  }
  finish(r, &t);
}

// The input without its no-change updates: the values the counter really took.
static size_t changes(const struct run *r, struct vmt_sample *c)
{
  size_t n = 0;
  for (size_t i = 0; i < r->nin; i++)
    if (n == 0 || r->in[i].v != c[n - 1].v)
      c[n++] = r->in[i];
  return n;
}

static int sgn(long long d) { return (d > 0) - (d < 0); }

static void promises(void)
{
  static struct run r;
  static struct vmt_sample c[MAXN];
  for (uint64 seed = 1; seed <= 40; seed++) {
    uint64 gap = 1000 * seed;
    random_run(&r, seed, gap);
    size_t n = changes(&r, c);
    CHECK(r.nout > 0 && r.nout < n, "seed %llu: %zu of %zu written", (unsigned long long)seed,
          r.nout, n);
    for (size_t i = 0; i < r.nout; i++) {
      int real = 0;
      for (size_t j = 0; j < n && !real; j++)
        real = c[j].v == r.out[i].v && c[j].ns == r.out[i].ns;
      CHECK(real, "seed %llu: sample %zu is not a value the counter took then",
            (unsigned long long)seed, i);
      CHECK(i == 0 || (r.out[i].ns >= r.out[i - 1].ns && r.out[i].v != r.out[i - 1].v),
            "seed %llu: samples out of order or repeated at %zu", (unsigned long long)seed, i);
    }
    CHECK(written(&r, c[0]) && r.out[r.nout - 1].v == c[n - 1].v &&
          r.out[r.nout - 1].ns == c[n - 1].ns, "seed %llu: first and last value",
          (unsigned long long)seed);
    for (size_t j = 1; j + 1 < n; j++) {
      int turn = sgn(c[j].v - c[j - 1].v) != sgn(c[j + 1].v - c[j].v);
      CHECK(!turn || written(&r, c[j]), "seed %llu: peak or trough %zu left out",
            (unsigned long long)seed, j);
      CHECK(c[j + 1].ns - c[j].ns < gap || written(&r, c[j]),
            "seed %llu: the value before a pause left out (%zu)", (unsigned long long)seed, j);
    }
  }
}

// A counter climbing one step every gap/10: about one sample per gap, not one per step.
static void steady_climb(void)
{
  static struct run r;
  struct vmt_thin t = { 0 };
  const uint64 gap = 100000;
  for (int i = 0; i < 3000; i++)
    feed(&r, &t, 5000 - i, (uint64)i * (gap / 10), gap);
  finish(&r, &t);
  CHECK(r.nout >= 300 && r.nout <= 2 * 300 + 2, "%zu samples for 300 gaps", r.nout);
  CHECK(r.out[r.nout - 1].v == 5000 - 2999, "ends at the last value");
}

void tests_thin(void)
{
  t_run("thin: first value, holding, peaks, pauses, the last value", fixed_cases);
  t_run("thin: random counters keep every promise", promises);
  t_run("thin: a steady climb gets about one sample per gap", steady_climb);
}
