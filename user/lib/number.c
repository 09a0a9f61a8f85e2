// Numbers in text, both ways: reading command-line arguments and the status of
// /dev/vmtracectl; building file names and device commands without printf.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"

uint64 number_at(const char *s, const char **end)
{
  int base = 10;
  uint64 v = 0;
  if (s[0] == '0' && s[1] == 'x') {
    base = 16;
    s += 2;
  }
  for (;; s++) {
    int d = (*s >= '0' && *s <= '9') ? *s - '0'
          : (base == 16 && *s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : -1;
    if (d < 0)
      break;
    v = v * base + d;
  }
  if (end)
    *end = s;
  return v;
}

char *append_str(char *d, const char *s)
{
  while (*s)
    *d++ = *s++;
  *d = 0;
  return d;
}

char *append_num(char *d, uint64 n, int base)
{
  char digits[24];
  int i = 0;
  do {
    digits[i++] = "0123456789abcdef"[n % base];
    n /= base;
  } while (n);
  if (base == 16)
    d = append_str(d, "0x");
  while (i > 0)
    *d++ = digits[--i];
  *d = 0;
  return d;
}
