// faultsite: faults from a known call structure, for checking the call chains the kernel
// records (VMT_FAULT_CHAIN; make test-trace, tools/tests/faultsite_check.py). Under the
// lazy policy, between markers:
//
//   "faultsite: user"     main calls f, f calls g, g (a leaf) touches USER_PAGES fresh
//                         heap pages from one line: each fault's pc lies in g, its
//                         chain returns into f, main, _main
//   "faultsite: syscall"  main calls readinto, which read()s a pipe into SYSCALL_PAGES
//                         fresh pages: copyout faults in the kernel, pc in the read
//                         stub, chain returns into readinto, main, _main
//   "faultsite: deep"     main calls deep, recursing DEPTH times, then g touches one
//                         page: a chain of VMT_CHAIN_MAX frames, truncated
//   "faultsite: full"     the same at depth FULL_DEPTH: exactly VMT_CHAIN_MAX frames,
//                         deep x 3 < main < _main, and nothing left: not truncated
//   "wild NAME"           one user fault and one copyout fault with the frame pointer
//                         (and, for the system call, ra) pointed somewhere no frame
//                         is: the kernel must record a short chain (its length per
//                         case: WILD in tools/tests/faultsite_check.py), not panic,
//                         not hang
//   "faultsite: random"   RANDOM user faults and RANDOM copyout faults with random frame
//                         pointers (in the stack, aligned or not, or anywhere) and ra:
//                         the walk follows whatever the stack holds; at most
//                         VMT_CHAIN_MAX frames, no panic
//   "faultsite: end"
//
// Every function on a checked path is noipa (not inlined, cloned or specialised, so the
// symbol table names it) and does work after its call (no tail call, so it keeps a frame).
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/mempolicy.h"
#include "kernel/memstat.h"
#include "kernel/syscall.h"
#include "user/user.h"

#define NOIPA __attribute__((noipa))

#define USER_PAGES 4
#define SYSCALL_PAGES 2
#define DEPTH 8
#define FULL_DEPTH 2
#define NWILD 8
#define RANDOM 32
#define TOTAL_PAGES (USER_PAGES + SYSCALL_PAGES + 2 + 2 * NWILD + 2 * RANDOM)

static void die(const char *what)
{
  fprintf(2, "faultsite: %s failed\n", what);
  exit(1);
}

// The fault line: one store per page, from a leaf (no frame record of its own but s0).
NOIPA void g(char *p, int pages)
{
  for (int i = 0; i < pages; i++)
    p[i * PGSIZE] = 1 + i;
}

NOIPA int f(char *p, int pages)
{
  g(p, pages);
  return p[0] + pages;
}

// read() a pipe into each of pages fresh pages: the copyout in the kernel faults.
NOIPA int readinto(int fd[2], char *p, int pages)
{
  int got = 0;
  for (int i = 0; i < pages; i++) {
    if (write(fd[1], "faultsite", 9) != 9)
      die("write to the pipe");
    got += read(fd[0], p + i * PGSIZE, 9);
  }
  return got;
}

NOIPA int deep(char *p, int depth)
{
  if (depth == 0) {
    g(p, 1);
    return 1;
  }
  int r = deep(p, depth - 1);
  asm volatile("" : "+r"(r));   // opaque: gcc may not turn the recursion into a loop
  return r + 1;
}

// ---- Wild frame pointers ----------------------------------------------------------------

// Store to p with s0 = fp: a user fault whose chain walk starts at fp.
NOIPA void touch_with_fp(char *p, uint64 fp)
{
  asm volatile("mv t0, s0\n\tmv s0, %1\n\tsb zero, 0(%0)\n\tmv s0, t0"
               : : "r"(p), "r"(fp) : "t0", "memory");
}

// read(fd, p, 1) with s0 = fp and ra = ra at the ecall: a copyout fault whose chain
// starts at ra, then fp. Returns read's result.
NOIPA long read_with_regs(int fd, char *p, uint64 fp, uint64 ra)
{
  register long a0 asm("a0") = fd;
  register char *a1 asm("a1") = p;
  register long a2 asm("a2") = 1;
  register long a7 asm("a7") = SYS_read;
  asm volatile("mv t0, s0\n\tmv t1, ra\n\tmv s0, %[fp]\n\tmv ra, %[ra]\n\tecall\n\t"
               "mv s0, t0\n\tmv ra, t1"
               : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7), [fp] "r"(fp), [ra] "r"(ra)
               : "t0", "t1", "memory");
  return a0;
}

struct wild {
  const char *name;
  uint64 fp, ra;
};

