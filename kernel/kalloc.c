// The physical page allocator. Free pages form a list threaded through the pages
// themselves, so the allocator needs no memory of its own. Pages are handed out and
// taken back as kernel addresses (the direct map); the trace records their physical
// addresses, which is what page-table entries hold.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "kernel/printf.h"
#include "kernel/kstring.h"
#include "kernel/kalloc.h"
#include "kernel/kaddr.h"
#include "tracing/trace.h"

extern char end[];   // first byte after the kernel image (kernel.ld)

struct free_page {
  struct free_page *next;
};

static struct {
  struct spinlock lock;
  struct free_page *head;
  uint64 nfree;
} pages;

// Junk fills, kept where they still catch bugs: every freed page (a use after free
// reads junk, not stale data), and pages from kalloc() (a reader of memory its owner
// never initialised notices: pipes, trap frames, kernel stacks, exec's argument pages,
// device buffers). Pages that are zeroed at once (user pages: kalloc_zeroed_untraced;
// page tables) skip the junk, so each such page is written exactly once.
#define JUNK_FREED 1
#define JUNK_NEW   5

void kinit(void)
{
  initlock(&pages.lock, "kalloc");
  for (uint64 pa = PGROUNDUP(kva2pa(end)); pa + PGSIZE <= PHYSTOP; pa += PGSIZE)
    kfree(pa2kva(pa));
}

// The allocator proper, untraced. kva must be a page from take_page.
static inline void put_page(void *kva)
{
  uint64 pa = kva2pa(kva);
  if (pa % PGSIZE != 0 || kva < (void *)end || pa >= PHYSTOP)
    panic("kfree: not a page from kalloc");
  memset(kva, JUNK_FREED, PGSIZE);
  struct free_page *fp = kva;
  acquire(&pages.lock);
  fp->next = pages.head;
  pages.head = fp;
  pages.nfree++;
  release(&pages.lock);
}

// fill: the byte every byte of the page gets (JUNK_NEW, or 0 to zero it). 0 if none left.
static inline void *take_page(int fill)
{
  acquire(&pages.lock);
  struct free_page *fp = pages.head;
  if (fp) {
    pages.head = fp->next;
    pages.nfree--;
  }
  release(&pages.lock);
  if (fp)
    memset(fp, fill, PGSIZE);
  return fp;
}

// page says what the page was for (enum vmt_page_use), for the trace only.
static TRACED_INLINE void free_page(void *kva, int page)
{
  uint64 pa = kva2pa(kva);
  put_page(kva);
  trace_kfree(pa, page);
}

static TRACED_INLINE void *alloc_page(int page, int fill)
{
  void *kva = take_page(fill);
  if (kva)
    trace_kalloc(kva2pa(kva), page);
  return kva;
}

uint64 kfreepages(void)
{
  acquire(&pages.lock);
  uint64 n = pages.nfree;
  release(&pages.lock);
  return n;
}

void kfree(void *pa) { free_page(pa, VMT_PAGE_DATA); }
void *kalloc(void) { return alloc_page(VMT_PAGE_DATA, JUNK_NEW); }
void *kalloc_untraced(void) { return take_page(JUNK_NEW); }
void *kalloc_zeroed_untraced(void) { return take_page(0); }
void kfree_untraced(void *pa) { put_page(pa); }
void kfree_pagetable(void *pa) { free_page(pa, VMT_PAGE_TABLE); }
void *kalloc_pagetable(void) { return alloc_page(VMT_PAGE_TABLE, 0); }
