// sysfuzz: a seeded, reproducible system-call fuzzer.
//
//   sysfuzz [-s SEED] [-n CALLS] [-t SECONDS] [-p PROCS] [-v] [-W WSEED [-O]] [-r TEST]
//
// The run is a series of rounds. In each, PROCS worker processes fuzz in parallel, each
// from a seed derived from SEED, the round and its index; a worker makes random system
// calls (every SYS_* except halt, through the user stubs) with hostile arguments:
// pointers into untouched lazy heap, the stack guard page, program text, kernel space,
// unmapped space, MAXVA and above, 0 and ~0; huge and negative sizes and descriptors;
// sbrk past both ends of the heap; paths that are garbage, too long or unterminated at a
// page end; broken ELF files for exec. Workers fork children that fuzz and exit, victims
// that must be killed (guard page, text write, kernel address ...), and programs that
// exec; they kill their own children, and write vmtrace markers.
//
// Every call is checked against what the kernel must do: an argument the kernel cannot
// copy must fail with -1, sbrk, mempolicy, forkpolicy and dup have exact results, a read may never
// claim more bytes than the destination could take, a victim must die with status -1,
// data written must read back the same through untouched lazy pages. Where the answer
// depends on something the fuzzer cannot see (a heap page past the break that may or may
// not be mapped), only safety is checked. Every fourth round is an out-of-memory round:
// hogs exhaust physical memory, and only the answers that cannot depend on memory are
// checked, besides the leak check.
//
// After each round every process has exited, and the free page count must be back
// where it was. The file system outside a scratch directory is never touched: a path
// argument for anything that creates, removes, truncates, writes or changes directory is
// either one the kernel cannot copy, or (as the fuzzer reads the same bytes the kernel
// will) a name without '/' relative to a working directory that stays in the scratch tree.
//
// Exit status 0 and "sysfuzz: OK", or 1 and "sysfuzz: FAILED (...)". A failure names the
// worker's seed and call number; `sysfuzz -W WSEED [-O] -n CALLS` runs that one worker
// alone (-O: as in an out-of-memory round), and -v prints every operation.
//
// -r TEST runs a regression test for a kernel bug found by this fuzzer instead (see
// regression() below); `-r list` names them.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "kernel/elf.h"
#include "kernel/memstat.h"
#include "kernel/mempolicy.h"
#include "kernel/forkpolicy.h"
#include "tracing/emit.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"

#define INT_MAX 0x7fffffff
#define INT_MIN (-INT_MAX - 1)

#define MAXWORKERS   8
#define ROUND_CALLS  20000     // calls per worker per round
#define MAXKIDS      3         // live children per process
#define MAXDEPTH     2         // workers fork children, which fork grandchildren
#define KID_CALLS    400       // most calls a fuzzing child gets
#define RO_PAGES     4         // heap zone nobody writes: reads as zeros
#define RW_PAGES     8         // heap zone the kernel may write into
#define RO_BYTES     (RO_PAGES * PGSIZE)
#define RW_BYTES     (RW_PAGES * PGSIZE)
#define EAGER_STEP   (64 * PGSIZE)   // most eager growth per sbrk outside OOM rounds
#define RESIDENT_MAX 600       // pages: a process above this gives its heap back
#define FILE_WRITE_MAX (16 * 1024) // bytes per write to a file, when the source is good
#define PIPESIZE     512       // kernel/pipe.c

#define ST_FAILED    99        // a process that found a failure exits with this
#define ST_SURVIVED  77        // a victim that was not killed
#define ST_EXEC_RAN  42        // the test ELF exits with 42 + argc
#define ST_EXEC_FAIL 200       // exec returned in an exec child
#define ST_EXEC_NOFILE 201     // an exec child could not write its ELF (disk full)
#define ROUND_TICKS  (10 * 240) // watchdog: a round may take 4 minutes

#define SIM_FAIL    (-1)       // the kernel's copy of the argument must fail
#define SIM_UNKNOWN (-2)       // it depends on a page whose state we cannot see

// ---- State ------------------------------------------------------------------------------

enum fdkind { K_FREE, K_RESERVED, K_FILE, K_DIR, K_PIPE_R, K_PIPE_W, K_MARK, K_NOIO };

struct fdslot {
  uchar kind;
  uchar rd, wr;
  uchar foreign;   // inherited across fork: a pipe we may not read or write
  uchar pipe;      // index into fz.pipes for K_PIPE_*
};

struct pipestate {
  int avail;       // bytes buffered: exact, as only this process reads or writes it
};

enum kidkind { KID_FUZZ, KID_VICTIM, KID_EXEC };

struct kid {
  int pid;
  int expect;      // exit status it must have
  uchar kind;
  uchar killed;    // we killed it: -1 is fine too
  uchar any_exec;  // an exec child of a broken ELF: ran, failed or was killed
  uchar how;       // a victim's way to die, for reports
};

struct fz {
  uint64 rng;
  uint64 seed;           // this process's seed, for reports
  int pid, depth, worker, round;
  long calls, reported;  // system calls made; calls already sent to the main process
  long budget;           // calls this process may still make (children's come out of it)
  uint deadline;         // uptime tick to stop at, 0 for none
  int oom;               // out-of-memory round: memory-dependent answers not checked
  int verbose;
  int report_fd;         // pipe to the main process, -1 if none
  int exit_code;         // what our parent expects
  // The address space (memstat, and what this process did with sbrk).
  uint64 text_end;       // end of text and read-only data: the first writable page
  uint64 guard;          // the stack guard page
  uint64 stack_base, heap_base;
  uint64 ro_zone, rw_zone, churn;   // heap layout: [ro][rw][churn ... sz)
  uint64 sz;
  int policy;
  int forkpolicy;        // the fork policy (kernel/forkpolicy.h): forks share or copy
  struct fdslot fd[NOFILE];
  struct pipestate pipes[NOFILE];
  struct kid kids[MAXKIDS];
  int nkids, kidseq;
  char dir[MAXPATH];     // absolute path of this process's own directory
  const char *op;        // the operation running, for reports
};

static struct fz fz;

static char *elf_path(int id);

// Buffers live here, not on the one-page user stack.
static char simbuf[MAXPATH + 8];     // what the kernel will see of a path
static char pathbuf[3 * MAXPATH];    // paths the fuzzer makes up
static char iobuf[2 * PGSIZE];       // a good buffer for sources
static uint64 argvbuf[MAXARG + 8];   // argv arrays for exec
static char argstr[4][24];           // strings argv points at
static struct stat stbuf;
static struct memstat msbuf;
static int fdsbuf[2];
static int statusbuf;
static uchar elfbuf[512];            // the test ELF
static int elflen;

// ---- Random numbers ---------------------------------------------------------------------

static uint64 rnd(void)
{
  return rng_next(&fz.rng);
}

static uint64 below(uint64 n)
{
  return n ? rnd() % n : 0;
}

static int chance(int percent)
{
  return below(100) < percent;
}

// ---- Reporting --------------------------------------------------------------------------

// The main process counts calls and failures from one-byte tokens on a pipe: a byte
// write is atomic however many processes share the pipe. 'C' is 16 calls, 'c' one,
// 'F' a failure.
static void token(char c)
{
  if (fz.report_fd >= 0)
    write(fz.report_fd, &c, 1);
}

static void count(int n)
{
  fz.calls += n;
  fz.budget -= n;
  while (fz.calls - fz.reported >= 16) {
    token('C');
    fz.reported += 16;
  }
}

static void flush_count(void)
{
  while (fz.reported < fz.calls) {
    token('c');
    fz.reported++;
  }
}

static void quit(int status)
{
  flush_count();
  exit(status);
}

// A broken promise: say what, where and how to get here again, and stop this process.
static void fail(const char *what, long a, long b)
{
  printf("sysfuzz: FAILED (round %d worker %d depth %d seed 0x%lx call %ld op %s: %s [%ld %ld])\n",
         fz.round, fz.worker, fz.depth, fz.seed, fz.calls, fz.op, what, a, b);
  token('F');
  quit(ST_FAILED);
}

static void check(int ok, const char *what, long a, long b)
{
  if (!ok)
    fail(what, a, b);
}

static void note(const char *what, long a, long b, long c)
{
  if (fz.verbose)
    printf("sysfuzz: [%d.%d] %ld %s %s 0x%lx 0x%lx 0x%lx\n", fz.worker, fz.pid, fz.calls,
           fz.op, what, a, b, c);
}

// ---- User memory, as the kernel sees it --------------------------------------------------

enum { R_BAD, R_RO, R_RW, R_UNKNOWN };

// What the kernel may do at user address a, and where that stretch ends. The part of
// the break's page above the break is mapped only if something touched it: unknown.
static int region(uint64 a, uint64 *end)
{
  if (a >= MAXVA) {
    *end = ~0UL;
    return R_BAD;
  }
  if (a < fz.text_end) { *end = fz.text_end; return R_RO; }
  if (a < fz.guard) { *end = fz.guard; return R_RW; }
  if (a < fz.stack_base) { *end = fz.stack_base; return R_BAD; }
  if (a < fz.sz) { *end = fz.sz; return R_RW; }
  if (a < PGROUNDUP(fz.sz)) { *end = PGROUNDUP(fz.sz); return R_UNKNOWN; }
  *end = MAXVA;
  return R_BAD;
}

// How many of the n bytes at a the kernel can copy (for writing into them if write)
// before its first failure. *unknown is set if the answer hangs on an unknown page.
static uint64 reach(uint64 a, uint64 n, int write, int *unknown)
{
  uint64 done = 0, end;
  *unknown = 0;
  while (done < n) {
    int r = region(a + done, &end);
    if (r == R_UNKNOWN)
      *unknown = 1;
    if (r == R_UNKNOWN || r == R_BAD || (write && r == R_RO))
      break;
    uint64 run = end - (a + done);
    done += run < n - done ? run : n - done;
  }
  return done;
}

// The zone nobody writes reads as zeros; reading it here would map it.
static uchar kernel_byte(uint64 a)
{
  if (a >= fz.ro_zone && a < fz.ro_zone + RO_BYTES)
    return 0;
  return peek(a);
}

