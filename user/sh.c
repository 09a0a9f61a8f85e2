// sh: the shell.
//
//   cmd args...      run a program            a | b        pipe a's output into b
//   cmd < file       read stdin from file     a ; b        run a, then b
//   cmd > file       write stdout to file     a & b        start a in the background, run b
//   cmd >> file      append stdout to file    ( a ; b )    group commands (a subshell)
//   'a b' "a b"      one word with a space    # ...        comment to the end of the line
//   cd dir           built in: change the shell's own directory
//
// A program name without '/' is looked for in the current directory, then in /.
// `sh FILE` runs the commands in FILE; the prompt "$ " appears only on the console.
//
// Each line goes through three steps, each its own section below:
//   lex:   the line becomes a list of tokens (words and operators);
//   parse: the tokens become a tree of commands, checked before anything runs;
//   run:   the tree is walked, forking a process wherever a program must run.
// A line that does not parse is reported and nothing of it runs.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/printf_check.h"

#define LINEMAX 512   // longest input line, newline included
#define NNODES  64    // command tree nodes one line may use

// ---- Lex ------------------------------------------------------------------------------

enum tokkind { T_END, T_WORD, T_PIPE, T_SEMI, T_AMP, T_LPAREN, T_RPAREN, T_IN, T_OUT,
               T_APPEND };

struct token {
  enum tokkind kind;
  char *word;   // T_WORD only
};

// A line of n bytes has at most n tokens plus T_END, and its words (quotes removed,
// each NUL-terminated) need at most 2n bytes.
static struct token tokens[LINEMAX + 1];
static char words[2 * LINEMAX];

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

static int
is_operator(char c)
{
  return strchr("|;&()<>", c) != 0;
}

static enum tokkind
operator_kind(char c)
{
  switch (c) {
  case '|': return T_PIPE;
  case ';': return T_SEMI;
  case '&': return T_AMP;
  case '(': return T_LPAREN;
  case ')': return T_RPAREN;
  case '<': return T_IN;
  default:  return T_OUT;
  }
}

// Copies one word starting at *sp into *wp, dropping quote characters; inside quotes,
// spaces and operators are ordinary characters. Returns 0 on an unterminated quote.
static int
lex_word(const char **sp, char **wp)
{
  const char *s = *sp;
  char *w = *wp;
  char quote = 0;

  for (; *s; s++) {
    if (quote) {
      if (*s == quote)
        quote = 0;
      else
        *w++ = *s;
    } else if (*s == '\'' || *s == '"') {
      quote = *s;
    } else if (is_space(*s) || is_operator(*s)) {
      break;
    } else {
      *w++ = *s;
    }
  }
  if (quote) {
    fprintf(2, "sh: missing closing %c\n", quote);
    return 0;
  }
  *w++ = '\0';
  *sp = s;
  *wp = w;
  return 1;
}

// Splits line into tokens[], ending with T_END. Returns 0 after reporting an error.
static int
lex(const char *s)
{
  struct token *t = tokens;
  char *w = words;

  for (;;) {
    while (is_space(*s))
      s++;
    if (*s == '\0' || *s == '#')
      break;
    if (is_operator(*s)) {
      t->kind = operator_kind(*s);
      if (s[0] == '>' && s[1] == '>') {
        t->kind = T_APPEND;
        s++;
      }
      s++;
    } else {
      t->kind = T_WORD;
      t->word = w;
      if (!lex_word(&s, &w))
        return 0;
    }
    t++;
  }
  t->kind = T_END;
  return 1;
}

// ---- Parse ----------------------------------------------------------------------------
//
// Grammar (what binds tighter is lower down):
//   list     = pipeline [ (';' | '&') [ list ] ]
//   pipeline = command [ '|' pipeline ]
//   command  = ( '(' list ')' | word ) { word | redirection }      (any order)
//   redirection = ('<' | '>' | '>>') word
// so `a | b & c` runs the pipeline a | b in the background and then c.

enum cmdkind { C_EXEC, C_REDIR, C_PIPE, C_LIST, C_BACK };

struct cmd {
  enum cmdkind kind;
  char *argv[MAXARG + 1];      // C_EXEC: program and arguments, 0-terminated
  struct cmd *sub;             // C_REDIR, C_BACK: the command they apply to
  char *file;                  // C_REDIR: which file,
  int fd;                      //   onto which descriptor,
  int mode;                    //   opened how (open() flags),
  int append;                  //   and whether to start at its end
  struct cmd *left, *right;    // C_PIPE, C_LIST
};