// The cases. loop: a frame record in the caller's frame whose caller's fp is itself.
// The expected chain lengths are in tools/tests/faultsite_check.py.
static int wild_cases(struct wild *w, char *heap_end, uint64 loop)
{
  static uint64 data[2] __attribute__((aligned(16)));
  struct memstat st;
  if (memstat(getpid(), &st) < 0)
    die("memstat");
  uint64 text = (uint64)f + 8;   // a plausible return address
  int n = 0;
  w[n++] = (struct wild){ "kernel", 0x80000000ull, 0x80000000ull };
  w[n++] = (struct wild){ "unmapped", (uint64)heap_end + 64 * PGSIZE, text };
  w[n++] = (struct wild){ "misaligned", loop - 8, text };
  w[n++] = (struct wild){ "loop", loop, text };
  w[n++] = (struct wild){ "guard", st.stack_base, text };
  w[n++] = (struct wild){ "inguard", st.stack_base - 16, text };
  w[n++] = (struct wild){ "text", text & ~15ull, text };
  w[n++] = (struct wild){ "data", (uint64)&data[2], text };
  if (n > NWILD)
    die("wild cases table");
  return n;
}

// One user fault and one copyout fault per case, each on a fresh page.
NOIPA void wild(char *p, char *heap_end, int fd[2])
{
  volatile uint64 frame[2] __attribute__((aligned(16)));   // fp-16, fp-8
  uint64 loop = (uint64)&frame[2];
  frame[0] = loop;
  frame[1] = (uint64)f + 8;
  struct wild w[NWILD];
  int n = wild_cases(w, heap_end, loop);
  for (int i = 0; i < n; i++) {
    char text[32] = "wild ";
    strcpy(text + 5, w[i].name);
    vmtrace_mark(text);
    touch_with_fp(p + 2 * i * PGSIZE, w[i].fp);
    if (write(fd[1], "x", 1) != 1)
      die("write to the pipe");
    if (read_with_regs(fd[0], p + (2 * i + 1) * PGSIZE, w[i].fp, w[i].ra) != 1)
      die("read with wild registers");
  }
}

static uint64 next_random(uint64 *x)   // xorshift64: deterministic, any seed but 0
{
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

// A random frame pointer: mostly inside the stack (where old frames lie), sometimes
// misaligned, sometimes any 64-bit value.
static uint64 random_fp(uint64 *x, const struct memstat *st)
{
  uint64 r = next_random(x), span = st->heap_base - st->stack_base + 64;
  switch (r % 4) {
  case 0:  return next_random(x);
  case 1:  return st->stack_base - 32 + next_random(x) % span;
  default: return (st->stack_base - 32 + next_random(x) % span) & ~15ull;
  }
}

NOIPA void random_frames(char *p, int fd[2])
{
  struct memstat st;
  uint64 x = 0x9e3779b97f4a7c15ull;
  if (memstat(getpid(), &st) < 0)
    die("memstat");
  for (int i = 0; i < RANDOM; i++) {
    touch_with_fp(p + 2 * i * PGSIZE, random_fp(&x, &st));
    if (write(fd[1], "x", 1) != 1)
      die("write to the pipe");
    uint64 ra = next_random(&x) % 2 ? (uint64)f + next_random(&x) % 64 : next_random(&x);
    if (read_with_regs(fd[0], p + (2 * i + 1) * PGSIZE, random_fp(&x, &st), ra) != 1)
      die("read with random registers");
  }
}

int main(int argc, char *argv[])
{
  int fd[2];
  if (mempolicy(MEMPOLICY_LAZY) < 0)
    die("mempolicy");
  if (pipe(fd) < 0)
    die("pipe");
  char *heap = sbrk(TOTAL_PAGES * PGSIZE);
  if (heap == (char *)-1)
    die("sbrk");
  char *end = heap + TOTAL_PAGES * PGSIZE;
  vmtrace_mark("faultsite: user");
  int n = f(heap, USER_PAGES);
  vmtrace_mark("faultsite: syscall");
  n += readinto(fd, heap + USER_PAGES * PGSIZE, SYSCALL_PAGES);
  vmtrace_mark("faultsite: deep");
  n += deep(heap + (USER_PAGES + SYSCALL_PAGES) * PGSIZE, DEPTH);
  vmtrace_mark("faultsite: full");
  n += deep(heap + (USER_PAGES + SYSCALL_PAGES + 1) * PGSIZE, FULL_DEPTH);
  wild(heap + (USER_PAGES + SYSCALL_PAGES + 2) * PGSIZE, end, fd);
  vmtrace_mark("faultsite: random");
  random_frames(heap + (USER_PAGES + SYSCALL_PAGES + 2 + 2 * NWILD) * PGSIZE, fd);
  vmtrace_mark("faultsite: end");
  printf("faultsite: ok (%d)\n", n);
  exit(0);
}