// What copyinstr(a, max) gives the kernel: the string's length (the string is left in
// out, which has room for max bytes), SIM_FAIL or SIM_UNKNOWN.
static int sim_str(uint64 a, int max, char *out)
{
  for (int i = 0; i < max; i++) {
    uint64 end;
    int r = region(a + i, &end);
    if (r == R_UNKNOWN)
      return SIM_UNKNOWN;
    if (r == R_BAD)
      return SIM_FAIL;
    char c = kernel_byte(a + i);
    if (out)
      out[i] = c;
    if (c == 0)
      return i;
  }
  return SIM_FAIL;   // no NUL within max bytes
}

// What exec's fetch_args makes of the argv array at a: argc, SIM_FAIL or SIM_UNKNOWN.
static int sim_argv(uint64 a)
{
  for (int i = 0; ; i++) {
    int unk;
    uint64 p = a + i * sizeof(uint64);
    if (reach(p, sizeof(uint64), 0, &unk) < sizeof(uint64))
      return unk ? SIM_UNKNOWN : SIM_FAIL;
    uint64 s = 0;
    for (int k = 7; k >= 0; k--)
      s = s << 8 | kernel_byte(p + k);
    if (s == 0)
      return i;
    if (i == MAXARG)
      return SIM_FAIL;
    int r = sim_str(s, PGSIZE, 0);
    if (r < 0)
      return r;
  }
}

// ---- Hostile arguments --------------------------------------------------------------------

enum pclass {
  PC_NULL, PC_ONES, PC_NEG, PC_MAXVA, PC_HIGH, PC_TRAP, PC_KERNEL, PC_UNMAPPED, PC_GUARD,
  PC_TEXT, PC_FREED, PC_RW, PC_CHURN, PC_BREAK,
  PC_NDST,   // the classes above are safe destinations: the kernel may write there
  PC_DATA = PC_NDST, PC_STACK, PC_RO, PC_NSRC
};

static uint64 churn_ptr(void)
{
  if (fz.sz <= fz.churn)
    return fz.rw_zone + below(RW_BYTES);
  return fz.churn + below(fz.sz - fz.churn);
}

// A pointer of a random class below nclasses (PC_NDST: only where the kernel may write).
static uint64 gen_ptr(int nclasses)
{
  switch (below(nclasses)) {
  case PC_NULL:     return 0;
  case PC_ONES:     return ~0UL - below(8);
  case PC_NEG:      return -(1 + below(4 * PGSIZE));
  case PC_MAXVA:    return MAXVA - 16 + below(32);
  case PC_HIGH:     return (1UL << (39 + below(25))) + below(PGSIZE);
  case PC_TRAP:     return TRAPFRAME + below(2 * PGSIZE);
  case PC_KERNEL:   return KERNBASE + below(PHYSMAX - KERNBASE);
  case PC_UNMAPPED: return PGROUNDUP(fz.sz) + below(1UL << (12 + below(26)));
  case PC_GUARD:    return fz.guard + below(PGSIZE);
  case PC_TEXT:     return below(fz.text_end);
  case PC_FREED:    return fz.sz + below(4 * PGSIZE);
  case PC_RW:       return fz.rw_zone + below(RW_BYTES);
  case PC_CHURN:    return churn_ptr();
  case PC_BREAK:    return fz.sz - 1 - below(64);
  case PC_DATA:     return fz.text_end + below(fz.guard - fz.text_end);
  case PC_STACK:    return fz.stack_base + below(fz.heap_base - fz.stack_base);
  default:          return fz.ro_zone + below(RO_BYTES);
  }
}

static int gen_len(void)
{
  switch (below(12)) {
  case 0:  return 0;
  case 1:  return 1;
  case 2:  return below(64);
  case 3:  return below(PGSIZE);
  case 4:  return PGSIZE - 1 + below(3);
  case 5:  return below(4 * PGSIZE);
  case 6:  return -1 - below(1 << 30);
  case 7:  return INT_MAX - below(2);
  case 8:  return INT_MIN;
  case 9:  return 1 << below(31);
  case 10: return 40 * below(8);
  default: return below(512);
  }
}

static int hostile_fd(void)
{
  switch (below(7)) {
  case 0:  return -1;
  case 1:  return INT_MIN;
  case 2:  return NOFILE;
  case 3:  return NOFILE + below(1000);
  case 4:  return 1 << (4 + below(27));
  case 5:  return -1 - below(1000);
  default: return (int)0xdeadbeef;
  }
}

// A descriptor: mostly one of ours (not the console or the report pipe), sometimes free
// or absurd.
static int gen_fd(void)
{
  if (chance(80)) {
    int start = below(NOFILE);
    for (int i = 0; i < NOFILE; i++) {
      int fd = (start + i) % NOFILE;
      if (fz.fd[fd].kind != K_FREE && fz.fd[fd].kind != K_RESERVED)
        return fd;
    }
  }
  if (chance(30)) {
    int fd = below(NOFILE);
    if (fz.fd[fd].kind == K_FREE)
      return fd;
  }
  return hostile_fd();
}

static struct fdslot *slot(int fd)
{
  static struct fdslot none;   // K_FREE
  return (fd >= 0 && fd < NOFILE) ? &fz.fd[fd] : &none;
}

// The nth (0, 1, ...) free descriptor, or -1.
static int free_fd(int nth)
{
  for (int fd = 0; fd < NOFILE; fd++)
    if (fz.fd[fd].kind == K_FREE && nth-- == 0)
      return fd;
  return -1;
}

static int lowest_free_fd(void)
{
  return free_fd(0);
}

// ---- Paths --------------------------------------------------------------------------------

// A made-up name: no '/', and never starting with 'x' (exec's test ELFs are x*).
static void random_name(char *d, int len)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwyz0123456789._-~";
  for (int i = 0; i < len; i++)
    d[i] = chars[below(sizeof(chars) - 1)];
  d[len] = 0;
  if (d[0] == '.' && len <= 2)
    d[0] = 'a';
}

// Names this process makes and finds again: f0.. files, d0.. directories, n0.. nodes.
static void known_name(char *d)
{
  static const char kinds[] = "fffdn";
  d[0] = kinds[below(sizeof(kinds) - 1)];
  append_num(d + 1, below(6), 10);
}

// A name relative to the working directory, or our own directory's absolute path
// followed by one; either way inside the scratch tree.
static int safe_path(const char *s)
{
  int n = strlen(fz.dir);
  if (memcmp(s, fz.dir, n) == 0 && (s[n] == 0 || s[n] == '/'))
    s += n + (s[n] == '/');
  if (strchr(s, '/') != 0)
    return 0;
  return strcmp(s, "..") != 0;
}

// Where a made-up path goes: usually pathbuf, sometimes the very end of the writable
// zone, so the kernel's copy runs into the next page (churn heap, or nothing).
static uint64 place_name(const char *s)
{
  if (!chance(20))
    return (uint64)pathbuf;
  int n = strlen(s);
  uint64 at = fz.rw_zone + RW_BYTES - n;
  for (int i = 0; i < n; i++)
    poke(at + i, s[i]);   // no NUL: unterminated at the page end
  return at;
}

static uint64 gen_path_ptr(void)
{
  char *d = pathbuf;
  switch (below(10)) {
  case 0: case 1:
    return gen_ptr(PC_NSRC);
  case 2:
    random_name(d, 1 + below(20));
    return place_name(d);
  case 3: case 4: case 5:
    known_name(d);
    return place_name(d);
  case 6:
    d = append_str(d, fz.dir);
    d = append_str(d, "/");
    known_name(d);
    return (uint64)pathbuf;
  case 7:
    memset(pathbuf, 'a' + below(26), sizeof(pathbuf) - 1);   // longer than MAXPATH
    pathbuf[sizeof(pathbuf) - 1] = 0;
    return (uint64)pathbuf + below(MAXPATH);
  case 8: {
    static const char *const odd[] = { "", ".", "..", "/", "//", "/dev/vmtrace", "/.", "a/" };
    strcpy(pathbuf, odd[below(8)]);
    return (uint64)pathbuf;
  }
  default:
    return fz.ro_zone + below(RO_BYTES);
  }
}

// A path argument. For a call that changes the file system (destructive) it is one the
// kernel cannot copy, or one that stays in the scratch tree. *sim gets the simulation.
static uint64 gen_path(int destructive, int *sim)
{
  for (int tries = 0; tries < 16; tries++) {
    uint64 p = gen_path_ptr();
    *sim = sim_str(p, MAXPATH, simbuf);
    if (!destructive || *sim == SIM_FAIL || (*sim >= 0 && safe_path(simbuf)))
      return p;
  }
  *sim = SIM_FAIL;
  return ~0UL;
}

// ---- The address space ----------------------------------------------------------------------

// Does this process's plain sbrk allocate at once? Under the eager policy, and under
// none (the default: sbrk eager, sbrklazy lazy; kernel/mempolicy.h).
static int sbrk_is_eager(void)
{
  return fz.policy == MEMPOLICY_EAGER || fz.policy == MEMPOLICY_DEFAULT;
}

static uint64 brk(void)
{
  count(1);
  return (uint64)sbrk(0);
}

// sbrk by any amount, in steps an int can carry. Returns 0 or -1.
static int move_break(uint64 to)
{
  while (fz.sz != to) {
    long step = (long)to - (long)fz.sz;
    if (step > INT_MAX - PGSIZE)
      step = INT_MAX - PGSIZE;
    if (step < INT_MIN + PGSIZE)
      step = INT_MIN + PGSIZE;
    count(1);
    if ((uint64)sbrk(step) == ~0UL)
      return -1;
    fz.sz += step;
  }
  return 0;
}

// Keep the zones in the heap: after a shrink below them, grow back (as lazy pages, so
// the read-only zone reads as zeros again).
static void restore_zones(void)
{
  if (fz.sz < fz.churn && move_break(fz.churn) < 0 && !fz.oom)
    fail("cannot grow the heap back to its zones", fz.sz, fz.churn);
}

// Give every heap page back and start over with untouched zones.
static void retire_heap(void)
{
  int policy = fz.policy, eager = sbrk_is_eager();
  if (move_break(fz.heap_base) < 0)
    fail("cannot shrink the heap to its base", fz.sz, fz.heap_base);
  if (eager) {   // regrow lazily: untouched zones
    count(1);
    mempolicy(MEMPOLICY_LAZY);
  }
  restore_zones();
  if (eager) {
    count(1);
    mempolicy(policy);
  }
}

