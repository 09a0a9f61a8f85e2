// Pseudo-random numbers for the fuzzers: a seed names a run, and the same seed makes the
// same run again (see testlib.h).
#include "kernel/types.h"
#include "user/testlib/testlib.h"

// The splitmix64 step: a fixed bijection of 64-bit values whose outputs, for
// successive inputs, pass as random.
uint64 rng_mix(uint64 x)
{
  x += 0x9e3779b97f4a7c15UL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
  return x ^ (x >> 31);
}

uint64 rng_next(uint64 *state)
{
  *state = rng_mix(*state);
  return *state;
}
