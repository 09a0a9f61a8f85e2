// What forkbench's parts share (user/forkbench/*.c): the run's settings, the CSV, and
// the copy-on-write counters memstat keeps per process. Include kernel/types.h and
// user/user.h first.
#ifndef FORKBENCH_H
#define FORKBENCH_H

#define DEFAULT_ROUNDS 5
#define MAX_ROUNDS 21

// memstat's cow_copied and cow_taken of one process (kernel/memstat.h).
struct cow {
  long copied, taken;
};

// What a child tells its parent through a pipe: its counters and, where it times
// something, how long that took (time CSR counts).
struct child_report {
  struct cow cow;
  long counts;
};

extern int rounds;                        // measurements per case and policy
extern const char *clock_name;            // "host" or "icount" (-i): the CSV's clock
extern const char *const policy_names[];  // FORKPOLICY_NAMES

// This process's counters now, and what they grew by since `before`.
struct cow cow_now(void);
struct cow cow_since(struct cow before);

// One CSV line: median, min and max of v[0 .. n-1], n <= MAX_ROUNDS. policy < 0
// leaves the column empty (a figure of no one policy).
void csv_row(const char *workload, int policy, long param, const char *param_unit,
             const char *metric, const long *v, int n, const char *unit, int ok);
// "forkbench: goal ...: figure -- goal met" or "NOT met", one line on the console.
void print_goal(const char *goal, const char *figure, int met);

// A program's image (image.c): its text pages (code, read-only data), and its writable
// segment (data and bss), pages and where it lies.
struct image {
  long text_pages, write_pages;
  uint64 write_lo, write_hi;
};
// Fill *im from the ELF file at path; -1 if it cannot be read as one.
int image_pages(const char *path, struct image *im);
// The program's own name as exec'd (argv[0]): the fork+exec case runs it again.
extern const char *self;

// The workloads (their files say what each measures).
void bench_exec(void);       // pages.c
void bench_writeall(void);   // pages.c
void bench_size(void);       // size.c
void bench_breakeven(void);  // breakeven.c
void bench_big(void);        // big.c

#endif