// The first writable page of the image, where text and read-only data end: each page is
// asked to take one byte from a pipe (a copyout, which needs PTE_W); the byte offered
// is the one already there, so a success changes nothing.
static uint64 find_text_end(void)
{
  int p[2];
  char c;
  if (pipe(p) < 0)
    return 0;
  uint64 a;
  for (a = 0; a < fz.guard; a += PGSIZE) {
    c = peek(a);
    write(p[1], &c, 1);
    if (read(p[0], (char *)a, 1) == 1)
      break;
    read(p[0], &c, 1);   // refused: take the byte back out
  }
  close(p[0]);
  close(p[1]);
  return a;
}

static int layout_init(void)
{
  if (memstat(0, &msbuf) < 0)
    return -1;
  fz.stack_base = msbuf.stack_base;
  fz.heap_base = msbuf.heap_base;
  fz.guard = fz.stack_base - PGSIZE;
  fz.policy = msbuf.policy;
  fz.forkpolicy = forkpolicy(FORKPOLICY_QUERY);
  fz.text_end = find_text_end();
  fz.sz = (uint64)sbrk(0);
  if (fz.text_end == 0 || fz.text_end >= fz.guard || fz.sz != fz.heap_base)
    return -1;
  return 0;
}

// Lay the heap out as [read-only zone][writable zone][churn], from a page boundary.
static int heap_init(void)
{
  fz.ro_zone = PGROUNDUP(fz.sz);
  fz.rw_zone = fz.ro_zone + RO_BYTES;
  fz.churn = fz.rw_zone + RW_BYTES;
  return move_break(fz.churn);
}

// ---- Descriptors ----------------------------------------------------------------------------

static int pipe_in_use(int id)
{
  for (int fd = 0; fd < NOFILE; fd++)
    if ((fz.fd[fd].kind == K_PIPE_R || fz.fd[fd].kind == K_PIPE_W) && fz.fd[fd].pipe == id)
      return 1;
  return 0;
}

static int readers(int id)
{
  int n = 0;
  for (int fd = 0; fd < NOFILE; fd++)
    n += fz.fd[fd].kind == K_PIPE_R && fz.fd[fd].pipe == id && !fz.fd[fd].foreign;
  return n;
}

// Record what open() gave us, from fstat.
static void classify(int fd, int omode)
{
  struct fdslot *s = &fz.fd[fd];
  count(1);
  if (fstat(fd, &stbuf) < 0)
    fail("fstat of a new descriptor", fd, omode);
  s->rd = !(omode & O_WRONLY);
  s->wr = (omode & O_WRONLY) || (omode & O_RDWR);
  s->foreign = 0;
  if (stbuf.type == T_DIR) {
    check(!s->wr && !(omode & O_TRUNC), "directory opened for writing", fd, omode);
    s->kind = K_DIR;
  } else if (stbuf.type == T_FILE) {
    s->kind = K_FILE;
  } else if (stbuf.type == T_DEVICE) {
    // The console would block a read (and may print anything written): no I/O there.
    s->kind = K_NOIO;
  } else {
    fail("fstat: unknown type", fd, stbuf.type);
  }
}

// ---- Operations: memory ----------------------------------------------------------------------

static int gen_sbrk(void)
{
  long used = fz.sz - fz.heap_base;
  switch (below(11)) {
  case 0:  return 0;
  case 1:  return below(PGSIZE);
  case 2:  return -below(PGSIZE);
  case 3:  return PGSIZE * below(16);
  case 4:  return -(int)(PGSIZE * below(16));
  case 5:  return used < INT_MAX ? -(int)used - 1 - below(3) : INT_MIN;   // past the heap
  case 6:  return used < INT_MAX ? -(int)used : -PGSIZE;                 // to its base
  case 7:  return INT_MIN + below(2);
  case 8:  return INT_MAX - below(2);
  case 9:  return 1 << below(31);
  default: return -(int)(below(64) * PGSIZE + below(PGSIZE));
  }
}

// Would sbrk(n) succeed? 1 yes, 0 no, -1 unknown (eager growth may run out of memory).
static int sbrk_should(long n)
{
  uint64 newsz = fz.sz + n;
  if (n < 0)
    return newsz >= fz.heap_base;   // below address 0 (newsz > fz.sz) succeeds too
  if (newsz > TRAPFRAME)
    return 0;
  if (sbrk_is_eager() && n > 0)
    return fz.oom ? -1 : 1;
  return 1;
}

static void op_sbrk(void)
{
  long n = gen_sbrk();
  // Outside OOM rounds, eager growth stays small: an exhausted machine would fail
  // other processes' checks.
  if (sbrk_is_eager() && !fz.oom && n > EAGER_STEP)
    n = below(EAGER_STEP);
  int should = sbrk_should(n);
  uint64 old = fz.sz;
  note("sbrk", n, old, should);
  count(1);
  uint64 r = (uint64)sbrk(n);
  if (r != ~0UL) {
    check(should != 0, "sbrk succeeded where it must fail", n, old);
    check(r == old, "sbrk returned the wrong old break", r, old);
    if (n >= 0 || old + n < old)
      fz.sz = old + n;   // a shrink below address 0 changes nothing
  } else {
    check(should != 1, "sbrk failed where it must succeed", n, old);
  }
  check(brk() == fz.sz, "break not where sbrk left it", fz.sz, 0);
  restore_zones();
}

// A user load or store somewhere the heap is: lazy pages appear; nothing dies.
static void op_touch(void)
{
  uint64 a = chance(50) ? churn_ptr() : fz.rw_zone + below(RW_BYTES);
  if (chance(5) && fz.sz - fz.churn > PGSIZE)
    a = fz.sz - 1 - below(PGSIZE);   // the last page below the break
  note("touch", a, 0, 0);
  if (chance(50))
    poke(a, peek(a) + 1);
  else
    (void)peek(a);
  if (chance(10)) {   // the read-only zone: a load maps a zero page; it stays zero
    uint64 z = fz.ro_zone + below(RO_BYTES);
    check(peek(z) == 0, "untouched heap does not read as zero", z, 0);
  }
}

static void op_retire(void)
{
  note("retire", fz.sz, 0, 0);
  retire_heap();
}

// The body of a policy call's operation: call (mempolicy or forkpolicy) with a random
// one of args (n of them), where -1 queries and 0 .. count-1 are the policies; *model
// is the policy this process must have, kept up to date.
static void policy_op(const char *name, int (*call)(int), const int *args, int n, int count_,
                      int *model)
{
  int a = args[below(n)];
  note(name, a, *model, 0);
  count(1);
  int r = call(a);
  if (a == -1 || (a >= 0 && a < count_)) {
    check(r == *model, "policy call did not return the old policy", r, *model);
    if (a != -1)
      *model = a;
  } else {
    check(r == -1, "policy call accepted a bad policy", a, r);
  }
  count(1);
  check(call(-1) == *model, "policy changed unasked", *model, 0);
}

static void op_mempolicy(void)
{
  static const int args[] = { MEMPOLICY_QUERY, MEMPOLICY_LAZY, MEMPOLICY_EAGER,
                              MEMPOLICY_FAULTAROUND, MEMPOLICY_DEFAULT, MEMPOLICY_COUNT,
                              -2, 100, INT_MIN, INT_MAX };
  policy_op("mempolicy", mempolicy, args, sizeof args / sizeof args[0], MEMPOLICY_COUNT,
            &fz.policy);
}

// Forks after this share or copy; the leak check at the end of each round and every
// check on data written through forked children's pages then run under both.
static void op_forkpolicy(void)
{
  static const int args[] = { FORKPOLICY_QUERY, FORKPOLICY_COW, FORKPOLICY_COPY,
                              FORKPOLICY_COUNT, -2, 100, INT_MIN, INT_MAX };
  policy_op("forkpolicy", forkpolicy, args, sizeof args / sizeof args[0], FORKPOLICY_COUNT,
            &fz.forkpolicy);
}

static int gen_pid(int *exists)
{
  *exists = 1;
  switch (below(6)) {
  case 0:  return 0;
  case 1:  return fz.pid;
  case 2:
    if (fz.nkids > 0) {
      *exists = -1;   // it may have exited, or run on another hart
      return fz.kids[below(fz.nkids)].pid;
    }
    // fall through
  case 3:  *exists = 0; return -1 - below(1000);
  case 4:  *exists = 0; return (1 << 30) + below(1000);
  default: *exists = 0; return INT_MIN;
  }
}

static void check_memstat(void)
{
  check(msbuf.vsz == fz.sz, "memstat: vsz is not the break", msbuf.vsz, fz.sz);
  check(msbuf.heap_base == fz.heap_base, "memstat: heap_base", msbuf.heap_base, fz.heap_base);
  check(msbuf.stack_base == fz.stack_base, "memstat: stack_base", msbuf.stack_base, 0);
  check(msbuf.policy == fz.policy, "memstat: policy", msbuf.policy, fz.policy);
  check(msbuf.pid == fz.pid, "memstat: pid", msbuf.pid, fz.pid);
  check(msbuf.resident > 0 && msbuf.resident <= PGROUNDUP(fz.sz) / PGSIZE,
        "memstat: resident pages out of range", msbuf.resident, fz.sz);
}

static void op_memstat(void)
{
  int exists, unk;
  int pid = gen_pid(&exists);
  uint64 p = chance(30) ? (uint64)&msbuf : gen_ptr(PC_NDST);
  uint64 ok = reach(p, sizeof(struct memstat), 1, &unk);
  note("memstat", pid, p, ok);
  count(1);
  int r = memstat(pid, (struct memstat *)p);
  check(r == 0 || r == -1, "memstat: odd result", r, 0);
  if (exists == 0)
    check(r == -1, "memstat of a process that does not exist", pid, r);
  if (!unk && ok < sizeof(struct memstat))
    check(r == -1, "memstat wrote where it may not", p, r);
  if (exists == 1 && ok == sizeof(struct memstat) && !fz.oom)
    check(r == 0, "memstat of myself failed", pid, p);
  if (r == 0 && p == (uint64)&msbuf && (pid == 0 || pid == fz.pid))
    check_memstat();
}

