// The console device: keyboard input with line editing, output to the UART.
//
// Input is cooked a line at a time: read() returns only once a whole line (or ^D) has
// been typed, so the shell sees edited lines. Editing keys:
//   backspace / DEL  erase a character      ^U  erase the line
//   ^D               end of file            ^P  list processes (procdump)
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/proc.h"
#include "kernel/file.h"
#include "kernel/usercopy.h"
#include "kernel/uart.h"
#include "kernel/console.h"

#define CTRL(x) ((x) - '@')
#define BACKSPACE 0x100   // consputc: erase the previous character on screen

// Big enough for the longest line sh accepts (512), typed at once by a script.
#define INPUT_BUF 1024

static struct {
  struct spinlock lock;
  char buf[INPUT_BUF];
  uint r;   // next byte read() returns
  uint w;   // end of the lines handed to read()
  uint e;   // end of the line being edited
} cons;

void consputc(int c)
{
  if (c == BACKSPACE) {
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

// One write() reaches the screen in one piece: a process's line is not interleaved
// character by character with another's.
static struct sleeplock write_lock;

static int console_write(int user_src, uint64 src, int n)
{
  int i;
  acquiresleep(&write_lock);
  for (i = 0; i < n; i++) {
    char c;
    if (either_copyin(&c, user_src, src + i, 1) < 0)
      break;
    uartputc(c);
  }
  releasesleep(&write_lock);
  return i;
}

// Wait for a complete line, then return up to n bytes of it. ^D ends the read; at the
// start of a read it is consumed and read() returns 0 (end of file).
static int console_read(int user_dst, uint64 dst, int n, uint off)
{
  int want = n;
  acquire(&cons.lock);
  while (n > 0) {
    while (cons.r == cons.w) {
      if (killed(myproc())) {
        release(&cons.lock);
        return -1;
      }
      sleep(&cons.r, &cons.lock);
    }
    char c = cons.buf[cons.r % INPUT_BUF];
    cons.r++;
    if (c == CTRL('D')) {
      if (n < want)
        cons.r--;   // leave it, so the next read() returns 0
      break;
    }
    if (either_copyout(user_dst, dst, &c, 1) < 0)
      break;
    dst++;
    n--;
    if (c == '\n')
      break;
  }
  release(&cons.lock);
  return want - n;
}

// Apply one editing key or buffer one ordinary character. Caller holds cons.lock.
static void console_edit(int c)
{
  switch (c) {
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF] != '\n') {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if (cons.e != cons.w) {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if (c == 0 || cons.e - cons.r >= INPUT_BUF)
      break;
    c = (c == '\r') ? '\n' : c;
    consputc(c);
    cons.buf[cons.e++ % INPUT_BUF] = c;
    if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF) {
      cons.w = cons.e;   // hand the line to read()
      wakeup(&cons.r);
    }
    break;
  }
}

void consoleintr(int c)
{
  if (c == CTRL('P')) {
    procdump();   // without cons.lock: procdump prints, and printing may need the UART
    return;
  }
  acquire(&cons.lock);
  console_edit(c);
  release(&cons.lock);
}

void consoleinit(void)
{
  initlock(&cons.lock, "cons");
  initsleeplock(&write_lock, "console write");
  uartinit();
  devsw[CONSOLE].read = console_read;
  devsw[CONSOLE].write = console_write;
}
