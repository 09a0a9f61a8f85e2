// wc [FILE...]: count lines, words and bytes in each file, or in standard input.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"

static char buf[512];

struct counts {
  int lines, words, bytes;
};

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

// A word is a maximal run of non-space bytes. in_word carries across reads, so a word
// split between two buffers is counted once.
static void
count(int fd, const char *name, struct counts *c)
{
  int n, i, in_word = 0;

  while ((n = read(fd, buf, sizeof buf)) > 0) {
    c->bytes += n;
    for (i = 0; i < n; i++) {
      if (buf[i] == '\n')
        c->lines++;
      if (is_space(buf[i])) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        c->words++;
      }
    }
  }
  if (n < 0) {
    fprintf(2, "wc: read error on %s\n", name);
    exit(1);
  }
}

// name is 0 for standard input.
static void
report(const struct counts *c, const char *name)
{
  if (name)
    printf("%d %d %d %s\n", c->lines, c->words, c->bytes, name);
  else
    printf("%d %d %d\n", c->lines, c->words, c->bytes);
}

int
main(int argc, char *argv[])
{
  struct counts c = { 0, 0, 0 }, total = { 0, 0, 0 };
  int i, fd;

  if (argc < 2) {
    count(0, "standard input", &c);
    report(&c, 0);
    exit(0);
  }
  for (i = 1; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: cannot open %s\n", argv[i]);
      exit(1);
    }
    c = (struct counts){ 0, 0, 0 };
    count(fd, argv[i], &c);
    close(fd);
    report(&c, argv[i]);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (argc > 2)
    report(&total, "total");
  exit(0);
}