static void op_misc(void)
{
  static uint last_uptime;
  count(3);
  check(getpid() == fz.pid, "getpid changed", fz.pid, 0);
  uint t = uptime();
  check(t >= last_uptime, "uptime went backwards", t, last_uptime);
  last_uptime = t;
  int f = freemem();
  check(f >= 0 && f < (PHYSMAX - KERNBASE) / PGSIZE, "freemem out of range", f, 0);
}

static void op_sleep(void)
{
  static const int args[] = { 0, -1, INT_MIN, -(1 << 30), 0, 1 };
  int n = args[below(chance(2) ? 6 : 5)];
  note("sleep", n, 0, 0);
  count(1);
  check(sleep(n) == 0, "sleep failed", n, 0);
}

// ---- Operations: files ---------------------------------------------------------------------

static int gen_omode(void)
{
  static const int modes[] = {
    O_RDONLY, O_WRONLY, O_RDWR, O_CREATE | O_RDWR, O_CREATE | O_WRONLY | O_TRUNC,
    O_RDWR | O_TRUNC, O_CREATE, O_WRONLY | O_RDWR, -1, 0x7ff, 0x800, INT_MIN,
  };
  return modes[below(sizeof(modes) / sizeof(modes[0]))];
}

static int changes_fs(int omode)
{
  return (omode & (O_CREATE | O_TRUNC | O_WRONLY | O_RDWR)) != 0;
}

static void op_open(void)
{
  int omode = gen_omode(), sim;
  uint64 p = gen_path(changes_fs(omode), &sim);
  note("open", p, omode, sim);
  count(1);
  int fd = open((const char *)p, omode);
  if (sim == SIM_FAIL)
    check(fd == -1, "open of a path the kernel cannot copy", p, fd);
  if (fd < 0)
    return;
  check(fd == lowest_free_fd(), "open did not use the lowest free descriptor", fd,
        lowest_free_fd());
  classify(fd, omode);
}

// The trace marker device, opened write-only: writes become VMT_MARKER records.
static void op_open_marker(void)
{
  note("open_marker", 0, 0, 0);
  count(1);
  int fd = open("/dev/vmtrace", O_WRONLY);
  if (fd < 0)
    return;   // the file table may be full
  check(fd == lowest_free_fd(), "open did not use the lowest free descriptor", fd, 0);
  fz.fd[fd] = (struct fdslot){ .kind = K_MARK, .wr = 1 };
}

static void op_close(void)
{
  int fd = gen_fd();
  struct fdslot *s = slot(fd);
  note("close", fd, s->kind, 0);
  count(1);
  int r = close(fd);
  if (s->kind == K_FREE) {
    check(r == -1, "close of a descriptor that is not open", fd, r);
    return;
  }
  check(r == 0, "close of an open descriptor failed", fd, r);
  *s = (struct fdslot){ .kind = K_FREE };
}

static void op_dup(void)
{
  int fd = chance(10) ? below(3) : gen_fd();   // the console may be duplicated too
  struct fdslot *s = slot(fd);
  int want = s->kind == K_FREE ? -1 : lowest_free_fd();
  note("dup", fd, want, 0);
  count(1);
  int r = dup(fd);
  check(r == want, "dup gave an unexpected descriptor", r, want);
  if (r >= 0) {
    fz.fd[r] = *s;
    if (s->kind == K_RESERVED)
      fz.fd[r].kind = K_NOIO;
  }
}

static void op_fstat(void)
{
  int fd = gen_fd(), unk;
  struct fdslot *s = slot(fd);
  uint64 p = chance(40) ? (uint64)&stbuf : gen_ptr(PC_NDST);
  uint64 ok = reach(p, sizeof(struct stat), 1, &unk);
  note("fstat", fd, p, ok);
  count(1);
  int r = fstat(fd, (struct stat *)p);
  int is_inode = s->kind == K_FILE || s->kind == K_DIR || s->kind == K_NOIO || s->kind == K_MARK;
  if (!is_inode || (!unk && ok < sizeof(struct stat)))
    check(r == -1, "fstat succeeded on a pipe, a bad fd or a bad pointer", fd, p);
  else if (!unk && !fz.oom)
    check(r == 0, "fstat failed", fd, p);
  if (r == 0 && p == (uint64)&stbuf) {
    int want = s->kind == K_DIR ? T_DIR : s->kind == K_FILE ? T_FILE : T_DEVICE;
    check(stbuf.type == want, "fstat: wrong type", stbuf.type, want);
  }
}

static void op_pipe(void)
{
  int unk;
  uint64 p = chance(50) ? (uint64)fdsbuf : gen_ptr(PC_NDST);
  uint64 ok = reach(p, 2 * sizeof(int), 1, &unk);
  int a = free_fd(0), b = free_fd(1);
  note("pipe", p, ok, unk);
  count(1);
  int r = pipe((int *)p);
  if (!unk && ok < 2 * sizeof(int))
    check(r == -1, "pipe wrote its descriptors where it may not", p, r);
  if (a < 0 || b < 0)
    check(r == -1, "pipe with no free descriptors", a, b);
  if (r < 0)
    return;   // out of files or memory; nothing may be left open (dup checks it)
  check(r == 0, "pipe: odd result", r, 0);
  int id = 0;
  while (pipe_in_use(id))
    id++;
  fz.pipes[id].avail = 0;
  fz.fd[a] = (struct fdslot){ .kind = K_PIPE_R, .rd = 1, .pipe = id };
  fz.fd[b] = (struct fdslot){ .kind = K_PIPE_W, .wr = 1, .pipe = id };
  if (p == (uint64)fdsbuf)
    check(fdsbuf[0] == a && fdsbuf[1] == b, "pipe: wrong descriptors", fdsbuf[0], fdsbuf[1]);
}

// A descriptor we may read without blocking or stealing: ours, readable or failing fast.
static int readable_fd(void)
{
  int fd = gen_fd();
  struct fdslot *s = slot(fd);
  if (s->kind == K_RESERVED || s->kind == K_NOIO || (s->kind == K_PIPE_R && s->foreign))
    return hostile_fd();
  if (s->kind == K_PIPE_R && fz.pipes[s->pipe].avail == 0)
    return hostile_fd();   // the write end is open: read would wait
  return fd;
}

static void op_read(void)
{
  int fd = readable_fd(), unk;
  struct fdslot *s = slot(fd);
  uint64 p = gen_ptr(PC_NDST);
  int n = gen_len();
  uint64 ok = reach(p, n < 0 ? 0 : n, 1, &unk);
  note("read", fd, p, n);
  count(1);
  int r = read(fd, (void *)p, n);
  check(r >= -1 && r <= (n < 0 ? 0 : n), "read: result out of range", r, n);
  if (s->kind == K_FREE || !s->rd || n < 0)
    check(r == -1, "read of a bad descriptor or size", fd, r);
  if (!unk)
    check(r <= (long)ok, "read claims more bytes than the buffer could take", r, ok);
  if (s->kind != K_PIPE_R || n < 0)
    return;
  struct pipestate *ps = &fz.pipes[s->pipe];
  int want = n < ps->avail ? n : ps->avail;
  check(r <= want, "pipe read more than was buffered", r, ps->avail);
  if (!unk && ok >= (uint64)want && !fz.oom)
    check(r == want, "pipe read came up short", r, want);
  if (r > 0)
    ps->avail -= r;
}

// A descriptor we may write: any but the console's; a pipe only up to its free room.
static int writable_fd(void)
{
  int fd = gen_fd();
  struct fdslot *s = slot(fd);
  if (s->kind == K_RESERVED || s->kind == K_NOIO || (s->kind == K_PIPE_W && s->foreign))
    return hostile_fd();
  return fd;
}

// Trim n so that the write cannot block (pipes) or fill the disk for nothing (files).
static int write_size(struct fdslot *s, uint64 *p, int n)
{
  int unk;
  if (n <= 0)
    return n;
  uint64 ok = reach(*p, n, 0, &unk);
  if (s->kind == K_PIPE_W) {
    int room = PIPESIZE - fz.pipes[s->pipe].avail;
    if (unk) {
      *p = (uint64)iobuf;
      ok = n;
    }
    if ((ok < n ? ok : n) >= room)   // would fill the pipe and wait for a reader
      n = below(room);
  } else if (s->kind == K_FILE && n > FILE_WRITE_MAX && ok > FILE_WRITE_MAX) {
    n = below(FILE_WRITE_MAX);
  }
  return n;
}

static void check_write(struct fdslot *s, int fd, uint64 p, int n, int r)
{
  int unk;
  uint64 ok = reach(p, n < 0 ? 0 : n, 0, &unk);
  check(r >= -1 && r <= (n < 0 ? 0 : n), "write: result out of range", r, n);
  if (s->kind == K_FREE || !s->wr || n < 0)
    check(r == -1, "write to a bad descriptor or size", fd, r);
  if (!unk && r > (long)ok)
    fail("write claims more bytes than the source had", r, ok);
  if (s->kind == K_FILE && !unk && ok < n)
    check(r == -1, "short file write did not fail", r, ok);
  if (s->kind == K_MARK && !unk && !fz.oom) {
    long len = n < TRACE_MARKER_MAX ? n : TRACE_MARKER_MAX;   // what the kernel takes
    check(r == (ok >= len ? len : -1), "marker write: wrong result", r, n);
  }
  if (s->kind == K_PIPE_W && !unk && ok >= n && readers(s->pipe) > 0 && !fz.oom)
    check(r == n, "pipe write came up short", r, n);
}

static void op_write(void)
{
  int fd = writable_fd();
  struct fdslot *s = slot(fd);
  uint64 p = gen_ptr(PC_NSRC);
  int n = write_size(s, &p, gen_len());
  note("write", fd, p, n);
  count(1);
  int r = write(fd, (const void *)p, n);
  check_write(s, fd, p, n, r);
  if (s->kind == K_PIPE_W && r > 0)
    fz.pipes[s->pipe].avail += r;
}

// Calls that take one path and change the file system: the kernel must refuse any
// path it cannot copy.
static void path_result(const char *what, uint64 p, int sim, int r)
{
  check(r == 0 || r == -1, "odd result", r, 0);
  if (sim == SIM_FAIL)
    check(r == -1, what, p, r);
}

