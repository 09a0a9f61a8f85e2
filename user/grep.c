// grep PATTERN [FILE...]: print the lines that match PATTERN, read from each file or
// from standard input.
//
// Patterns are a small subset of regular expressions:
//   c    the character c           .    any character
//   x*   zero or more of x         ^    (first) the start of the line
//                                  $    (last)  the end of the line
// A line matches if the pattern matches anywhere in it.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"

// Lines longer than this are matched and printed in pieces of this size.
#define LINEBUF 1024

static char buf[LINEBUF + 1];   // +1 for the NUL put after each line while matching

static int match_here(const char *re, const char *text);

static int
char_matches(char pat, char c)
{
  return pat == '.' || pat == c;
}

// Matches x* followed by rest. Takes as many x as there are, then gives them back one
// at a time until rest matches what follows: the longest match that works.
static int
match_star(char x, const char *rest, const char *text)
{
  const char *t = text;

  while (*t && char_matches(x, *t))
    t++;
  for (;; t--) {
    if (match_here(rest, t))
      return 1;
    if (t == text)
      return 0;
  }
}

// Does re match a prefix of text?
static int
match_here(const char *re, const char *text)
{
  for (; re[0] != '\0'; re++, text++) {
    if (re[1] == '*')
      return match_star(re[0], re + 2, text);
    if (re[0] == '$' && re[1] == '\0')
      return *text == '\0';
    if (*text == '\0' || !char_matches(re[0], *text))
      return 0;
  }
  return 1;
}

static int
match(const char *re, const char *text)
{
  if (re[0] == '^')
    return match_here(re + 1, text);
  // Try every starting position, including the empty string at the end.
  do {
    if (match_here(re, text))
      return 1;
  } while (*text++);
  return 0;
}

// Matches line (len bytes, without its newline) and prints it if it matches.
static void
check_line(const char *re, char *line, int len)
{
  line[len] = '\0';
  if (!match(re, line))
    return;
  line[len] = '\n';
  if (write(1, line, len + 1) != len + 1) {
    fprintf(2, "grep: write error\n");
    exit(1);
  }
}

// Reads fd, handing each complete line to check_line; a partial line stays at the
// front of buf until the rest of it arrives.
static void
grep(const char *re, int fd, const char *name)
{
  int have = 0, n, start, i;

  while ((n = read(fd, buf + have, LINEBUF - have)) > 0) {
    have += n;
    start = 0;
    for (i = 0; i < have; i++) {
      if (buf[i] == '\n') {
        check_line(re, buf + start, i - start);
        start = i + 1;
      }
    }
    if (start == 0 && have == LINEBUF) {
      check_line(re, buf, have);   // no newline in a full buffer: a piece of a long line
      start = have;
    }
    memmove(buf, buf + start, have - start);
    have -= start;
  }
  if (n < 0) {
    fprintf(2, "grep: read error on %s\n", name);
    exit(1);
  }
  if (have > 0)
    check_line(re, buf, have);   // the last line had no newline
}

int
main(int argc, char *argv[])
{
  int i, fd;

  if (argc < 2) {
    fprintf(2, "usage: grep PATTERN [FILE...]\n");
    exit(1);
  }
  if (argc == 2) {
    grep(argv[1], 0, "standard input");
    exit(0);
  }
  for (i = 2; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: cannot open %s\n", argv[i]);
      exit(1);
    }
    grep(argv[1], fd, argv[i]);
    close(fd);
  }
  exit(0);
}
