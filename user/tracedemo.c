// tracedemo: a small, exactly known sequence of memory events, for checking the tracer
// end to end (make test-trace). Between the markers "tracedemo: begin" and
// "tracedemo: end" this process, under the lazy policy, does:
//
//   sbrk(+10 pages)       1 sbrk, nothing allocated
//   touch pages 0..6      7 faults, each: fault_begin, kalloc, map, fault_end (mapped)
//   sbrk(-5 pages)        1 sbrk; pages 5 and 6 were touched: 2 unmaps, 2 kfrees
//
// and then exits, which unmaps and frees the rest of its image.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/mempolicy.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/testlib/testlib.h"

#define GROW 10
#define TOUCH 7
#define SHRINK 5

int main(void)
{
  if (mempolicy(MEMPOLICY_LAZY) < 0) {
    fprintf(2, "tracedemo: mempolicy failed\n");
    exit(1);
  }
  vmtrace_mark("tracedemo: begin");
  char *heap = sbrk(GROW * PGSIZE);
  if (heap == (char *)-1) {
    fprintf(2, "tracedemo: sbrk failed\n");
    exit(1);
  }
  touch_pages(heap, TOUCH);
  if (sbrk(-SHRINK * PGSIZE) == (char *)-1) {
    fprintf(2, "tracedemo: shrink failed\n");
    exit(1);
  }
  vmtrace_mark("tracedemo: end");
  printf("tracedemo: grew %d pages, touched %d, shrank %d\n", GROW, TOUCH, SHRINK);
  exit(0);
}