static void op_mkdir(void)
{
  int sim;
  uint64 p = gen_path(1, &sim);
  note("mkdir", p, sim, 0);
  count(1);
  path_result("mkdir of a path the kernel cannot copy", p, sim, mkdir((const char *)p));
}

static void op_mknod(void)
{
  static const int majors[] = { 0, VMTRACE, VMTRACECTL, 5, NDEV - 1, NDEV, 0x7fff, 0x8000,
                                -1, INT_MIN, INT_MAX };
  int sim;
  uint64 p = gen_path(1, &sim);
  int major = majors[below(11)], minor = chance(80) ? 0 : majors[below(11)];
  note("mknod", p, major, minor);
  count(1);
  int r = mknod((const char *)p, major, minor);
  path_result("mknod of a path the kernel cannot copy", p, sim, r);
  // The stub passes shorts; the kernel sees the sign-extended values.
  if ((short)major < 0 || (short)minor < 0)
    check(r == -1, "mknod with a device number that does not fit", major, minor);
}

static void op_unlink(void)
{
  int sim;
  uint64 p = gen_path(1, &sim);
  note("unlink", p, sim, 0);
  count(1);
  int r = unlink((const char *)p);
  path_result("unlink of a path the kernel cannot copy", p, sim, r);
  if (sim >= 0 && (strcmp(simbuf, ".") == 0 || strcmp(simbuf, "..") == 0))
    check(r == -1, "unlink of . or ..", p, r);
}

static void op_link(void)
{
  int sim_old, sim_new;
  uint64 old = gen_path(1, &sim_old);
  uint64 new = gen_path(1, &sim_new);
  // Making the second path may have rewritten the bytes the first points at.
  sim_old = sim_str(old, MAXPATH, simbuf);
  if (sim_old != SIM_FAIL && !(sim_old >= 0 && safe_path(simbuf)))
    return;
  note("link", old, new, 0);
  count(1);
  int r = link((const char *)old, (const char *)new);
  path_result("link of a path the kernel cannot copy", old, sim_old, r);
  path_result("link to a path the kernel cannot copy", new, sim_new, r);
}

static void op_chdir(void)
{
  int sim;
  uint64 p;
  if (chance(20)) {
    strcpy(pathbuf, fz.dir);
    p = (uint64)pathbuf;
    sim = strlen(pathbuf);
  } else {
    p = gen_path(1, &sim);
  }
  note("chdir", p, sim, 0);
  count(1);
  path_result("chdir to a path the kernel cannot copy", p, sim, chdir((const char *)p));
}

// ---- Operations: processes ----------------------------------------------------------------

static void add_kid(int pid, int kind, int expect, int any_exec)
{
  fz.kids[fz.nkids++] = (struct kid){ .pid = pid, .kind = kind, .expect = expect,
                                      .any_exec = any_exec };
}

static void check_kid_status(struct kid *k, int status)
{
  if (status == ST_FAILED)
    quit(ST_FAILED);   // it has said why
  if (k->kind == KID_EXEC && status == ST_EXEC_NOFILE)
    return;
  if (k->any_exec && (status == -1 || status == ST_EXEC_FAIL ||
                      (status >= ST_EXEC_RAN && status <= ST_EXEC_RAN + MAXARG)))
    return;
  if (status == k->expect || (status == -1 && (k->killed || fz.oom)))
    return;
  if (k->kind == KID_VICTIM && status == ST_SURVIVED)
    fail("a victim survived what must kill it (pid, how)", k->pid, k->how);
  fail("child exited with the wrong status", status, k->expect);
}

// Reap one child (wait blocks until one exits: every child is finite or killed).
static void reap(uint64 p)
{
  int unk;
  uint64 ok = reach(p, sizeof(int), 1, &unk);
  note("wait", p, ok, fz.nkids);
  count(1);
  int pid = wait((int *)p);
  if (fz.nkids == 0) {
    check(pid == -1, "wait with no children", pid, 0);
    return;
  }
  if (!unk && ok < sizeof(int) && p != 0) {   // wait(0): no status wanted
    check(pid == -1, "wait stored a status where it may not", p, pid);
    return;   // the zombie stays for the next wait
  }
  check(pid > 0 || unk, "wait failed with children", pid, fz.nkids);
  for (int i = 0; i < fz.nkids; i++) {
    if (fz.kids[i].pid != pid)
      continue;
    if (p == (uint64)&statusbuf)
      check_kid_status(&fz.kids[i], statusbuf);
    if (fz.kids[i].kind == KID_EXEC) {
      count(1);
      unlink(elf_path(pid));
    }
    fz.kids[i] = fz.kids[--fz.nkids];
    return;
  }
  if (pid > 0)
    fail("wait returned a pid that is not my child", pid, 0);
}

static void op_wait(void)
{
  reap(chance(60) ? (uint64)&statusbuf : gen_ptr(PC_NDST));
}

static void reap_all(void)
{
  while (fz.nkids > 0)
    reap((uint64)&statusbuf);
}

static void op_kill(void)
{
  int exists;
  int pid = gen_pid(&exists);
  if (pid == 0 || pid == fz.pid)
    pid = -pid - 7;   // not ourselves: that is a victim's job
  note("kill", pid, exists, 0);
  count(1);
  int r = kill(pid);
  for (int i = 0; i < fz.nkids; i++) {
    if (fz.kids[i].pid == pid) {
      check(r == 0, "kill of my child failed", pid, r);
      fz.kids[i].killed = 1;
      return;
    }
  }
  check(r == -1, "kill of a process that does not exist", pid, r);
}

// Mark the descriptors a child inherits: it may close them, dup them, fstat them and
// use files, but leaves pipes alone (the parent's counts of buffered bytes stay exact).
static void inherit_fds(void)
{
  for (int fd = 0; fd < NOFILE; fd++) {
    struct fdslot *s = &fz.fd[fd];
    if (s->kind == K_FREE || s->kind == K_RESERVED)
      continue;
    if (chance(50)) {
      count(1);
      close(fd);
      *s = (struct fdslot){ .kind = K_FREE };
    } else {
      s->foreign = 1;
    }
  }
}

static void fuzz_loop(void);

// The child side of a fork: its own seed, budget and directory, then fuzz and exit.
static void become_kid(uint64 seed, long budget, int code, int seq)
{
  fz.pid = getpid();
  fz.seed = fz.rng = seed;
  fz.depth++;
  fz.calls = fz.reported = 0;
  fz.budget = budget;
  fz.exit_code = code;
  fz.nkids = 0;
  fz.kidseq = 0;
  inherit_fds();
  char *d = fz.dir + strlen(fz.dir);
  d = append_str(d, "/k");
  append_num(d, seq, 10);
  count(2);
  if (mkdir(fz.dir) < 0 || chdir(fz.dir) < 0)
    quit(code);   // out of inodes or disk: nothing to fuzz in
  fuzz_loop();
}

static int kid_exit_code(void)
{
  static const int codes[] = { 0, 1, 2, 127, 128, 255, 256, -2, -100, INT_MAX, INT_MIN };
  return codes[below(11)];
}

static void op_fork(void)
{
  if (fz.depth >= MAXDEPTH || fz.nkids >= MAXKIDS || fz.budget < 100)
    return;
  long budget = below(fz.budget / 4 < KID_CALLS ? fz.budget / 4 : KID_CALLS);
  uint64 seed = rnd();
  int code = kid_exit_code(), seq = fz.kidseq++;
  note("fork", budget, seed, code);
  count(1);
  int pid = fork();
  if (pid == 0)
    become_kid(seed, budget, code, seq);
  if (pid < 0)
    return;   // the process table or memory is full
  fz.budget -= budget;
  add_kid(pid, KID_FUZZ, code, 0);
}

// ---- Victims: children that must be killed -----------------------------------------------

static volatile int deep_limit = 1 << 30;

// Recurses into the guard page below the one-page stack.
static int deep(int n)
{
  volatile char pad[200];
  pad[n % 200] = n;
  if (n > deep_limit)
    return 0;
  return deep(n + 1) + pad[0];
}

static void jump(uint64 pc)
{
  asm volatile("jalr ra, 0(%0)" : : "r"(pc) : "ra", "memory");
}

static uint64 load(uint64 a)
{
  uint64 v;
  asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");
  return v;
}

// Eat memory until the kernel kills us: out of memory in the fault path.
static void hog(void)
{
  mempolicy(MEMPOLICY_LAZY);
  uint64 base = (uint64)sbrk(0);
  if ((uint64)sbrk(1 << 30) == ~0UL)
    exit(ST_SURVIVED);
  for (uint64 a = base; a < base + (1UL << 30); a += PGSIZE)
    poke(a, 1);
}

// One thing that must kill this process (status -1).
static void do_victim(int how)
{
  switch (how) {
  case 0:  load(fz.guard + below(PGSIZE)); break;
  case 1:  poke(fz.guard + below(PGSIZE), 1); break;
  case 2:  poke(below(fz.text_end), 0); break;
  case 3:   // kernel memory is user address space here, unmapped unless the heap got there
    if (fz.sz > KERNBASE)
      move_break(fz.churn);
    load(KERNBASE + below(PHYSMAX - KERNBASE));
    break;
  case 4:  load(MAXVA + below(1 << 20)); break;
  case 5:  load(~0UL - 8); break;
  case 6:  load(PGROUNDUP(fz.sz) + PGSIZE * below(1 << 20)); break;
  case 7:  load(TRAPFRAME + below(PGSIZE)); break;
  case 8:  jump(churn_ptr() & ~3UL); break;
  case 9:  jump(fz.guard); break;
  case 10: kill(getpid()); getpid(); break;
  case 11: sleep(1000000); break;
  case 12: deep(0); break;
  case 13: sbrk(-PGSIZE); load(PGROUNDDOWN(fz.sz - 1)); break;   // freed heap
  case 14: poke(fz.ro_zone, 1); move_break(fz.heap_base); load(fz.ro_zone); break;
  default: hog(); break;   // 15, in OOM rounds only
  }
  exit(ST_SURVIVED);
}

