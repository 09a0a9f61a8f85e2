// exec: replace the calling process's memory image with a program read from an
// ELF file.
//
// The new image is built in a page table of its own while the old one keeps running
// the process, so that any failure (bad file, too many arguments, out of memory) can
// return -1 to a caller whose memory is untouched. Only once everything is in place
// does commit() switch the process over.
//
// The user address space it builds, from 0 up; the fault handler (vmfault.c) and
// sbrk (growproc) rely on these bounds:
//
//   [0, text_end)                 the ELF LOAD segments, all pages present
//   [text_end, stack_base)        guard page: present but not PTE_U, so any user
//                                 access (a stack overflow) is a protection fault
//   [stack_base, heap_base)       USERSTACK pages of stack, arguments at the top
//   [heap_base, sz)               heap: empty at first, sz == heap_base
//
// with text_end = PGROUNDUP(end of the highest segment), stack_base = text_end +
// PGSIZE and heap_base = text_end + (USERSTACK + 1) * PGSIZE.

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/proc.h"
#include "kernel/vmfault.h"
#include "kernel/elf.h"
#include "kernel/inode.h"
#include "kernel/log.h"
#include "kernel/vm.h"
#include "kernel/kaddr.h"
#include "kernel/usercopy.h"
#include "kernel/kstring.h"
#include "kernel/exec.h"
#include "tracing/trace.h"

// A user image under construction.
struct image {
  pagetable_t pagetable;
  uint64 sz;           // everything mapped in pagetable lies below sz
  uint64 entry;        // first user pc
  uint64 stack_base;   // lowest stack byte
  uint64 heap_base;    // top of the stack, start of the heap
  uint64 sp;           // the user sp, moving down as arguments are pushed
  int argc;
};

// User memory must end below the trap frame, which every user page table maps.
#define USER_TOP TRAPFRAME

// ---- Reading the ELF file ------------------------------------------------------------

// Read and check the ELF header of ip (locked). Returns 0 or -1.
static int
read_header(struct inode *ip, struct elfhdr *elf)
{
  if (readi(ip, 0, (uint64)elf, 0, sizeof(*elf)) != sizeof(*elf))
    return -1;
  if (elf->magic != ELF_MAGIC)
    return -1;
  // Program headers of another size would be misread as ours.
  if (elf->phentsize != sizeof(struct proghdr))
    return -1;
  // The whole program-header table must lie inside the file. phoff is checked alone
  // first so that the sum cannot wrap.
  if (elf->phoff > ip->size ||
      elf->phoff + (uint64)elf->phnum * sizeof(struct proghdr) > ip->size)
    return -1;
  return 0;
}

// Read program header i of ip (locked); read_header() has checked it is in the file.
static int
read_proghdr(struct inode *ip, struct elfhdr *elf, int i, struct proghdr *ph)
{
  uint off = elf->phoff + i * sizeof(*ph);

  if (readi(ip, 0, (uint64)ph, off, sizeof(*ph)) != sizeof(*ph))
    return -1;
  return 0;
}

// Is LOAD segment ph something we can map? Its file bytes must be inside the file
// (which also makes the offset fit readi's 32 bits), its memory must hold its file
// bytes, start on a page boundary and end in user space without wrapping.
static int
segment_ok(struct inode *ip, struct proghdr *ph)
{
  if (ph->memsz < ph->filesz)
    return 0;
  if (ph->vaddr + ph->memsz < ph->vaddr)
    return 0;
  if (ph->vaddr % PGSIZE != 0)
    return 0;
  if (ph->vaddr + ph->memsz > USER_TOP)
    return 0;
  if (ph->off > ip->size || ph->off + ph->filesz > ip->size)
    return 0;
  return 1;
}

// PTE permissions beyond R|U (which uvmalloc always sets) for ELF segment flags.
static int
segment_perm(uint32 flags)
{
  int perm = 0;

  if (flags & ELF_PROG_FLAG_EXEC)
    perm |= PTE_X;
  if (flags & ELF_PROG_FLAG_WRITE)
    perm |= PTE_W;
  return perm;
}

// Copy n bytes at file offset off of ip (locked) to page-aligned user address va of
// pagetable, which must already be mapped.
static int
load_bytes(pagetable_t pagetable, uint64 va, struct inode *ip, uint off, uint n)
{
  for (uint done = 0; done < n; done += PGSIZE) {
    uint64 pa = walkaddr(pagetable, va + done);
    uint chunk = n - done < PGSIZE ? n - done : PGSIZE;

    if (pa == 0)
      return -1;
    if (readi(ip, 0, (uint64)pa2kva(pa), off + done, chunk) != (int)chunk)
      return -1;
  }
  return 0;
}

// Map one LOAD segment into img (growing img->sz to cover it) and fill it from ip.
// The part of memsz beyond filesz stays zero, as uvmalloc hands out zeroed pages.
static int
load_segment(struct image *img, struct inode *ip, struct proghdr *ph)
{
  uint64 end = ph->vaddr + ph->memsz;

  if (!segment_ok(ip, ph))
    return -1;
  if (end > img->sz) {
    uint64 newsz = uvmalloc(img->pagetable, img->sz, end, segment_perm(ph->flags));
    if (newsz == 0)
      return -1;
    img->sz = newsz;
  }
  return load_bytes(img->pagetable, ph->vaddr, ip, ph->off, ph->filesz);
}

