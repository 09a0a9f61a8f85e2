// Kernel printf and panic. Output goes straight to the UART (consputc), so it works
// with interrupts off and from interrupt handlers.
#include <stdarg.h>
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "kernel/console.h"
#include "kernel/printf.h"

volatile int panicked = 0;

// One lock keeps lines from different harts apart; panic skips it (the holder may be
// the hart that is panicking).
static struct {
  struct spinlock lock;
  int locking;
} pr;

static const char digits[] = "0123456789abcdef";

static void print_unsigned(uint64 x, int base)
{
  char buf[20];
  int i = 0;
  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while (x != 0);
  while (--i >= 0)
    consputc(buf[i]);
}

static void print_signed(long x)
{
  if (x < 0) {
    consputc('-');
    print_unsigned(-(uint64)x, 10);
  } else {
    print_unsigned(x, 10);
  }
}

static void print_string(const char *s)
{
  for (s = s ? s : "(null)"; *s; s++)
    consputc(*s);
}

// Print one conversion; fmt points just past the '%'. Returns how many format
// characters it consumed.
static int print_one(const char *fmt, va_list *ap)
{
  int is_long = 0;
  int used = 0;
  while (fmt[used] == 'l') {
    is_long = 1;
    used++;
  }
  switch (fmt[used]) {
  case 'd': print_signed(is_long ? va_arg(*ap, long) : va_arg(*ap, int)); break;
  case 'u': print_unsigned(is_long ? va_arg(*ap, uint64) : va_arg(*ap, uint), 10); break;
  case 'x': print_unsigned(is_long ? va_arg(*ap, uint64) : va_arg(*ap, uint), 16); break;
  case 'p':
    print_string("0x");
    print_unsigned((uint64)va_arg(*ap, void *), 16);
    break;
  case 's': print_string(va_arg(*ap, const char *)); break;
  case 'c': consputc(va_arg(*ap, int)); break;
  case '%': consputc('%'); break;
  case 0: return used;   // a lone '%' at the end
  default:               // unknown: show it as written
    consputc('%');
    consputc(fmt[used]);
    break;
  }
  return used + 1;
}

int printf(const char *fmt, ...)
{
  va_list ap;
  int locking = pr.locking;
  if (locking)
    acquire(&pr.lock);
  va_start(ap, fmt);
  for (const char *p = fmt; *p; ) {
    if (*p != '%') {
      consputc(*p++);
      continue;
    }
    p++;
    p += print_one(p, &ap);
  }
  va_end(ap);
  if (locking)
    release(&pr.lock);
  return 0;
}

void panic(const char *msg)
{
  pr.locking = 0;
  printf("panic: %s\n", msg);
  panicked = 1;   // freezes output from the other harts
  for (;;)
    ;
}

void printfinit(void)
{
  initlock(&pr.lock, "pr");
  pr.locking = 1;
}