static void op_victim(void)
{
  if (fz.nkids >= MAXKIDS)
    return;
  int how = below(17), code = 0;
  if (how == 15 && !fz.oom)
    how = 16;
  if (how == 16)
    code = kid_exit_code();   // a plain exit: that exact status
  note("victim", how, code, 0);
  count(1);
  int pid = fork();
  if (pid == 0) {
    fz.report_fd = -1;   // its calls are not fuzzing calls
    rng_next(&fz.rng);
    if (how == 16)
      exit(code);
    do_victim(how);
  }
  if (pid < 0)
    return;
  add_kid(pid, KID_VICTIM, how == 16 ? code : -1, 0);
  fz.kids[fz.nkids - 1].how = how;
  if (how == 11) {   // asleep for good: wake it the hard way
    count(1);
    check(kill(pid) == 0, "kill of a sleeping child failed", pid, 0);
    fz.kids[fz.nkids - 1].killed = 1;
  }
}

// ---- exec -----------------------------------------------------------------------------

// A minimal RISC-V program: exit(argc + 42). One LOAD segment at 0 covering the whole
// file, code after the headers; a second program header, unused unless a mutation
// counts it in.
static void build_elf(void)
{
  static const uint32 code[] = {
    0x02a50513,   // addi a0, a0, 42
    0x00200893,   // li a7, SYS_exit
    0x00000073,   // ecall
  };
  struct elfhdr *eh = (struct elfhdr *)elfbuf;
  struct proghdr *ph = (struct proghdr *)(elfbuf + sizeof(*eh));
  uint64 code_off = sizeof(*eh) + 2 * sizeof(*ph);
  memset(elfbuf, 0, sizeof(elfbuf));
  eh->magic = ELF_MAGIC;
  eh->elf[0] = 2;   // 64-bit
  eh->elf[1] = 1;   // little-endian
  eh->elf[2] = 1;
  eh->type = 2;
  eh->machine = 243;   // RISC-V
  eh->version = 1;
  eh->entry = code_off;
  eh->phoff = sizeof(*eh);
  eh->ehsize = sizeof(*eh);
  eh->phentsize = sizeof(*ph);
  eh->phnum = 1;
  elflen = code_off + sizeof(code);
  memmove(elfbuf + code_off, code, sizeof(code));
  ph[0] = (struct proghdr){ .type = ELF_PROG_LOAD, .flags = ELF_PROG_FLAG_READ | ELF_PROG_FLAG_EXEC,
                            .off = 0, .vaddr = 0, .filesz = elflen, .memsz = elflen, .align = PGSIZE };
  ph[1] = (struct proghdr){ .type = ELF_PROG_LOAD, .flags = ELF_PROG_FLAG_READ | ELF_PROG_FLAG_WRITE,
                            .vaddr = 2 * PGSIZE, .memsz = PGSIZE, .align = PGSIZE };
}

// Break the ELF in one of many ways. None can make it loop: the entry stays on the
// code, on zeroed memory (an illegal instruction), or somewhere unmapped. Returns the
// length of the file to write.
static int mutate_elf(void)
{
  struct elfhdr *eh = (struct elfhdr *)elfbuf;
  struct proghdr *ph = (struct proghdr *)(elfbuf + sizeof(*eh));
  int len = elflen;
  switch (below(fz.oom ? 22 : 20)) {
  case 0:  eh->magic ^= 1 << below(32); break;
  case 1:  eh->phentsize = below(2) ? 0 : sizeof(*ph) + 8; break;
  case 2:  eh->phoff = chance(50) ? ~0UL - below(64) : len + below(1 << 20); break;
  case 3:  eh->phnum = 0xffff - below(4); break;
  case 4:  eh->phnum = 0; break;
  case 5:  ph[0].vaddr = 1 + below(PGSIZE - 1); break;
  case 6:  ph[0].vaddr = TRAPFRAME - PGSIZE * below(2); break;
  case 7:  ph[0].memsz = below(ph[0].filesz); break;
  case 8:  ph[0].memsz = ~0UL - below(PGSIZE); break;
  case 9:  ph[0].filesz = ph[0].memsz = len + 1 + below(1 << 16); break;
  case 10: ph[0].off = chance(50) ? ~0UL - below(64) : 1 + below(len); break;
  case 11: ph[0].type = chance(50) ? 0 : 0x6474e551; break;
  case 12: ph[0].flags = chance(50) ? ELF_PROG_FLAG_READ : ELF_PROG_FLAG_WRITE; break;
  case 13: eh->entry = (eh->entry + 1 + below(3)) | 1; break;   // odd: misaligned
  case 14: eh->entry = chance(50) ? MAXVA + below(PGSIZE) : PGSIZE * (1 + below(64)); break;
  case 15: eh->phnum = 2; break;                                  // bss page at 8 KiB
  case 16: eh->phnum = 2; ph[1].vaddr = 0; ph[1].memsz = len; break;   // overlaps text
  case 17: eh->phnum = 2; ph[1].memsz = 1 << (12 + below(8)); break;
  case 18: len = below(len); break;                               // truncated
  case 19: eh->phnum = 2; ph[1].vaddr = PGSIZE * below(64); ph[1].off = 1 + below(64); break;
  case 20: ph[0].memsz = (uint64)PGSIZE << (10 + below(8)); break; // OOM rounds: big
  default: eh->phnum = 2; ph[1].vaddr = TRAPFRAME - PGSIZE; break;
  }
  return len;
}

// The path of test ELF number id in our directory, in pathbuf.
static char *elf_path(int id)
{
  char *d = append_str(pathbuf, fz.dir);
  d = append_str(d, "/x");
  append_num(d, id, 10);
  return pathbuf;
}

// Write the test ELF (broken unless intact) to our directory as x<id>. Returns its path
// in pathbuf, or 0 if the file could not be made.
static char *write_elf(int intact, int id)
{
  build_elf();
  int len = intact ? elflen : mutate_elf();
  elf_path(id);
  count(3);
  int fd = open(pathbuf, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0)
    return 0;
  int r = write(fd, elfbuf, len);
  close(fd);
  return r == len ? pathbuf : 0;
}

// An argv array of k good strings, argvbuf (NULL-terminated). Returns k.
static int good_argv(int k)
{
  for (int i = 0; i < k; i++) {
    random_name(argstr[i % 4], below(20));
    argvbuf[i] = (uint64)argstr[i % 4];
  }
  argvbuf[k] = 0;
  return k;
}

// A hostile argv: returns the pointer; sim_argv decides what it means. Pointers are of
// classes below nclasses (PC_NDST: none into our data or stack, which may change before
// the exec).
static uint64 bad_argv(int nclasses)
{
  int k = below(MAXARG + 4);
  good_argv(k);
  switch (below(6)) {
  case 0:  return gen_ptr(nclasses);
  case 1:  argvbuf[below(k + 1)] = gen_ptr(nclasses); break;
  case 2:  good_argv(MAXARG + 1 + below(4)); break;   // too many
  case 3:  memset(iobuf, 'q', sizeof(iobuf)); argvbuf[below(k + 1)] = (uint64)iobuf; break;
  case 4:  argvbuf[k] = (uint64)argstr[0]; argvbuf[k + 1] = ~0UL; break;   // no end
  default: return fz.ro_zone + below(RO_BYTES);   // zeros: empty argv
  }
  return (uint64)argvbuf;
}

// Could exec run the file at path (which has no '/': relative to our directory)? Test
// ELFs are all named x*; any other file holding the ELF magic could have been written
// from a copy of one.
static int looks_like_elf(const char *path)
{
  uint magic = 0;
  if (path[0] == 'x')
    return 1;
  count(3);
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return 0;
  int r = read(fd, &magic, sizeof(magic));
  close(fd);
  return r == sizeof(magic) && magic == ELF_MAGIC;
}

// exec calls that must fail, made in this process (a success would replace us, and our
// parent would see status 42 + argc instead of what it expects).
static void op_exec_fail(void)
{
  int sim_path, elf;
  uint64 path, argv = bad_argv(PC_NSRC);
  if (chance(50) && write_elf(1, 0)) {
    path = (uint64)pathbuf;   // a good program
    elf = 1;
  } else {
    path = gen_path(1, &sim_path);
    if (sim_path == SIM_UNKNOWN)
      return;
    elf = sim_path >= 0 && looks_like_elf(simbuf);
  }
  // With a program there, only an argv the kernel cannot fetch makes exec fail. Judged
  // now that every buffer argv may point into is settled.
  int sim_args = sim_argv(argv);
  if (elf && sim_args != SIM_FAIL)
    return;
  note("exec", path, argv, sim_args);
  count(1);
  int r = exec((const char *)path, (char **)argv);
  check(r == -1, "exec that must fail did not", path, argv);
}

// exec of the test ELF, intact or broken, in a child: intact with good arguments, it
// must exit with 42 + argc; broken, it may run, fail or be killed, and nothing else.
// The child writes its own file, x<pid>, so that no later write can change what it
// runs; the parent removes the file when it reaps the child.
static void op_exec(void)
{
  if (fz.nkids >= MAXKIDS)
    return;
  int intact = chance(40);
  int argc = good_argv(below(MAXARG + 1));
  uint64 argv = (uint64)argvbuf;
  if (chance(20)) {
    argv = bad_argv(PC_NDST);
    argc = sim_argv(argv);
  }
  note("exec_child", intact, argc, 0);
  count(1);
  int pid = fork();
  if (pid == 0) {
    fz.report_fd = -1;
    if (write_elf(intact, getpid()) == 0)
      exit(ST_EXEC_NOFILE);
    exec(pathbuf, (char **)argv);
    exit(ST_EXEC_FAIL);
  }
  if (pid < 0)
    return;
  if (intact && argc >= 0)
    add_kid(pid, KID_EXEC, ST_EXEC_RAN + argc, fz.oom);
  else if (intact && argc == SIM_FAIL)
    add_kid(pid, KID_EXEC, ST_EXEC_FAIL, 0);
  else
    add_kid(pid, KID_EXEC, 0, 1);
}

// ---- Markers and round trips --------------------------------------------------------------

static void op_marker(void)
{
  char *d = append_str(pathbuf, "sysfuzz w");
  d = append_num(d, fz.worker, 10);
  d = append_str(d, " c");
  append_num(d, fz.calls, 10);
  note("marker", 0, 0, 0);
  count(3);   // open, write, close
  int r = vmtrace_mark(pathbuf);
  // It opens /dev/vmtrace, which fails when the descriptors or the file table are full.
  check(r == 0 || r == -1, "vmtrace_mark: odd result", r, 0);
}

