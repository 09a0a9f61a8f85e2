// printf and fprintf for user programs.
//
// Conversions: %d %u %x %p %s %c %%, with l or ll before d, u, x for 64-bit values,
// and an optional '-', '0' and field width (%5d, %-14s, %08x).
//
// Output is collected in a buffer and written with one write() per call when it fits.
// The console prints each write() as a unit, so lines from processes running at the
// same time come out whole instead of mixed character by character.
#include <stdarg.h>

#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

#define OUTBUF 256   // bytes; most lines fit, and it stays small on a one-page stack

struct out {
  int fd;
  int len;
  char buf[OUTBUF];
};

static void
flush(struct out *o)
{
  if (o->len > 0)
    write(o->fd, o->buf, o->len);
  o->len = 0;
}

static void
put(struct out *o, char c)
{
  if (o->len == OUTBUF)
    flush(o);
  o->buf[o->len++] = c;
}

static void
put_repeat(struct out *o, char c, int n)
{
  while (n-- > 0)
    put(o, c);
}

// A parsed conversion: %[-][0][width][l|ll]verb.
struct spec {
  int left;     // '-': pad on the right
  int zero;     // '0': pad numbers with zeros instead of spaces
  int width;    // minimum field width
  int longs;    // number of 'l's
};

// Pads s (n bytes, of which the first sign_len are a sign or prefix that zero padding
// goes after) to the field width.
static void
put_field(struct out *o, const struct spec *sp, const char *s, int n, int sign_len)
{
  int pad = sp->width > n ? sp->width - n : 0;
  int i = 0;

  if (sp->left) {
    for (; i < n; i++)
      put(o, s[i]);
    put_repeat(o, ' ', pad);
    return;
  }
  if (sp->zero) {
    for (; i < sign_len; i++)
      put(o, s[i]);
    put_repeat(o, '0', pad);
  } else {
    put_repeat(o, ' ', pad);
  }
  for (; i < n; i++)
    put(o, s[i]);
}

// Formats an unsigned value; neg puts a '-' before it, prefix "0x" for %p.
static void
put_number(struct out *o, const struct spec *sp, uint64 v, int base, int neg,
           const char *prefix)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[24];   // 64-bit value in decimal is 20 digits, plus sign or "0x"
  char s[24];
  int t = 0, n = 0, sign_len;

  do {
    tmp[t++] = digits[v % base];
    v /= base;
  } while (v != 0);

  if (neg)
    s[n++] = '-';
  while (prefix && *prefix)
    s[n++] = *prefix++;
  sign_len = n;
  while (t > 0)
    s[n++] = tmp[--t];
  put_field(o, sp, s, n, sign_len);
}

static void
put_signed(struct out *o, const struct spec *sp, long v)
{
  // Negating in unsigned arithmetic also handles the most negative value.
  if (v < 0)
    put_number(o, sp, -(uint64)v, 10, 1, 0);
  else
    put_number(o, sp, v, 10, 0, 0);
}

static void
put_string(struct out *o, const struct spec *sp, const char *s)
{
  struct spec nozero = *sp;

  if (s == 0)
    s = "(null)";
  nozero.zero = 0;
  put_field(o, &nozero, s, strlen(s), 0);
}

// Reads the flags, width and length of a conversion; returns the verb's position.
static const char *
parse_spec(const char *fmt, struct spec *sp)
{
  memset(sp, 0, sizeof *sp);
  for (;; fmt++) {
    if (*fmt == '-')
      sp->left = 1;
    else if (*fmt == '0')
      sp->zero = 1;
    else
      break;
  }
  while (*fmt >= '0' && *fmt <= '9')
    sp->width = sp->width * 10 + (*fmt++ - '0');
  while (*fmt == 'l') {
    sp->longs++;
    fmt++;
  }
  return fmt;
}

// Takes an integer argument of the size the conversion names. A va_list is passed by
// pointer because it may be an array type that does not survive being copied.
static uint64
arg_unsigned(const struct spec *sp, va_list *ap)
{
  return sp->longs ? va_arg(*ap, uint64) : va_arg(*ap, uint);
}

static long
arg_signed(const struct spec *sp, va_list *ap)
{
  return sp->longs ? va_arg(*ap, long) : va_arg(*ap, int);
}

// Handles one conversion. An unknown verb is printed as written so that a typo in a
// format string is visible in the output rather than silently dropped.
static void
convert(struct out *o, char verb, const struct spec *sp, va_list *ap)
{
  char c;

  switch (verb) {
  case 'd':
    put_signed(o, sp, arg_signed(sp, ap));
    break;
  case 'u':
    put_number(o, sp, arg_unsigned(sp, ap), 10, 0, 0);
    break;
  case 'x':
    put_number(o, sp, arg_unsigned(sp, ap), 16, 0, 0);
    break;
  case 'p': {
    struct spec full = { .zero = 1, .width = 18 };   // 0x and 16 digits, as xv6 prints
    put_number(o, &full, (uint64)va_arg(*ap, void *), 16, 0, "0x");
    break;
  }
  case 's':
    put_string(o, sp, va_arg(*ap, const char *));
    break;
  case 'c':
    c = (char)va_arg(*ap, int);
    put_field(o, sp, &c, 1, 0);
    break;
  case '%':
    put(o, '%');
    break;
  default:
    put(o, '%');
    put(o, verb);
    break;
  }
}

static void
vformat(struct out *o, const char *fmt, va_list ap)
{
  struct spec sp;
  va_list args;

  va_copy(args, ap);
  while (*fmt) {
    if (*fmt != '%') {
      put(o, *fmt++);
      continue;
    }
    fmt = parse_spec(fmt + 1, &sp);
    if (*fmt == '\0') {   // a lone '%' at the end
      put(o, '%');
      break;
    }
    convert(o, *fmt++, &sp, &args);
  }
  va_end(args);
}

void
fprintf(int fd, const char *fmt, ...)
{
  struct out o;   // no initialiser: zeroing the buffer would be wasted work
  va_list ap;

  o.fd = fd;
  o.len = 0;
  va_start(ap, fmt);
  vformat(&o, fmt, ap);
  va_end(ap);
  flush(&o);
}

void
printf(const char *fmt, ...)
{
  struct out o;
  va_list ap;

  o.fd = 1;
  o.len = 0;
  va_start(ap, fmt);
  vformat(&o, fmt, ap);
  va_end(ap);
  flush(&o);
}
