// Helpers shared by the symbol and line tables: growing an array, and binary search in
// an array sorted by address whose elements start with a uint64_t address.
#ifndef FAULTLINE_SORTED_LOOKUP_H
#define FAULTLINE_SORTED_LOOKUP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// arr (n elements used, *cap allocated, size bytes each) with room for one more,
// doubling from first: arr itself or its moved copy. NULL if out of memory; arr is then
// unchanged and still the caller's.
static inline void *room_for_one(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
  if (n < *cap)
    return arr;
  size_t ncap = *cap ? 2 * *cap : first;
  void *p = realloc(arr, ncap * size);
  if (p)
    *cap = ncap;
  return p;
}

// The index of the first of n elements (size bytes each, sorted by their leading
// uint64_t) whose address is above pc: candidates for pc are the ones before it.
static inline size_t first_above(const void *base, size_t n, size_t size, uint64_t pc)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t at;
    memcpy(&at, (const char *)base + mid * size, sizeof at);
    if (at <= pc)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

#endif
