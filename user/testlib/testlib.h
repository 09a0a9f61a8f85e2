// Helpers shared by the test suites, fuzzers and benchmarks: user/testlib/*.c, linked
// into every program as build/user/testlib.a (a program carries only what it calls).
// Include kernel/types.h and user/user.h first.
#ifndef FAULTLINE_TESTLIB_H
#define FAULTLINE_TESTLIB_H

#include "kernel/memlayout.h"   // TIMER_HZ

#define KiB 1024L
#define MiB (1024L * KiB)
#define GiB (1024L * MiB)

#define KILLED (-1)                // the exit status wait reports for a process the kernel killed

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

// ---- Random numbers (random.c) -----------------------------------------------------
// A 64-bit value mixed into one that looks random (splitmix64): for deriving seeds.
uint64 rng_mix(uint64 x);
// The next number of the sequence whose state is *state (any value is a seed).
uint64 rng_next(uint64 *state);

// ---- Statistics (stats.c) ------------------------------------------------------------
#define STATS_MAX 64   // the most measurements stat3_of reads

struct stat3 {
  long median, min, max;
};
// The median (the upper one for even n), minimum and maximum of v[0 .. n-1], for
// 1 <= n <= STATS_MAX; v is left as it is.
struct stat3 stat3_of(const long *v, int n);

// ---- Memory (memory.c) --------------------------------------------------------------
// Load or store one byte at va, for real: in assembly, out of line, so that the
// compiler can neither drop the access nor reason about the address (address 0 is
// program text, and a C dereference of it would be undefined behaviour).
uchar peek(uint64 va);
void poke(uint64 va, uchar c);
// The same, shaped for run_in_child: load a byte, or store 42.
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

// ---- Test runners (verdict.c) ------------------------------------------------------
// Print the verdict on test name, run in a process of its own: "test NAME: OK" if it
// exited with status 0 and the free pages are back to free_before, else "test NAME:
// FAILED (why)". Returns 1 if it passed.
int test_verdict(const char *name, int status, int free_before, int free_after);

#endif
