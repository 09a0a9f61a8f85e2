// The `at` and `stack` args of a fault slice (see vmt_attrib.h).
#include <stdio.h>
#include <string.h>

#include "tools/convert/vmt_attrib.h"

void vmt_attrib_chain(struct vmt_conv *c, struct vmt_track *t, const struct vmt_record *r)
{
  if (t->fault < 0)
    return;
  struct vmt_fault *f = &c->fault[t->fault];
  if (f->chain.seen || f->cpu != r->cpu)
    return;
  uint32 slot[VMT_CHAIN_MAX] = { r->arg, (uint32)r->a, (uint32)(r->a >> 32), (uint32)r->b,
                                 (uint32)(r->b >> 32) };
  unsigned n = r->flags & VMT_CHAIN_COUNT;
  f->chain.n = (uint8)(n > VMT_CHAIN_MAX ? VMT_CHAIN_MAX : n);
  memcpy(f->chain.ra, slot, sizeof slot);
  f->chain.truncated = (r->flags & VMT_CHAIN_TRUNCATED) != 0;
  f->chain.seen = 1;
}

// The image that names pc, or NULL (hex). Fault pcs and chains are the process's user
// pcs (VMT_FAULT_BEGIN's epc is the trap frame's, even for copyin/copyout); only a
// fault recorded in kernel context (pid 0) has a kernel pc.
struct whose {                  // whose pcs a fault's are
  const struct vmt_proc *p;     // the process, NULL if the converter does not know it
  int kernel;                   // recorded in kernel context (pid 0)
};

static const struct sym_image *image(struct vmt_conv *c, struct whose w, uint64 pc)
{
  if (!c->o.syms)
    return NULL;
  if (w.kernel)
    return vmt_syms_kernel(c->o.syms, pc);
  if (!w.p || !w.p->named)
    return NULL;
  return vmt_syms_for(c->o.syms, w.p->name, w.p->image_size, pc);
}

static void write_at(struct vmt_conv *c, struct whose w, uint64 pc)
{
  char at[512];
  const struct sym_image *im = image(c, w, pc);
  if (!im || sym_format(im, pc, at, sizeof at) < 0)
    snprintf(at, sizeof at, "0x%llx", (unsigned long long)pc);
  te_arg_str(&c->te, "at", at, strlen(at));
}

// One frame's function; a return address is looked up one byte back, inside its call
// (a call may be a function's last instruction).
static size_t frame(struct vmt_conv *c, struct whose w, uint64 pc, int ret, char *out,
                    size_t n)
{
  struct sym_loc loc;
  uint64 at = ret && pc ? pc - 1 : pc;
  const struct sym_image *im = image(c, w, at);
  if (im && sym_lookup(im, at, &loc) == 0)
    return (size_t)snprintf(out, n, "%s", loc.func);
  return (size_t)snprintf(out, n, "0x%llx", (unsigned long long)pc);
}

static void write_stack(struct vmt_conv *c, struct whose w, const struct vmt_fault *f)
{
  char stack[1024];
  size_t len = frame(c, w, f->begin.b, 0, stack, sizeof stack);
  for (unsigned i = 0; i < f->chain.n + f->chain.truncated && len < sizeof stack; i++) {
    len += (size_t)snprintf(stack + len, sizeof stack - len, VMT_STACK_SEP);
    if (len >= sizeof stack)
      break;
    if (i == f->chain.n)
      len += (size_t)snprintf(stack + len, sizeof stack - len, VMT_STACK_MORE);
    else
      len += frame(c, w, f->chain.ra[i], 1, stack + len, sizeof stack - len);
  }
  te_arg_str(&c->te, "stack", stack, strnlen(stack, sizeof stack));
}

void vmt_attrib_args(struct vmt_conv *c, const struct vmt_fault *f)
{
  if (!c->o.syms && !f->chain.seen)
    return;
  struct whose w = { .kernel = f->begin.pid == 0 };
  if (!w.kernel)
    w.p = procs_find(&c->procs, f->begin.pid);
  if (c->o.syms)
    write_at(c, w, f->begin.b);
  write_stack(c, w, f);
}