// Load every LOAD segment of ip (locked) into img.
static int
load_program(struct image *img, struct inode *ip)
{
  struct elfhdr elf;
  struct proghdr ph;

  if (read_header(ip, &elf) < 0)
    return -1;
  for (int i = 0; i < elf.phnum; i++) {
    if (read_proghdr(ip, &elf, i, &ph) < 0)
      return -1;
    if (ph.type != ELF_PROG_LOAD)
      continue;
    if (load_segment(img, ip, &ph) < 0)
      return -1;
  }
  img->entry = elf.entry;
  return 0;
}

// ---- The user stack ------------------------------------------------------------------

// Map the guard page and the stack above the loaded program (layout at the top of
// this file). The heap starts empty at the stack's top. Every stack page stays mapped
// until the image goes (exit, the next exec): the call-chain walk
// (tracing/callchain.c) reads the stack through its user addresses, trusting that.
static int
make_stack(struct image *img)
{
  uint64 text_end = PGROUNDUP(img->sz);
  uint64 top = text_end + (USERSTACK + 1) * PGSIZE;
  uint64 newsz;

  // text_end <= USER_TOP (segment_ok), so the sum cannot wrap.
  if (top > USER_TOP)
    return -1;
  newsz = uvmalloc(img->pagetable, img->sz, top, PTE_W);
  if (newsz == 0)
    return -1;
  img->sz = newsz;
  uvmclear(img->pagetable, text_end);

  img->stack_base = text_end + PGSIZE;
  img->heap_base = top;
  img->sp = top;
  return 0;
}

// Copy len bytes to the stack just below sp, keeping sp 16-byte aligned as the
// RISC-V calling convention requires. Fails, leaving sp alone, if the stack is full.
static int
push(struct image *img, const void *src, uint64 len)
{
  uint64 sp;

  if (len > img->sp - img->stack_base)
    return -1;
  sp = (img->sp - len) & ~(uint64)15;
  if (sp < img->stack_base)
    return -1;
  if (copyout(img->pagetable, sp, src, len) < 0)
    return -1;
  img->sp = sp;
  return 0;
}

// Push the argument strings, then the 0-terminated array of their user addresses,
// which main() receives as argv (sp points at it when the program starts).
static int
push_args(struct image *img, char **argv)
{
  uint64 uargv[MAXARG + 1];
  int argc;

  for (argc = 0; argv[argc] != 0; argc++) {
    if (argc == MAXARG)
      return -1;
    if (push(img, argv[argc], strlen(argv[argc]) + 1) < 0)
      return -1;
    uargv[argc] = img->sp;
  }
  uargv[argc] = 0;
  if (push(img, uargv, (argc + 1) * sizeof(uint64)) < 0)
    return -1;
  img->argc = argc;
  return 0;
}

// ---- Putting it together -------------------------------------------------------------

// The last element of path: what ps-like output and fault messages call the program.
static const char *
last_element(const char *path)
{
  const char *name = path;

  for (const char *s = path; *s; s++)
    if (*s == '/')
      name = s + 1;
  return name;
}

// Switch p over to the finished image and free the old one. Cannot fail.
// p->mempolicy is deliberately left alone: the sbrk policy survives exec, which is
// what lets `lazy CMD` and `eager CMD` work.
static void
commit(struct proc *p, struct image *img, const char *path)
{
  pagetable_t oldpagetable = p->pagetable;
  uint64 oldsz = p->sz;

  safestrcpy(p->name, last_element(path), sizeof(p->name));
  trace_exec(p->name, img->sz);
  p->pagetable = img->pagetable;
  p->sz = img->sz;
  p->stack_base = img->stack_base;
  p->heap_base = img->heap_base;
  p->stack_tables[0] = p->stack_tables[1] = 0;
  vm_fault_end_run(p);   // the run was in the old image's heap

  p->trapframe->epc = img->entry;
  p->trapframe->sp = img->sp;
  p->trapframe->a1 = img->sp;   // argv; argc goes in a0 via kexec's return value
  // No caller: a call-chain walk (tracing/callchain.c) ends at _main's frame, not in
  // the registers the old image left.
  p->trapframe->ra = 0;
  p->trapframe->s0 = 0;

  vm_activate(p->pagetable);   // the old image's translations go with the switch
  proc_freepagetable(oldpagetable, oldsz);
}

// Build the image of the program at path in img->pagetable. Returns 0 or -1; on
// failure img->sz still covers everything mapped so far, for the caller to free.
static int
build_image(struct image *img, char *path, char **argv)
{
  struct inode *ip;
  int r;

  begin_op();
  ip = namei(path);
  if (ip == 0) {
    end_op();
    return -1;
  }
  ilock(ip);
  r = load_program(img, ip);
  iunlockput(ip);
  end_op();

  if (r < 0 || make_stack(img) < 0 || push_args(img, argv) < 0)
    return -1;
  return 0;
}

int
kexec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct image img = { 0 };

  img.pagetable = proc_pagetable(p);
  if (img.pagetable == 0)
    return -1;
  if (build_image(&img, path, argv) < 0) {
    proc_freepagetable(img.pagetable, img.sz);
    return -1;
  }
  commit(p, &img, path);
  return img.argc;
}
