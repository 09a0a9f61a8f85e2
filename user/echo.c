// echo [ARG...]: print the arguments separated by spaces, then a newline.
#include "kernel/types.h"
#include "user/user.h"
#include "user/printf_check.h"

// The line is built up and written in as few write() calls as possible, so that an echo
// running beside other programs does not have its words split up on the console.
static char buf[512];
static int len;

static void
flush(void)
{
  if (len > 0 && write(1, buf, len) != len) {
    fprintf(2, "echo: write error\n");
    exit(1);
  }
  len = 0;
}

static void
add(const char *s)
{
  for (; *s; s++) {
    if (len == sizeof buf)
      flush();
    buf[len++] = *s;
  }
}

int
main(int argc, char *argv[])
{
  int i;

  for (i = 1; i < argc; i++) {
    add(argv[i]);
    add(i + 1 < argc ? " " : "");
  }
  add("\n");
  flush();
  exit(0);
}
