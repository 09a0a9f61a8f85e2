// ls [PATH...]: list directories (the entries, with type, inode number and size) and
// files (the file itself). With no argument, lists the current directory.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/printf_check.h"

static int failed;   // an error was reported; finish listing, then exit non-zero

static void
show(const char *name, const struct stat *st)
{
  printf("%-14s %d %d %ld\n", name, st->type, st->ino, st->size);
}

// Lists one entry of directory dir. Its metadata lives in its inode, not in the
// directory, so it is looked up by path: dir/name.
static void
show_entry(const char *dir, const struct dirent *de)
{
  char path[MAXPATH], name[DIRSIZ + 1];
  struct stat st;
  int dlen = strlen(dir);

  memmove(name, de->name, DIRSIZ);   // a DIRSIZ-long name has no NUL of its own
  name[DIRSIZ] = '\0';
  if (dlen + 1 + strlen(name) + 1 > sizeof path) {
    fprintf(2, "ls: path too long: %s/%s\n", dir, name);
    failed = 1;
    return;
  }
  strcpy(path, dir);
  path[dlen] = '/';
  strcpy(path + dlen + 1, name);
  if (stat(path, &st) < 0) {
    fprintf(2, "ls: cannot stat %s\n", path);
    failed = 1;
    return;
  }
  show(name, &st);
}

static void
list_dir(int fd, const char *dir)
{
  struct dirent de;
  int n;

  while ((n = read(fd, &de, sizeof de)) == sizeof de)
    if (de.inum != 0)   // 0 marks a free slot
      show_entry(dir, &de);
  if (n != 0) {
    fprintf(2, "ls: cannot read directory %s\n", dir);
    failed = 1;
  }
}

static void
ls(const char *path)
{
  struct stat st;
  int fd;

  fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "ls: cannot open %s\n", path);
    failed = 1;
    return;
  }
  if (fstat(fd, &st) < 0) {
    fprintf(2, "ls: cannot stat %s\n", path);
    failed = 1;
  } else if (st.type == T_DIR) {
    list_dir(fd, path);
  } else {
    show(path, &st);
  }
  close(fd);
}

int
main(int argc, char *argv[])
{
  int i;

  if (argc < 2)
    ls(".");
  for (i = 1; i < argc; i++)
    ls(argv[i]);
  exit(failed);
}