static uchar pattern(uint64 seed, int i)
{
  return seed + i * 7 + (i >> 8) * 13;
}

// Compare n bytes at a (which we may read) with the pattern.
static void check_pattern(uint64 a, int n, uint64 seed, const char *what)
{
  for (int i = 0; i < n; i++)
    if (peek(a + i) != pattern(seed, i))
      fail(what, i, n);
}

// Grow the heap by fresh (untouched) pages for a read to land in. Returns the address
// or 0.
static uint64 fresh_pages(int npages)
{
  uint64 a = PGROUNDUP(fz.sz);
  if (sbrk_is_eager() && !fz.oom && npages * PGSIZE > EAGER_STEP)
    return 0;
  if (move_break(a + npages * PGSIZE) < 0)
    return 0;
  return a;
}

// Data written to a file must come back the same, through untouched lazy pages.
static void op_roundtrip_file(void)
{
  int n = 1 + below(3 * PGSIZE);
  uint64 seed = rnd(), src = fz.rw_zone + below(PGSIZE);
  for (int i = 0; i < n; i++)
    poke(src + i, pattern(seed, i));
  char *d = append_str(pathbuf, fz.dir);
  append_str(d, "/rt");
  note("roundtrip", n, src, 0);
  count(3);
  int fd = open(pathbuf, O_CREATE | O_RDWR | O_TRUNC);
  if (fd < 0)
    return;
  int w = write(fd, (void *)src, n);
  close(fd);
  if (w != n)
    return;   // disk full
  uint64 dst = fresh_pages(4);
  count(2);
  if (dst == 0 || (fd = open(pathbuf, O_RDONLY)) < 0)
    return;
  dst += below(PGSIZE);
  int r = read(fd, (void *)dst, n + 100);
  count(2);
  close(fd);
  // Out of memory, the lazy pages may not come: read stops at the first page it cannot
  // have, returning what it copied before that page (-1 if nothing).
  if (!(fz.oom && (r == -1 || (r > 0 && r < n))))
    check(r == n, "read back a different length than written", r, n);
  if (r > 0)
    check_pattern(dst, r, seed, "file data changed on the way");
  restore_zones();
}

// The same through a pipe of our own.
static void op_roundtrip_pipe(void)
{
  int n = 1 + below(PIPESIZE - 1);
  uint64 seed = rnd();
  for (int i = 0; i < n; i++)
    iobuf[i] = pattern(seed, i);
  note("roundtrip_pipe", n, 0, 0);
  count(1);
  if (pipe(fdsbuf) < 0)
    return;
  uint64 dst = fresh_pages(1);
  count(4);
  int w = write(fdsbuf[1], iobuf, n);
  int r = dst ? read(fdsbuf[0], (void *)dst, PGSIZE) : n;
  close(fdsbuf[0]);
  close(fdsbuf[1]);
  check(w == n, "pipe write came up short", w, n);
  if (!(r == -1 && fz.oom)) {
    check(r == n, "pipe read came up short", r, n);
    if (dst)
      check_pattern(dst, n, seed, "pipe data changed on the way");
  }
  restore_zones();
}

// Open different files until no descriptor is left: open must fill the lowest free
// slot each time and fail cleanly at the end. With every process doing this, the
// kernel holds many inodes at once.
static void op_flood(void)
{
  note("flood", 0, 0, 0);
  for (int i = 0; i <= NOFILE; i++) {
    int want = lowest_free_fd();
    char *d = append_str(pathbuf, "g");
    append_num(d, i, 10);
    count(1);
    int fd = open(pathbuf, O_CREATE | O_RDWR);
    if (fd < 0)
      break;   // no descriptor left here, the file table is full, or out of inodes
    check(fd == want, "open did not use the lowest free descriptor", fd, want);
    fz.fd[fd] = (struct fdslot){ .kind = K_FILE, .rd = 1, .wr = 1 };
  }
}

// ---- The fuzzing loop ---------------------------------------------------------------------

struct op {
  const char *name;
  void (*fn)(void);
  int weight;
};

static const struct op ops[] = {
  { "sbrk", op_sbrk, 8 },           { "touch", op_touch, 6 },
  { "retire", op_retire, 1 },       { "mempolicy", op_mempolicy, 3 },
  { "forkpolicy", op_forkpolicy, 2 },
  { "memstat", op_memstat, 4 },     { "misc", op_misc, 3 },
  { "sleep", op_sleep, 1 },         { "open", op_open, 10 },
  { "open_marker", op_open_marker, 1 }, { "close", op_close, 8 },
  { "dup", op_dup, 4 },             { "fstat", op_fstat, 5 },
  { "pipe", op_pipe, 4 },           { "read", op_read, 10 },
  { "write", op_write, 10 },        { "mkdir", op_mkdir, 3 },
  { "mknod", op_mknod, 2 },         { "unlink", op_unlink, 4 },
  { "link", op_link, 3 },           { "chdir", op_chdir, 2 },
  { "wait", op_wait, 2 },           { "kill", op_kill, 2 },
  { "fork", op_fork, 1 },           { "victim", op_victim, 1 },
  { "exec_fail", op_exec_fail, 3 }, { "exec", op_exec, 1 },
  { "marker", op_marker, 2 },       { "roundtrip_file", op_roundtrip_file, 1 },
  { "roundtrip_pipe", op_roundtrip_pipe, 1 }, { "flood", op_flood, 3 },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

static const struct op *pick_op(void)
{
  static int total;
  if (total == 0)
    for (int i = 0; i < NOPS; i++)
      total += ops[i].weight;
  int w = below(total);
  for (int i = 0; i < NOPS; i++) {
    if (w < ops[i].weight)
      return &ops[i];
    w -= ops[i].weight;
  }
  return &ops[0];
}

static int time_up(void)
{
  if (fz.deadline == 0)
    return 0;
  count(1);
  return uptime() >= fz.deadline;
}

// Keep the machine from filling up outside OOM rounds: a process holding many pages
// gives its heap back.
static void tidy(void)
{
  count(1);
  if (memstat(0, &msbuf) == 0 && msbuf.resident > RESIDENT_MAX)
    retire_heap();
}

// Fuzz until the budget or the time runs out; then reap every child and exit with the
// status the parent expects.
static void fuzz_loop(void)
{
  for (long i = 1; fz.budget > 0; i++) {
    if (i % 64 == 0 && time_up())
      break;
    if (i % 128 == 0)
      tidy();
    const struct op *op = pick_op();
    fz.op = op->name;
    op->fn();
  }
  fz.op = "finish";
  reap_all();
  quit(fz.exit_code);
}

// ---- Workers -------------------------------------------------------------------------------

static char scratch[32];   // the scratch directory, "/sfzPID"

static void worker_main(int round, int w, uint64 seed, long budget, int oom, int rfd)
{
  fz.round = round;
  fz.worker = w;
  fz.seed = fz.rng = seed;
  fz.budget = budget;
  fz.oom = oom;
  fz.report_fd = rfd;
  fz.pid = getpid();
  for (int fd = 0; fd < NOFILE; fd++) {
    fz.fd[fd].kind = (fd <= 2 || fd == rfd) ? K_RESERVED : K_FREE;
    if (fz.fd[fd].kind == K_FREE)
      close(fd);   // the main process's end of the pipe: its EOF must not wait for us
  }
  char *d = append_str(fz.dir, scratch);
  d = append_str(d, "/w");
  append_num(d, w, 10);
  fz.op = "start";
  count(3);
  if (mkdir(fz.dir) < 0 || chdir(fz.dir) < 0)
    fail("cannot make the worker's directory", 0, 0);
  if (heap_init() < 0)
    fail("cannot lay out the heap", fz.sz, 0);
  fuzz_loop();
}

// ---- The main process ------------------------------------------------------------------------

struct run {
  uint64 seed;
  long ncalls;       // calls wanted in all
  int seconds;       // 0: no time limit
  int nprocs;
  int verbose;
  int single;        // -W: one worker with exactly this seed
  int single_oom;
  uint64 wseed;
  long calls;        // calls made
  int failures;
  uint deadline;
};

// Count tokens from the workers until every writer has gone.
static void drain_tokens(int fd, struct run *run)
{
  static char buf[512];
  int n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    for (int i = 0; i < n; i++) {
      if (buf[i] == 'C')
        run->calls += 16;
      else if (buf[i] == 'c')
        run->calls++;
      else if (buf[i] == 'F')
        run->failures++;
    }
  }
}

// If the round is not over in ROUND_TICKS, say so and kill every process made since
// the main one (the machine runs nothing else meanwhile), so the run ends.
static void watchdog(int round, int main_pid)
{
  if (sleep(ROUND_TICKS) < 0)
    exit(0);
  printf("sysfuzz: FAILED (round %d did not finish in %d s: a call blocked for good)\n",
         round, ROUND_TICKS / 10);
  int last = fork();
  if (last == 0)
    exit(0);
  wait(0);
  for (int pid = main_pid + 1; pid < last; pid++)
    if (pid != getpid())
      kill(pid);
  exit(1);
}

static uint64 worker_seed(struct run *run, int round, int w)
{
  if (run->single)
    return run->wseed;
  return rng_mix(run->seed ^ rng_mix(round * 1000003UL + w));
}

static int start_workers(struct run *run, int round, long each, int oom, int rfd, int *pids)
{
  for (int w = 0; w < run->nprocs; w++) {
    pids[w] = fork();
    if (pids[w] == 0) {
      fz.verbose = run->verbose;
      fz.deadline = run->deadline;
      worker_main(round, w, worker_seed(run, round, w), each, oom, rfd);
    }
    if (pids[w] < 0)
      return w;
  }
  return run->nprocs;
}

