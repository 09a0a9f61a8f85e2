// The physical page allocator. Free pages form a list threaded through the pages
// themselves. Each page also has a reference count: how many holders share it
// (copy-on-write fork maps one frame into several page tables). kalloc hands a page out
// with one reference, kpage_share adds one, and every free drops one: a page goes back
// on the list only when its last reference goes. Pages are handed out and
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
#include "kernel/ram.h"
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

// References per physical page, indexed by page number from KERNBASE, one for every
// page of RAM: kinit carves the array from the first pages after the kernel image, so
// that it grows with the RAM and costs nothing in the image. Changed with atomic adds,
// not under pages.lock: a count only ever changes while its caller holds a reference,
// so it cannot be freed under it, and only the drop that reaches 0 frees.
static int *refs;
static uint64 first_page;   // physical: the first page kalloc hands out, after refs

static int *refs_of(void *kva)
{
  uint64 pa = kva2pa(kva);
  if (pa % PGSIZE != 0 || pa < first_page || pa >= phys_top)
    panic("kalloc: not a page from kalloc");
  return &refs[(pa - KERNBASE) / PGSIZE];
}

// Junk fills, kept where they still catch bugs: every freed page (a use after free
// reads junk, not stale data), and pages from kalloc() (a reader of memory its owner
// never initialised notices: pipes, trap frames, kernel stacks, exec's argument pages,
// device buffers). Pages that are zeroed at once (user pages: kalloc_zeroed_untraced;
// page tables) or filled with a copy (fork's and copy-on-write's: kalloc_copy_untraced)
// skip the junk, so each such page is written exactly once.
#define JUNK_FREED 1
#define JUNK_NEW   5
#define NO_FILL    -1   // take_page: the caller writes every byte at once

// The allocator proper, untraced. kva must be a page with no references left.
static inline void put_page(void *kva)
{
  if (*refs_of(kva) != 0)
    panic("kfree: page still referenced");
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
  if (fp) {
    *refs_of(fp) = 1;
    if (fill != NO_FILL)
      memset(fp, fill, PGSIZE);
  }
  return fp;
}

int kpage_drop(void *kva)
{
  int left = __atomic_sub_fetch(refs_of(kva), 1, __ATOMIC_ACQ_REL);
  if (left < 0)
    panic("kfree: page freed twice");
  return left == 0;
}

void kpage_share(void *kva)
{
  if (__atomic_fetch_add(refs_of(kva), 1, __ATOMIC_RELAXED) < 1)
    panic("kpage_share: page not in use");
}

int kpage_refs(void *kva)
{
  return __atomic_load_n(refs_of(kva), __ATOMIC_ACQUIRE);
}

// Needs phys_top (ram_init).
void kinit(void)
{
  initlock(&pages.lock, "kalloc");
  uint64 image_end = PGROUNDUP(kva2pa(end));
  uint64 refs_size = PGROUNDUP((phys_top - KERNBASE) / PGSIZE * sizeof(*refs));
  if (refs_size > phys_top - image_end)
    panic("kinit: RAM too small for the page counts");
  refs = pa2kva(image_end);
  memset(refs, 0, refs_size);
  first_page = image_end + refs_size;
  for (uint64 pa = first_page; pa + PGSIZE <= phys_top; pa += PGSIZE)
    put_page(pa2kva(pa));
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

void kfree(void *pa)
{
  if (kpage_drop(pa))
    free_page(pa, VMT_PAGE_DATA);
}

void kfree_untraced(void *pa)
{
  if (kpage_drop(pa))
    put_page(pa);
}

void kfree_dropped(void *pa) { free_page(pa, VMT_PAGE_DATA); }
void kfree_dropped_untraced(void *pa) { put_page(pa); }
void *kalloc(void) { return alloc_page(VMT_PAGE_DATA, JUNK_NEW); }
void *kalloc_zeroed_untraced(void) { return take_page(0); }

void *kalloc_copy_untraced(const void *page)
{
  void *kva = take_page(NO_FILL);
  if (kva)
    memmove(kva, page, PGSIZE);
  return kva;
}

void kfree_pagetable(void *pa)
{
  if (kpage_drop(pa))
    free_page(pa, VMT_PAGE_TABLE);
}
void *kalloc_pagetable(void) { return alloc_page(VMT_PAGE_TABLE, 0); }
