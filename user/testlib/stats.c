// Summaries of a benchmark's repeated measurements (testlib.h).
#include "kernel/types.h"
#include "user/user.h"
#include "user/testlib/testlib.h"

struct stat3 stat3_of(const long *v, int n)
{
  long s[STATS_MAX];
  if (n > STATS_MAX)        // the caller's promise; keep the first STATS_MAX rather than overrun
    n = STATS_MAX;
  for (int i = 0; i < n; i++)
    s[i] = v[i];
  for (int i = 1; i < n; i++)   // insertion sort: n is a few dozen rounds at most
    for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
      long t = s[j];
      s[j] = s[j - 1];
      s[j - 1] = t;
    }
  struct stat3 r = { s[n / 2], s[0], s[n - 1] };
  return r;
}