// Wait for the workers and the watchdog; a worker must exit 0 (or ST_FAILED, already
// counted), or in an OOM round may have been killed.
static void reap_round(struct run *run, int round, int oom, int nworkers, int wd)
{
  int status;
  for (int i = 0; i < nworkers + 1; i++) {
    int pid = wait(&status);
    if (pid < 0)
      break;
    if (pid == wd) {
      if (status == 1)
        run->failures++;
      continue;
    }
    if (status == 0 || status == ST_FAILED || (status == -1 && oom))
      continue;
    printf("sysfuzz: FAILED (round %d: worker pid %d exited with status %d)\n", round, pid,
           status);
    run->failures++;
  }
}

static int run_round(struct run *run, int round, long each, int oom)
{
  int rep[2], pids[MAXWORKERS];
  if (pipe(rep) < 0)
    return -1;
  fz.report_fd = rep[1];
  int n = start_workers(run, round, each, oom, rep[1], pids);
  int main_pid = getpid(), wd = fork();
  if (wd == 0) {
    close(rep[0]);
    close(rep[1]);
    watchdog(round, main_pid);
  }
  close(rep[1]);
  drain_tokens(rep[0], run);
  close(rep[0]);
  if (wd > 0)
    kill(wd);
  reap_round(run, round, oom, n, wd);
  return n == run->nprocs ? 0 : -1;
}

// ---- Cleaning up ------------------------------------------------------------------------------

// Unlink every entry of the working directory that can go. If a non-empty directory
// is found, change into it and return 1; else 0.
static int clear_dir(void)
{
  static struct dirent de;
  static char name[DIRSIZ + 1];
  int fd = open(".", O_RDONLY), descend = 0;
  if (fd < 0)
    return -1;
  while (!descend && read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    if (unlink(name) < 0 && chdir(name) == 0)
      descend = 1;
  }
  close(fd);
  return descend;
}

// Remove the tree at root (absolute) without recursion: the user stack is one page.
static int remove_tree(const char *root)
{
  int depth = 0;
  if (chdir(root) < 0)
    return -1;
  for (int steps = 0; steps < 100000; steps++) {
    int r = clear_dir();
    if (r < 0)
      break;
    if (r == 1) {
      depth++;
      continue;
    }
    if (depth == 0)
      break;
    chdir("..");
    depth--;
  }
  chdir("/");
  return unlink(root);
}

// ---- Regression tests for kernel bugs this fuzzer found ----------------------------------------

// Processes holding many different files open at once. NFILE (100) open files may
// name 100 different inodes, but the in-memory inode table had NINODE (50) slots, and
// iget panicked when it was full: any user could crash the kernel. Now an open past
// the limit must fail cleanly.
static int regress_inodes(void)
{
  int p[2];
  char name[16];
  mkdir("/sfzri");
  if (pipe(p) < 0)
    return -1;
  for (int k = 0; k < 6; k++) {
    if (fork() == 0) {
      close(p[1]);
      for (int i = 0; i < 11; i++) {
        char *d = append_str(name, "/sfzri/");
        d = append_num(d, k, 10);
        *d++ = 'a' + i;
        *d = 0;
        open(name, O_CREATE | O_RDWR);   // -1 is fine; a panic is not
      }
      read(p[0], name, 1);   // hold them until the parent lets go
      exit(0);
    }
  }
  close(p[0]);
  sleep(5);
  close(p[1]);
  for (int k = 0; k < 6; k++)
    wait(0);
  return remove_tree("/sfzri");
}

// kill(1): init would exit, and the kernel panics ("init exiting"). It must refuse.
static int regress_killinit(void)
{
  if (kill(1) == -1)
    return 0;
  sleep(20);   // the panic comes now; let it reach the console in one piece
  return -1;
}

// A directory removed while it is some process's working directory: creating in it
// used to succeed, leaving an inode no directory names (lost on disk for good).
static int regress_rmcwd(void)
{
  if (mkdir("/sfzrc") < 0 || chdir("/sfzrc") < 0)
    return -1;
  int removed = unlink("/sfzrc");
  int fd = open("x", O_CREATE | O_RDWR);
  int dir = mkdir("y");
  chdir("/");
  if (fd >= 0)
    close(fd);
  return removed == 0 && fd < 0 && dir < 0 ? 0 : -1;
}

// The parent of a removed working directory removed too: its inode is freed on disk,
// yet the working directory's ".." still names it. Walking there used to panic the
// kernel ("ilock: inode is free on disk"; xv6's usertests unlinkcwd does this).
static int regress_rmparent(void)
{
  if (mkdir("/sfzrp") < 0 || mkdir("/sfzrp/in") < 0 || chdir("/sfzrp/in") < 0)
    return -1;
  int removed = unlink("/sfzrp/in") == 0 && unlink("/sfzrp") == 0;
  int up = open("..", O_RDONLY);
  int made = open("../x", O_CREATE | O_RDWR);
  int moved = chdir("..");
  int self = open(".", O_RDONLY);   // the removed directory itself is still there
  chdir("/");
  int fds[] = { up, made, self };
  for (int i = 0; i < 3; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  return removed && up < 0 && made < 0 && moved < 0 && self >= 0 ? 0 : -1;
}

static const struct {
  const char *name;
  int (*fn)(void);
  const char *what;
} regressions[] = {
  { "inodes", regress_inodes, "66 files open at once across 6 processes" },
  { "killinit", regress_killinit, "kill(1) is refused" },
  { "rmcwd", regress_rmcwd, "no file can be made in a removed working directory" },
  { "rmparent", regress_rmparent, "\"..\" of a removed working directory leads nowhere" },
};

#define NREGRESS (sizeof(regressions) / sizeof(regressions[0]))

static int regression(const char *name)
{
  int bad = 0, found = 0;
  for (int i = 0; i < NREGRESS; i++) {
    if (strcmp(name, "list") == 0) {
      printf("%s: %s\n", regressions[i].name, regressions[i].what);
      found = 1;
      continue;
    }
    if (strcmp(name, "all") != 0 && strcmp(name, regressions[i].name) != 0)
      continue;
    found = 1;
    int r = regressions[i].fn();
    printf("sysfuzz: regression %s: %s\n", regressions[i].name, r == 0 ? "ok" : "FAILED");
    bad |= r != 0;
  }
  if (!found)
    printf("sysfuzz: no regression test %s (-r list)\n", name);
  return found && !bad ? 0 : 1;
}

// ---- main --------------------------------------------------------------------------------------

static void usage(void)
{
  fprintf(2, "usage: sysfuzz [-s SEED] [-n CALLS] [-t SECONDS] [-p PROCS] [-v]\n"
             "               [-W WORKER_SEED [-O]] [-r TEST|all|list]\n");
  exit(2);
}

// An argument that is a number and nothing else (number_at), or usage.
static uint64 number(const char *s)
{
  const char *end;
  uint64 v = number_at(s, &end);
  if (*end)
    usage();
  return v;
}

static void parse_args(int argc, char **argv, struct run *run, char **regress)
{
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (strcmp(a, "-v") == 0) { run->verbose = 1; continue; }
    if (strcmp(a, "-O") == 0) { run->single_oom = 1; continue; }
    if (i + 1 >= argc || a[0] != '-' || a[2] != 0)
      usage();
    char *v = argv[++i];
    switch (a[1]) {
    case 's': run->seed = number(v); break;
    case 'n': run->ncalls = number(v); break;
    case 't': run->seconds = number(v); break;
    case 'p': run->nprocs = number(v); break;
    case 'W': run->single = 1; run->wseed = number(v); break;
    case 'r': *regress = v; break;
    default:  usage();
    }
  }
  if (run->nprocs < 1 || run->nprocs > MAXWORKERS || run->ncalls < 1)
    usage();
  if (run->single)
    run->nprocs = 1;
}

// Rounds until the calls or the time are used up; every fourth round (or -O) is an
// out-of-memory round. Each round must give back every page.
static void run_rounds(struct run *run, int before)
{
  for (int round = 0; run->calls < run->ncalls && run->failures == 0; round++) {
    if (run->deadline && uptime() >= run->deadline)
      break;
    long left = run->ncalls - run->calls;
    long each = (left + run->nprocs - 1) / run->nprocs;
    int oom = run->single ? run->single_oom : round % 4 == 3;
    if (each > ROUND_CALLS)
      each = ROUND_CALLS;
    long calls0 = run->calls;
    if (run_round(run, round, each, oom) < 0) {
      printf("sysfuzz: FAILED (round %d: cannot start the workers)\n", round);
      run->failures++;
    }
    // Each round starts from an empty scratch directory (and the disk stays roomy).
    if (remove_tree(scratch) < 0 || mkdir(scratch) < 0) {
      printf("sysfuzz: FAILED (round %d: cannot empty %s)\n", round, scratch);
      run->failures++;
    }
    int after = settle_freemem(before);
    printf("sysfuzz: round %d%s: %ld calls, free pages %d\n", round, oom ? " (oom)" : "",
           run->calls - calls0, after);
    if (after != before) {
      printf("sysfuzz: FAILED (round %d seed 0x%lx: %d pages leaked)\n", round, run->seed,
             before - after);
      run->failures++;
    }
    if (run->single)
      break;
  }
}

int main(int argc, char **argv)
{
  struct run run = { .seed = 1, .ncalls = 20000, .nprocs = 3 };
  char *regress = 0;
  parse_args(argc, argv, &run, &regress);
  if (regress)
    exit(regression(regress));
  fz.report_fd = -1;
  fz.op = "setup";
  if (layout_init() < 0) {
    printf("sysfuzz: FAILED (cannot learn the address space layout)\n");
    exit(1);
  }
  char *d = append_str(scratch, "/sfz");
  append_num(d, getpid(), 10);
  if (run.seconds)
    run.deadline = uptime() + run.seconds * 10;
  int before = freemem();
  if (mkdir(scratch) < 0) {
    printf("sysfuzz: FAILED (cannot make %s)\n", scratch);
    exit(1);
  }
  run_rounds(&run, before);
  if (remove_tree(scratch) < 0) {
    printf("sysfuzz: FAILED (cannot remove %s)\n", scratch);
    run.failures++;
  }
  int after = settle_freemem(before);
  printf("sysfuzz: %ld calls, seed %ld, free pages before %d after %d\n", run.calls,
         run.seed, before, after);
  if (after != before)
    run.failures++;
  if (run.failures) {
    printf("sysfuzz: FAILED (%d failures)\n", run.failures);
    exit(1);
  }
  printf("sysfuzz: OK\n");
  exit(0);
}