static struct cmd nodes[NNODES];
static int nnodes;
static struct token *tok;   // the next token to parse
static int parse_failed;    // an error was reported; stop and report nothing more

static struct cmd *parse_list(void);

// Reports the first syntax error of a line; later ones are usually its echoes.
static struct cmd *
fail(const char *msg)
{
  if (!parse_failed)
    fprintf(2, "sh: %s\n", msg);
  parse_failed = 1;
  return 0;
}

static struct cmd *
unexpected(void)
{
  static const char *names[] = {
    [T_END] = "end of line", [T_WORD] = "word", [T_PIPE] = "|", [T_SEMI] = ";",
    [T_AMP] = "&", [T_LPAREN] = "(", [T_RPAREN] = ")", [T_IN] = "<", [T_OUT] = ">",
    [T_APPEND] = ">>",
  };

  if (!parse_failed)
    fprintf(2, "sh: syntax error near %s\n",
            tok->kind == T_WORD ? tok->word : names[tok->kind]);
  parse_failed = 1;
  return 0;
}

static struct cmd *
new_node(enum cmdkind kind)
{
  struct cmd *c;

  if (nnodes == NNODES)
    return fail("command too long");
  c = &nodes[nnodes++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  return c;
}

static struct cmd *
new_pair(enum cmdkind kind, struct cmd *left, struct cmd *right)
{
  struct cmd *c = new_node(kind);

  if (c) {
    c->left = left;
    c->right = right;
  }
  return c;
}

static int
is_redirection(enum tokkind k)
{
  return k == T_IN || k == T_OUT || k == T_APPEND;
}

// Parses one redirection at tok into a C_REDIR node (its sub is filled in later).
static struct cmd *
parse_redirection(void)
{
  enum tokkind k = tok->kind;
  struct cmd *r;

  tok++;
  if (tok->kind != T_WORD)
    return unexpected();
  r = new_node(C_REDIR);
  if (r == 0)
    return 0;
  r->file = tok->word;
  tok++;
  if (k == T_IN) {
    r->fd = 0;
    r->mode = O_RDONLY;
  } else if (k == T_OUT) {
    r->fd = 1;
    r->mode = O_WRONLY | O_CREATE | O_TRUNC;
  } else {
    // No O_APPEND: open for reading too, so the runner can read its way to the end.
    r->fd = 1;
    r->mode = O_RDWR | O_CREATE;
    r->append = 1;
  }
  return r;
}

// Parses the words and redirections of a command, in any order, and returns the
// command wrapped in its redirections. body is either a fresh C_EXEC node for the words
// to fill, or a parsed group `( ... )`, after which only redirections may follow.
// Redirections wrap the command in the order written, the first outermost: it is
// applied first, so in `cmd > a > b` the later one wins, as in other shells.
static struct cmd *
parse_words(struct cmd *body, int words_allowed)
{
  struct cmd *top = 0, **hole = &top, *r;
  int argc = 0;

  for (;;) {
    if (tok->kind == T_WORD && words_allowed) {
      if (argc == MAXARG)
        return fail("too many arguments");
      body->argv[argc++] = tok->word;
      tok++;
    } else if (is_redirection(tok->kind)) {
      r = parse_redirection();
      if (r == 0)
        return 0;
      *hole = r;
      hole = &r->sub;
    } else {
      break;
    }
  }
  if (words_allowed && argc == 0 && top == 0)
    return unexpected();
  *hole = body;
  return top;
}

static struct cmd *
parse_command(void)
{
  struct cmd *c;

  if (tok->kind == T_LPAREN) {
    tok++;
    c = parse_list();
    if (c == 0)
      return 0;
    if (tok->kind != T_RPAREN)
      return unexpected();
    tok++;
    return parse_words(c, 0);
  }
  c = new_node(C_EXEC);
  if (c == 0)
    return 0;
  return parse_words(c, 1);
}

static struct cmd *
parse_pipeline(void)
{
  struct cmd *left, *right;

  left = parse_command();
  if (left == 0 || tok->kind != T_PIPE)
    return left;
  tok++;
  right = parse_pipeline();
  if (right == 0)
    return 0;
  return new_pair(C_PIPE, left, right);
}

static struct cmd *
parse_list(void)
{
  struct cmd *c, *rest;

  c = parse_pipeline();
  if (c == 0)
    return 0;
  if (tok->kind == T_AMP) {
    struct cmd *b = new_node(C_BACK);
    if (b == 0)
      return 0;
    b->sub = c;
    c = b;
  } else if (tok->kind != T_SEMI) {
    return c;
  }
  tok++;
  if (tok->kind == T_END || tok->kind == T_RPAREN)
    return c;   // a trailing ';' or '&'
  rest = parse_list();
  if (rest == 0)
    return 0;
  return new_pair(C_LIST, c, rest);
}

// Returns the command tree of line, or 0 for an empty line or after reporting an error.
static struct cmd *
parse(const char *line)
{
  struct cmd *c;

  nnodes = 0;
  parse_failed = 0;
  if (!lex(line))
    return 0;
  tok = tokens;
  if (tok->kind == T_END)
    return 0;
  c = parse_list();
  if (c && tok->kind != T_END)
    return unexpected();   // e.g. a ')' without '('
  return c;
}

// ---- Run ------------------------------------------------------------------------------
//
// run_in_shell runs a line in the shell process: only `cd` must (a child's directory
// change would be lost when it exits), and running lists here lets `cd dir; ls` work.
// run_here runs a command in a process that is then finished with it, so it never
// returns: exec replaces the process, everything else exits with the command's status.

static void run_here(struct cmd *c) __attribute__((noreturn));

static int
is_cd(struct cmd *c)
{
  return c->kind == C_EXEC && c->argv[0] && strcmp(c->argv[0], "cd") == 0;
}

// Returns 0 on success, 1 after reporting an error, like a program's exit status.
static int
builtin_cd(char **argv)
{
  char *dir = argv[1] ? argv[1] : "/";

  if (argv[1] && argv[2]) {
    fprintf(2, "cd: too many arguments\n");
    return 1;
  }
  if (chdir(dir) < 0) {
    fprintf(2, "cd: cannot cd to %s\n", dir);
    return 1;
  }
  return 0;
}

// Starts c in a child process. Returns its pid, or -1 if fork failed (reported).
static int
spawn(struct cmd *c)
{
  int pid = fork();

  if (pid == 0)
    run_here(c);
  if (pid < 0)
    fprintf(2, "sh: fork failed\n");
  return pid;
}

// Waits for child pid and returns its exit status. Other children that finish first
// (background jobs) are reaped on the way, which is all the shell does with them.
static int
wait_for(int pid)
{
  int w, status = -1;

  if (pid < 0)
    return -1;
  do {
    w = wait(&status);
  } while (w != pid && w >= 0);
  return status;
}

static void
run_in_shell(struct cmd *c)
{
  if (c->kind == C_LIST) {
    run_in_shell(c->left);
    run_in_shell(c->right);
  } else if (c->kind == C_BACK) {
    spawn(c->sub);   // not waited for here; a later wait_for reaps it
  } else if (is_cd(c)) {
    builtin_cd(c->argv);
  } else {
    wait_for(spawn(c));
  }
}

// Moves the offset of fd 1 to the end of the file, the effect of O_APPEND.
static void
seek_to_end(void)
{
  char buf[512];
  int n;

  while ((n = read(1, buf, sizeof buf)) > 0)
    ;
  if (n < 0) {
    fprintf(2, "sh: cannot append: read failed\n");
    exit(1);
  }
}

// Opens r's file as descriptor r->fd, replacing what was there.
static void
redirect(struct cmd *r)
{
  int fd;

  close(r->fd);
  // open uses the lowest free descriptor, which is the one just closed when the lower
  // ones are open, as they are in a process started by init.
  fd = open(r->file, r->mode);
  if (fd < 0) {
    fprintf(2, "open %s failed\n", r->file);
    exit(1);
  }
  if (fd != r->fd) {
    fprintf(2, "sh: cannot redirect fd %d: fd %d is not open\n", r->fd, fd);
    exit(1);
  }
  if (r->append)
    seek_to_end();
}

// Starts side in a child whose descriptor fd is the pipe end `end`.
static int
spawn_piped(struct cmd *side, int fd, int p[2], int end)
{
  int pid = fork();

  if (pid == 0) {
    close(fd);
    dup(p[end]);
    close(p[0]);
    close(p[1]);
    run_here(side);
  }
  if (pid < 0) {
    fprintf(2, "sh: fork failed\n");
    exit(1);
  }
  return pid;
}

// Runs both sides concurrently; the pipeline's status is the right side's.
static void
run_pipe(struct cmd *c)
{
  int p[2], right, status = 0, st, i;

  if (pipe(p) < 0) {
    fprintf(2, "sh: pipe failed\n");
    exit(1);
  }
  spawn_piped(c->left, 1, p, 1);
  right = spawn_piped(c->right, 0, p, 0);
  // Our copies of the ends must go: the reader sees end of file only once every copy
  // of the write end is closed.
  close(p[0]);
  close(p[1]);
  for (i = 0; i < 2; i++)
    if (wait(&st) == right)
      status = st;
  exit(status);
}

// There is no PATH: programs live in the root directory. So that `ls` still works
// after `cd dir`, a bare name that is not found here is tried again as /name.
static void
try_root(char **argv)
{
  char path[MAXPATH];

  if (strchr(argv[0], '/') || strlen(argv[0]) + 2 > sizeof path)
    return;
  path[0] = '/';
  strcpy(path + 1, argv[0]);
  exec(path, argv);
}

static void
run_exec(char **argv)
{
  if (argv[0] == 0)
    exit(0);   // only redirections, e.g. `> file` to create an empty file
  if (strcmp(argv[0], "cd") == 0)
    exit(builtin_cd(argv));   // in a pipe or subshell: checks the directory, no more
  exec(argv[0], argv);
  try_root(argv);
  fprintf(2, "exec %s failed\n", argv[0]);
  exit(1);
}

static void
run_here(struct cmd *c)
{
  switch (c->kind) {
  case C_EXEC:
    run_exec(c->argv);
  case C_REDIR:
    redirect(c);
    run_here(c->sub);
  case C_PIPE:
    run_pipe(c);
  case C_LIST:
    wait_for(spawn(c->left));
    run_here(c->right);
  case C_BACK:
    exit(spawn(c->sub) < 0 ? 1 : 0);
  }
  exit(1);
}

// ---- Main loop ------------------------------------------------------------------------

// Reads one line into buf without its newline. Returns 0 at end of input.
static int
read_line(char *buf, int prompt)
{
  int n;

  if (prompt)
    write(2, "$ ", 2);
  gets(buf, LINEMAX);
  n = strlen(buf);
  if (n == 0)
    return 0;
  if (buf[n - 1] != '\n' && buf[n - 1] != '\r' && n == LINEMAX - 1) {
    // Drop the rest of the line rather than run its tail as a command of its own.
    while (n == LINEMAX - 1 && buf[n - 1] != '\n')
      n = strlen(gets(buf, LINEMAX));
    fprintf(2, "sh: line too long (%d bytes at most)\n", LINEMAX - 2);
    buf[0] = '\0';
    return 1;
  }
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = '\0';
  return 1;
}

// Programs assume fds 0, 1 and 2 are open. If the shell was started without them,
// point the missing ones at the console; once open() returns 3 they are all in use.
static void
open_std_fds(void)
{
  int fd;

  while ((fd = open("console", O_RDWR)) >= 0) {
    if (fd >= 3) {
      close(fd);
      break;
    }
  }
}

// Prompt only when a person is typing: a script or a pipe into sh should not have
// prompts mixed into its output.
static int
input_is_console(void)
{
  struct stat st;

  return fstat(0, &st) == 0 && st.type == T_DEVICE;
}

// `sh FILE` reads commands from FILE instead of standard input.
static void
use_script(char *path)
{
  int fd = open(path, O_RDONLY);

  if (fd < 0) {
    fprintf(2, "sh: cannot open %s\n", path);
    exit(1);
  }
  close(0);
  dup(fd);
  close(fd);
}

int
main(int argc, char *argv[])
{
  static char line[LINEMAX];
  struct cmd *c;
  int prompt;

  open_std_fds();
  if (argc > 2) {
    fprintf(2, "usage: sh [FILE]\n");
    exit(1);
  }
  if (argc == 2)
    use_script(argv[1]);
  prompt = input_is_console();
  while (read_line(line, prompt)) {
    c = parse(line);
    if (c)
      run_in_shell(c);
  }
  exit(0);
}
