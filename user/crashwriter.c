// crashwriter: file-system writers for the crash test (tools/systest/crashtest.py), which
// kills the machine at a random moment while they run and then checks the disk.
//
//   crashwriter SEED
//
// Five writer processes run until the machine dies, each kind of change the file
// system makes:
//   grow    appends to /g.N (reopened each time, read to its end, one chunk written)
//           until it holds GROW_MAX bytes, then starts /g.N+1; stops growing at GROW_FILES
//   keep    creates /k.N of a random size (0 to 14 blocks: the indirect block too),
//           written in random chunks; at most KEEP_FILES
//   dirs    makes /d.N holding files /d.N/f.M; at most DIR_COUNT directories
//   temp    creates /t.P.N (P its pid), gives it a second name /r.P.N (link), removes
//           /t.P.N, and removes /r.P.N-3: files created and removed, and xv6's rename
//   orphan  makes /od.N its cwd and removes it, then opens /o.N, unlinks it while open,
//           and keeps writing to it: whenever the machine dies there is an open file
//           with no name holding blocks, and a directory with no name (the cwd)
// A writer done with its own budget goes on as a temp writer, so the disk keeps changing
// without filling. Every file's bytes come from its key (content_byte), so the host can
// tell what each must hold. After each close returns, the writer prints
//   cw: closed PATH LENGTH KEY KIND
// with KEY in hex and KIND "grow" (kept; at least LENGTH bytes, all from KEY), "keep"
// (kept; exactly LENGTH bytes) or "temp" (may be removed later: absent, or exactly
// LENGTH bytes), and after a rename "cw: renamed OLD NEW". A close that returned has
// committed (kernel/log.c), so the host may hold the disk to every line it saw.
// Anything unexpected prints a FAILED line (the runner then fails) and ends the writer.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"      // BSIZE
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "user/testlib/testlib.h"

#define GROW_MAX    (40 * BSIZE)
#define GROW_FILES  4
#define KEEP_FILES  24
#define KEEP_MAX    (14 * BSIZE)
#define DIR_COUNT   8
#define DIR_FILES   4
#define TEMP_MAX    (8 * BSIZE)
#define TEMP_ALIVE  3     // renamed temp files left before the oldest is removed
#define ORPHAN_MAX  (24 * BSIZE)
#define CHUNK_MAX   2500  // bytes per write(): straddles blocks

static uint64 rng;        // this writer's random state
static char buf[CHUNK_MAX];

// Byte i of every file whose key is key: byte i % 8 of word i / 8, a mix of the key and
// the word's number. The host's copy: tools/systest/crashtest.py.
static uchar
content_byte(uint key, uint i)
{
  return rng_mix((uint64)key << 32 | i / 8) >> (8 * (i % 8));
}

static uint
random_below(uint n)
{
  return rng_next(&rng) % n;
}

static void
fail(const char *what, const char *path)
{
  printf("crashwriter: FAILED %s %s\n", what, path);
  exit(1);
}

// path = prefix + n (+ suffix + m when suffix is not 0); path has room for 32 bytes.
static void
name(char *path, const char *prefix, int n, const char *suffix, int m)
{
  char *p = append_num(append_str(path, prefix), n, 10);
  if (suffix)
    append_num(append_str(p, suffix), m, 10);
}

// Write len bytes of key's content at file offset off, in random chunks.
static void
write_content(int fd, uint key, uint off, uint len, const char *path)
{
  while (len > 0) {
    uint n = 1 + random_below(CHUNK_MAX);
    if (n > len)
      n = len;
    for (uint i = 0; i < n; i++)
      buf[i] = content_byte(key, off + i);
    if (write(fd, buf, n) != n)
      fail("write to", path);
    off += n;
    len -= n;
  }
}

static void
closed(int fd, const char *path, uint len, uint key, const char *kind)
{
  if (close(fd) < 0)
    fail("close of", path);
  printf("cw: closed %s %u %x %s\n", path, len, key, kind);
}

// A new file at path of a random size below max; prints its line as kind.
static void
create_file(const char *path, uint max, const char *kind)
{
  int fd = open(path, O_CREATE | O_TRUNC | O_WRONLY);
  if (fd < 0)
    fail("create of", path);
  uint key = rng_next(&rng), len = random_below(max + 1);
  write_content(fd, key, 0, len, path);
  closed(fd, path, len, key, kind);
}

