// Helpers shared by the test suites, fuzzers and benchmarks: user/testlib/*.c, linked
// into every program as build/user/testlib.a (a program carries only what it calls).
// Include kernel/types.h and user/user.h first.
#ifndef FAULTLINE_TESTLIB_H
#define FAULTLINE_TESTLIB_H

#include "kernel/memlayout.h"   // TIMER_HZ

// ---- Time ---------------------------------------------------------------------------
// The time CSR, readable from user mode (the kernel sets mcounteren.TM): TIMER_HZ
// counts a second. Inline, so that a benchmark's clock reads cost one instruction.
static inline uint64 clock_now(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

// A number of time CSR counts in nanoseconds.
static inline uint64 clock_ns(uint64 counts)
{
  return counts * (1000000000UL / TIMER_HZ);
}

// ---- Memory (memory.c) --------------------------------------------------------------
// Load or store one byte at va, for real: through a volatile pointer, out of line, so
// that the compiler can neither drop the access nor reason about the address.
void probe_load(uint64 va);
void probe_store(uint64 va);
// Store i into the first byte of page i of p, for i < pages: one fault per page under
// the lazy policy.
void touch_pages(char *p, int pages);
// Pages this process has mapped right now (memstat); 0 if memstat fails.
uint64 resident_pages(void);
// Run fn(arg) in a child process and put its exit status in *status (-1: killed).
// Returns 0, or -1 if the child could not be forked or waited for.
int run_in_child(void (*fn)(uint64), uint64 arg, int *status);
// Wait, up to five seconds, until freemem() is want: pages come back once every exited
// process has been reaped, and orphans go to init, which reaps them a moment later.
// Returns the last freemem().
int settle_freemem(int want);

#endif
