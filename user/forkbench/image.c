// The size of a program's image, read from its ELF file: what a process running it
// holds before it grows a heap.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/elf.h"
#include "user/user.h"
#include "user/forkbench/forkbench.h"

// The ELF header and program headers must lie in the file's first HEAD bytes, as they do
// in every program user.ld links (the headers first, the text on the next page).
#define HEAD 1024

int image_pages(const char *path, struct image *im)
{
  static char head[HEAD];
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int n = read(fd, head, HEAD);
  close(fd);
  struct elfhdr *eh = (struct elfhdr *)head;
  if (n < (int)sizeof *eh || eh->magic != ELF_MAGIC ||
      eh->phoff + (uint64)eh->phnum * sizeof(struct proghdr) > (uint64)n)
    return -1;
  memset(im, 0, sizeof *im);
  for (int i = 0; i < eh->phnum; i++) {
    struct proghdr *ph = (struct proghdr *)(head + eh->phoff) + i;
    if (ph->type != ELF_PROG_LOAD || ph->memsz == 0)
      continue;
    uint64 lo = PGROUNDDOWN(ph->vaddr), hi = PGROUNDUP(ph->vaddr + ph->memsz);
    if (ph->flags & ELF_PROG_FLAG_WRITE) {
      im->write_pages += (long)((hi - lo) / PGSIZE);
      im->write_lo = lo;   // user.ld links one writable segment
      im->write_hi = hi;
    } else {
      im->text_pages += (long)((hi - lo) / PGSIZE);
    }
  }
  return 0;
}