// ---- The writers --------------------------------------------------------------------

static void temp_forever(void);

static void
grow(void)
{
  char path[32];
  for (int n = 0; n < GROW_FILES; n++) {
    name(path, "/g.", n, 0, 0);
    uint key = rng_next(&rng);
    uint size = 0;
    while (size < GROW_MAX) {
      int fd = open(path, O_CREATE | O_RDWR);
      if (fd < 0)
        fail("open of", path);
      int r;
      uint at = 0;
      while ((r = read(fd, buf, sizeof buf)) > 0)   // to the end: xv6 has no lseek
        at += r;
      if (r < 0 || at != size)
        fail("read back of", path);
      uint more = 1 + random_below(3 * BSIZE);
      write_content(fd, key, size, more, path);
      size += more;
      closed(fd, path, size, key, "grow");
    }
  }
  temp_forever();
}

static void
keep(void)
{
  char path[32];
  for (int n = 0; n < KEEP_FILES; n++) {
    name(path, "/k.", n, 0, 0);
    create_file(path, KEEP_MAX, "keep");
  }
  temp_forever();
}

static void
dirs(void)
{
  char path[32];
  for (int n = 0; n < DIR_COUNT; n++) {
    name(path, "/d.", n, 0, 0);
    if (mkdir(path) < 0)
      fail("mkdir", path);
    for (int m = 0; m < DIR_FILES; m++) {
      name(path, "/d.", n, "/f.", m);
      create_file(path, 5 * BSIZE, "keep");
    }
  }
  temp_forever();
}

// Create, rename (link, unlink), and remove what was renamed TEMP_ALIVE rounds ago.
// Names carry the process id: writers that finished their budget all end up here.
static void
temp_forever(void)
{
  char tpath[32], rpath[32];
  int pid = getpid();
  for (int n = 0;; n++) {
    name(tpath, "/t.", pid, ".", n);
    name(rpath, "/r.", pid, ".", n);
    create_file(tpath, TEMP_MAX, "temp");
    if (link(tpath, rpath) < 0 || unlink(tpath) < 0)
      fail("rename of", tpath);
    printf("cw: renamed %s %s\n", tpath, rpath);
    if (n >= TEMP_ALIVE) {
      name(rpath, "/r.", pid, ".", n - TEMP_ALIVE);
      if (unlink(rpath) < 0)
        fail("unlink of", rpath);
    }
  }
}

static void
orphan(void)
{
  char path[32];
  for (int n = 0;; n++) {
    name(path, "/od.", n, 0, 0);
    if (mkdir(path) < 0 || chdir(path) < 0 || unlink(path) < 0)
      fail("cwd removal of", path);
    name(path, "/o.", n, 0, 0);
    int fd = open(path, O_CREATE | O_TRUNC | O_RDWR);
    if (fd < 0)
      fail("create of", path);
    if (unlink(path) < 0)
      fail("unlink of", path);
    write_content(fd, rng_next(&rng), 0, ORPHAN_MAX, path);
    if (close(fd) < 0 || chdir("/") < 0)
      fail("close of", path);
  }
}

int
main(int argc, char *argv[])
{
  if (argc != 2) {
    fprintf(2, "usage: crashwriter SEED\n");
    exit(2);
  }
  uint64 seed = number_at(argv[1], 0);
  void (*writer[])(void) = {grow, keep, dirs, temp_forever, orphan};
  int n = sizeof(writer) / sizeof(writer[0]);
  printf("cw: start seed %d, %d writers\n", (int)seed, n);
  for (int i = 0; i < n; i++) {
    int pid = fork();
    if (pid < 0)
      fail("fork", "");
    if (pid == 0) {
      rng = rng_mix(seed * 16 + i);
      writer[i]();
      exit(0);
    }
  }
  // Writers end only by failing (each prints its FAILED line) or with the machine.
  for (int i = 0; i < n; i++)
    wait(0);
  printf("crashwriter: FAILED: every writer ended\n");
  exit(1);
}
