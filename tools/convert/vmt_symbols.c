// Program ELF cache and the once-per-program warnings (see vmt_symbols.h).
#include <stdlib.h>
#include <string.h>

#include "kernel/param.h"
#include "tools/convert/vmt_symbols.h"

void vmt_syms_init(struct vmt_syms *s, FILE *warn)
{
  memset(s, 0, sizeof *s);
  s->warn = warn;
}

void vmt_syms_page_size(struct vmt_syms *s, uint32 page_size)
{
  s->page_size = page_size;
}

int vmt_syms_add_dir(struct vmt_syms *s, const char *dir)
{
  if (s->ndirs == VMT_SYMS_DIRS)
    return -1;
  s->dir[s->ndirs++] = dir;
  return 0;
}

void vmt_syms_free(struct vmt_syms *s)
{
  for (unsigned i = 0; s->prog && i < s->nprog; i++)
    sym_free(&s->prog[i].im);
  free(s->prog);
  sym_free(&s->kernel);
  s->prog = NULL;
  s->nprog = 0;
}

static void warn(struct vmt_syms *s, const char *name, const char *why, const char *path)
{
  if (s->warn)
    fprintf(s->warn, "vmtrace2perfetto: no symbols for %s (%s%s%s): its addresses stay hex\n",
            name, path ? path : "", path ? ": " : "", why);
}

// exec maps the loaded segments, rounds up to a page, and adds the guard page and the
// user stack above them (kernel/exec.c): the size it reports in VMT_EXEC.
static uint64 image_size(const struct sym_image *im, uint32 page_size)
{
  uint64 end = im->elf.load_end;
  uint64 rounded = (end + page_size - 1) / page_size * page_size;
  return rounded + (uint64)(USERSTACK + 1) * page_size;
}

// A name safe to join to a directory: no path separators, not "." or "..".
static int plain_name(const char *name)
{
  return name[0] && name[0] != '.' && !strchr(name, '/');
}

static void load_prog(struct vmt_syms *s, struct vmt_prog_syms *p)
{
  char path[1024], err[256], why[1400];
  const char *tried = NULL;
  snprintf(why, sizeof why, "not found in the --symbols directories");
  for (unsigned i = 0; i < s->ndirs && plain_name(p->name); i++)
    for (int under = 1; under >= 0; under--) {
      snprintf(path, sizeof path, "%s/%s%s", s->dir[i], under ? "_" : "", p->name);
      if (sym_load_file(&p->im, path, err, sizeof err) == 0) {
        p->ok = sym_has_funcs(&p->im);
        p->expect_size = image_size(&p->im, s->page_size);
        if (!p->ok)
          warn(s, p->name, "stripped: no symbol table", path);
        p->warned = !p->ok;
        return;
      }
      if (strcmp(err, "No such file or directory") != 0 && !tried) {
        snprintf(why, sizeof why, "%s: %s", path, err);
        tried = path;
      }
    }
  warn(s, p->name, why, NULL);
  p->warned = 1;
}

static struct vmt_prog_syms *prog(struct vmt_syms *s, const char *name)
{
  char key[VMT_SYMS_NAME + 1] = { 0 };
  memcpy(key, name, strnlen(name, VMT_SYMS_NAME));
  for (unsigned i = 0; s->prog && i < s->nprog; i++)
    if (strcmp(s->prog[i].name, key) == 0)
      return &s->prog[i];
  if (!s->prog && !(s->prog = calloc(VMT_SYMS_PROGS, sizeof *s->prog)))
    return NULL;
  if (s->nprog == VMT_SYMS_PROGS) {
    if (!s->full_warned)
      warn(s, key, "more programs than the converter keeps symbols for", NULL);
    s->full_warned = 1;
    return NULL;
  }
  struct vmt_prog_syms *p = &s->prog[s->nprog++];
  memcpy(p->name, key, sizeof key);
  load_prog(s, p);
  return p;
}

const struct sym_image *vmt_syms_kernel(struct vmt_syms *s, uint64 pc)
{
  char err[256];
  if (!s->kernel_tried && s->kernel_path) {
    s->kernel_tried = 1;
    if (sym_load_file(&s->kernel, s->kernel_path, err, sizeof err) < 0)
      warn(s, "the kernel", err, s->kernel_path);
    else if (!(s->kernel_ok = sym_has_funcs(&s->kernel)))
      warn(s, "the kernel", "stripped: no symbol table", s->kernel_path);
  }
  if (!s->kernel_ok || pc < s->kernel.elf.text_lo || pc >= s->kernel.elf.text_hi)
    return NULL;
  return &s->kernel;
}

const struct sym_image *vmt_syms_for(struct vmt_syms *s, const char *name,
                                     uint64 image_size, uint64 pc)
{
  if (!s->ndirs || !name || !name[0])
    return NULL;
  struct vmt_prog_syms *p = prog(s, name);
  if (!p || !p->ok)
    return NULL;
  if (image_size && image_size != p->expect_size) {
    if (!p->warned) {
      char why[128];
      snprintf(why, sizeof why, "the ELF makes a %llu-byte image, exec reported %llu",
               (unsigned long long)p->expect_size, (unsigned long long)image_size);
      warn(s, p->name, why, NULL);
      p->warned = 1;
    }
    return NULL;
  }
  return &p->im;
}
