// The small C library every user program links against: the program entry point and
// string, memory and file helpers. System calls themselves are the stubs in build/user/usys.S
// (generated from kernel/syscall.h).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"

int main(int argc, char *argv[]);

// The ELF entry point (user/user.ld). exec starts a program here with argc in a0 and
// argv in a1, which is exactly how main expects them. Programs may return from main
// instead of calling exit; without this wrapper that return would jump to address 0.
void
_main(int argc, char *argv[])
{
  exit(main(argc, argv));
}

// ---- Strings -------------------------------------------------------------------------

uint
strlen(const char *s)
{
  uint n = 0;

  while (s[n])
    n++;
  return n;
}

char *
strcpy(char *dst, const char *src)
{
  char *d = dst;

  while ((*d++ = *src++) != 0)
    ;
  return dst;
}

// Returns 0 when c is not in s. Searching for '\0' finds nothing, as in xv6.
char *
strchr(const char *s, char c)
{
  for (; *s; s++)
    if (*s == c)
      return (char *)s;
  return 0;
}

// Compares as unsigned char, so a byte >= 0x80 sorts after ASCII as in the C library.
int
strcmp(const char *p, const char *q)
{
  while (*p && *p == *q) {
    p++;
    q++;
  }
  return (uchar)*p - (uchar)*q;
}

// Optional '-', then decimal digits; stops at the first non-digit.
int
atoi(const char *s)
{
  int sign = 1;
  int n = 0;

  if (*s == '-') {
    sign = -1;
    s++;
  }
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return sign * n;
}

// ---- Memory --------------------------------------------------------------------------
// GCC at -O2 recognises a byte-copy or byte-fill loop and may replace it with a call to
// memcpy or memset, which inside those very functions would recurse forever. Turning
// that transformation off for these functions keeps them plain loops.
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;

  while (n-- > 0)
    *d++ = (uchar)c;
  return dst;
}

NO_LIBCALL int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;

  for (; n > 0; n--, p++, q++)
    if (*p != *q)
      return *p - *q;
  return 0;
}

// The regions may overlap: when dst is above src, copying from the front would
// overwrite source bytes before they are read, so then copy from the back.
NO_LIBCALL static void *
move_bytes(void *dst, const void *src, uint n)
{
  uchar *d = dst;
  const uchar *s = src;

  if (d <= s || d >= s + n) {
    while (n-- > 0)
      *d++ = *s++;
  } else {
    d += n;
    s += n;
    while (n-- > 0)
      *--d = *--s;
  }
  return dst;
}

// xv6 gives memmove an int length; a negative one moves nothing.
void *
memmove(void *dst, const void *src, int n)
{
  if (n <= 0)
    return dst;
  return move_bytes(dst, src, n);
}

// The compiler also calls memcpy for structure copies. Sharing memmove's code costs one
// comparison and makes an overlapping call (undefined in C) harmless.
void *
memcpy(void *dst, const void *src, uint n)
{
  return move_bytes(dst, src, n);
}

// ---- Files ---------------------------------------------------------------------------

// Reads one line from fd 0, one byte at a time so that nothing past the newline is
// consumed (a parent and a child may share the same input). The newline is kept; at
// most max-1 bytes are stored; the result is always NUL-terminated, empty at end of file.
char *
gets(char *buf, int max)
{
  int i = 0;
  char c;

  while (i + 1 < max) {
    if (read(0, &c, 1) != 1)
      break;
    buf[i++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[i] = '\0';
  return buf;
}

// Opening for reading is how to name a file by path for fstat; no separate system call.
int
stat(const char *path, struct stat *st)
{
  int fd, r;

  fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  r = fstat(fd, st);
  close(fd);
  return r;
}
