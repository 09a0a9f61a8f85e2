// What the files of xv6conform share: main.c (the course years' contract, and main) and
// today.c (today's xv6-riscv's). Include after user/user.h.
#ifndef XV6CONFORM_H
#define XV6CONFORM_H

extern char buf[512];      // scratch: what slurp read

// Stop with "xv6conform: FAILED: what" and exit status 1 unless ok.
void check(int ok, char *what);
// Wait for one child; its exit status.
int reap(void);
// Read what is left in fd into buf, NUL-terminated; its length.
int slurp(int fd);

// `xv6conform --policy-probe` exits with POLICY_STATUS(its sbrk policy): how a test sees
// what exec kept.
#define POLICY_PROBE "--policy-probe"
#define POLICY_STATUS(policy) (10 + (policy))

// today.c
void today_printf(void);     // %ld %lld %u %lu %llu %lx %llx %c, and %x of a negative int
void today_names(void);      // the names and values today's headers add
void today_sbrk(void);       // sbrk eager, sbrklazy lazy, and every SBRK_ERROR case
void today_policies(void);   // each policy overrides both calls; inherited; default
void today_pause(void);      // pause(n) as sleep(n); n <= 0 returns at once

#endif
