// xv6api: a program written only against xv6-riscv's user API and headers, nothing of
// faultline's own, to show that such programs build and run unchanged: the course years'
// names and today's side by side (sleep and pause, sbrk and sbrklazy). make test runs it.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/syscall.h"
#include "kernel/vm.h"
#include "user/user.h"

static void check(int ok, char *what)
{
  if (!ok) {
    printf("xv6api: FAILED: %s\n", what);
    exit(1);
  }
}

static void files(void)
{
  char buf[32];
  struct stat st;
  check(mkdir("xv6api.d") == 0 && chdir("xv6api.d") == 0, "mkdir, chdir");
  int fd = open("f", O_CREATE | O_RDWR);
  check(fd >= 0 && write(fd, "hello", 5) == 5, "open, write");
  check(fstat(fd, &st) == 0 && st.type == T_FILE && st.size == 5, "fstat");
  close(fd);
  check(link("f", "g") == 0 && unlink("f") == 0, "link, unlink");
  fd = open("g", O_RDONLY);
  check(fd >= 0 && read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0, "read");
  close(fd);
  check(stat("g", &st) == 0 && st.nlink == 1, "stat");
  check(unlink("g") == 0 && chdir("..") == 0 && unlink("xv6api.d") == 0, "cleanup");
}

static void dirents(void)
{
  struct dirent de;
  int fd = open(".", O_RDONLY), found = 0;
  check(fd >= 0, "open .");
  while (read(fd, &de, sizeof(de)) == sizeof(de))
    if (de.inum == ROOTINO && strcmp(de.name, ".") == 0)
      found = 1;
  close(fd);
  check(found, "struct dirent of / has . with ROOTINO");
}

static void processes(void)
{
  int p[2], status;
  char c;
  check(pipe(p) == 0, "pipe");
  int pid = fork();
  if (pid == 0) {
    close(p[0]);
    write(p[1], "x", 1);
    exit(7);
  }
  close(p[1]);
  check(read(p[0], &c, 1) == 1 && c == 'x', "pipe read");
  check(wait(&status) == pid && status == 7, "wait status");
  close(p[0]);
  check(getpid() > 0 && uptime() >= 0 && sleep(1) == 0 && pause(1) == 0,
        "getpid, uptime, sleep, pause");
  char *argv[] = { "echo", "xv6api:", "exec", "works", 0 };
  if ((pid = fork()) == 0) {
    exec("echo", argv);
    exit(1);
  }
  check(wait(&status) == pid && status == 0, "exec echo");
}

static void memory(void)
{
  char *p = sbrk(PGSIZE);
  check(p != (char *)-1 && p != SBRK_ERROR, "sbrk");
  p[0] = p[PGSIZE - 1] = 'z';
  char *l = sbrklazy(2 * PGSIZE);
  check(l == p + PGSIZE && sys_sbrk(0, SBRK_LAZY) == l + 2 * PGSIZE, "sbrklazy, sys_sbrk");
  l[PGSIZE] = 'y';
  char *q = malloc(100);
  check(q != 0, "malloc");
  strcpy(q, "abc");
  check(strlen(q) == 3 && strchr(q, 'b') == q + 1 && atoi("42") == 42, "ulib");
  free(q);
  check(KERNBASE == 0x80000000L && MAXVA > TRAMPOLINE && BSIZE == 1024 && DIRSIZ == 14 &&
        SYS_close == 21 && MAXARG == 32 && NOFILE >= 16 && LOGBLOCKS == LOGSIZE &&
        USERSTACK >= 1 && SBRK_EAGER != SBRK_LAZY, "header constants");
}

int main(int argc, char *argv[])
{
  files();
  dirents();
  processes();
  memory();
  printf("xv6api: OK\n");
  exit(0);
}
