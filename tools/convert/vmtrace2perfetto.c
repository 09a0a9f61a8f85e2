// vmtrace2perfetto: converts a vmtrace recording to Perfetto JSON (the Chrome trace event
// format) for ui.perfetto.dev, or prints its counts with --summary. Command line only;
// the conversion itself is vmt_convert().
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/convert/atomic_out.h"
#include "tools/convert/vmt_convert.h"
#include "tools/convert/vmt_symbols.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_stream.h"
#include "tools/convert/vmt_summary.h"

static const char usage[] =
  "usage: vmtrace2perfetto [options] IN [-o OUT]\n"
  "Converts a vmtrace recording (IN, '-' for standard input) to Perfetto JSON.\n"
  "OUT defaults to IN with .vmt replaced by .json ('-' for standard output); it is\n"
  "written to a temporary file and renamed, so a failed run leaves nothing behind\n"
  "(and removes an older OUT, which would no longer match IN).\n"
  "\n"
  "  -o, --output OUT   where the JSON goes\n"
  "  -p, --pid N        show only process N (repeatable; 0 is the kernel context)\n"
  "  -e, --events LIST  show only these record types, comma-separated: fault\n"
  "                     (fault_begin,fault_end,chain), kalloc, kfree, map, unmap, sbrk,\n"
  "                     fork, share (a fork with shares is one slice: fork and share),\n"
  "                     exec, exit, kill, switch, marker, lost, or all (default)\n"
  "      --from US      show only events from US microseconds after the start\n"
  "      --to US        ... up to US microseconds after the start\n"
  "  -c, --counters US  write counter samples about US microseconds apart at most\n"
  "                     (default 250; 0: every change); peaks, troughs, the value\n"
  "                     before each pause and the last value are always written\n"
  "      --symbols DIR  name fault pcs and call chains from each program's ELF in DIR\n"
  "                     (DIR/_NAME or DIR/NAME, NAME as exec'd; repeatable): fault\n"
  "                     slices gain `at` (function+offset, file:line) and `stack`;\n"
  "                     a program whose ELF is missing, stripped or does not match\n"
  "                     keeps hex addresses, with one warning on stderr\n"
  "      --kernel-symbols ELF  name kernel pcs from ELF (kernel/kernel)\n"
  "  -s, --summary      print counts per type and CPU instead of writing JSON\n"
  "  -w, --window N     records the per-CPU merge may hold (default 524288, at most\n"
  "                     1048576); raise it if a record is reported as arriving late\n"
  "  -h, --help         this text\n"
  "  -V, --version      the version\n"
  "\n"
  "Exit status: 0 success, 1 bad or unreadable input, 2 bad usage.\n";

struct cli {
  struct vmt_filter o;
  struct vmt_syms syms;
  const char *in, *out;
  uint32 window;
  int summary;
};

static int usage_error(const char *what, const char *arg)
{
  fprintf(stderr, "vmtrace2perfetto: %s '%s' (see --help)\n", what, arg);
  return 2;
}

static int parse_u64(const char *s, uint64 max, uint64 *v)
{
  char *end;
  errno = 0;
  unsigned long long x = strtoull(s, &end, 10);
  if (errno || end == s || *end || *s == '-' || x > max)
    return -1;
  *v = x;
  return 0;
}

// Microseconds (fractions allowed) to nanoseconds, as Perfetto rounds them.
static int parse_us(const char *s, uint64 *ns)
{
  char *end;
  errno = 0;
  double us = strtod(s, &end);
  if (errno || end == s || *end || !(us >= 0) || us > 1e15)
    return -1;
  *ns = (uint64)llround(us * 1000.0);
  return 0;
}

static int parse_option(struct cli *c, int opt, const char *arg)
{
  uint64 v;
  char bad[32];
  switch (opt) {
  case 'o': c->out = arg; return 0;
  case 'p':
    if (parse_u64(arg, VMT_MAX_PID, &v) < 0)
      return usage_error("bad pid", arg);
    if (c->o.npids == VMT_MAX_PIDS)
      return usage_error("too many --pid options at", arg);
    c->o.pids[c->o.npids++] = (uint32)v;
    return 0;
  case 'e':
    if (vmt_types_parse_list(arg, &c->o.types, bad, sizeof bad) < 0)
      return usage_error("unknown event type", bad);
    return 0;
  case 'f': return parse_us(arg, &c->o.from_ns) < 0 ? usage_error("bad time", arg) : 0;
  case 't': return parse_us(arg, &c->o.to_ns) < 0 ? usage_error("bad time", arg) : 0;
  case 'c': return parse_us(arg, &c->o.counter_ns) < 0 ? usage_error("bad interval", arg) : 0;
  case 's': c->summary = 1; return 0;
  case 'S':
    if (vmt_syms_add_dir(&c->syms, arg) < 0)
      return usage_error("too many --symbols options at", arg);
    c->o.syms = &c->syms;
    return 0;
  case 'K': c->syms.kernel_path = arg; c->o.syms = &c->syms; return 0;
  case 'w':
    if (parse_u64(arg, VMT_MERGE_WINDOW_MAX, &v) < 0 || v == 0)
      return usage_error("bad window", arg);
    c->window = (uint32)v;
    return 0;
  }
  return 2;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "output", required_argument, 0, 'o' }, { "pid", required_argument, 0, 'p' },
    { "events", required_argument, 0, 'e' }, { "from", required_argument, 0, 'f' },
    { "to", required_argument, 0, 't' },     { "summary", no_argument, 0, 's' },
    { "window", required_argument, 0, 'w' }, { "help", no_argument, 0, 'h' },
    { "version", no_argument, 0, 'V' },      { "counters", required_argument, 0, 'c' },
    { "symbols", required_argument, 0, 'S' }, { "kernel-symbols", required_argument, 0, 'K' },
    { 0, 0, 0, 0 },
  };
  int opt, rc;
  while ((opt = getopt_long(argc, argv, "o:p:e:c:sw:hV", longopts, NULL)) != -1) {
    if (opt == 'h' || opt == 'V') {
      fputs(opt == 'h' ? usage : "vmtrace2perfetto " VMT_TOOLS_VERSION "\n", stdout);
      return -1;
    }
    if (opt == '?')
      return 2;
    if ((rc = parse_option(c, opt, optarg)) != 0)
      return rc;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "vmtrace2perfetto: expected one input file (see --help)\n");
    return 2;
  }
  c->in = argv[optind];
  if (c->o.to_ns < c->o.from_ns) {
    fprintf(stderr, "vmtrace2perfetto: --to is before --from\n");
    return 2;
  }
  return 0;
}

// IN with a trailing .vmt replaced by .json, or .json appended.
static char *default_output(const char *in)
{
  size_t n = strlen(in);
  char *out = malloc(n + 6);
  if (!out)
    return NULL;
  memcpy(out, in, n + 1);
  if (n > 4 && strcmp(in + n - 4, ".vmt") == 0)
    n -= 4;
  memcpy(out + n, ".json", 6);
  return out;
}

static int fail(const char *in, const char *msg)
{
  fprintf(stderr, "vmtrace2perfetto: %s: %s\n", in, msg);
  return 1;
}

// --summary: the same stream and filters, counted instead of converted.
static int summarize(const struct cli *c, FILE *in)
{
  struct vmt_stream s;
  struct vmt_summary sum;
  struct vmt_record r;
  uint64 off;
  int got = -1;
  if (vmt_stream_open(&s, in, c->window) == 0) {
    vmt_summary_init(&sum, &s.rd.hdr);
    while ((got = vmt_stream_next(&s, &r, &off)) > 0)
      if (vmt_filter_shows(&c->o, r.type, r.pid, vmt_ns(&s.rd.hdr, r.ts)))
        vmt_summary_add(&sum, &r, s.implied);
  }
  int rc = got < 0 ? fail(c->in, s.err) : 0;
  if (rc == 0)
    vmt_summary_print(&sum, stdout);
  vmt_stream_close(&s);
  return rc;
}

static int convert(const struct cli *c, FILE *in)
{
  char err[512];
  char *path = c->out ? NULL : default_output(c->in);
  const char *out = c->out ? c->out : strcmp(c->in, "-") == 0 ? "-" : path;
  struct aout ao;
  int rc = 1;
  if (!out)
    rc = fail(c->in, "out of memory");
  else if (aout_open(&ao, out, err, sizeof err) < 0)
    rc = fail(c->in, err);
  else if (vmt_convert(in, ao.f, c->in, &c->o, c->window, err, sizeof err) < 0) {
    aout_abort(&ao);
    if (strcmp(out, "-") != 0)
      remove(out);              // an older JSON must not pass for this input's
    rc = fail(c->in, err);
  } else if (aout_commit(&ao, err, sizeof err) < 0)
    rc = fail(c->in, err);
  else
    rc = 0;
  free(path);
  return rc;
}

int main(int argc, char **argv)
{
  struct cli c = { .window = VMT_MERGE_WINDOW_DEFAULT };
  vmt_filter_all(&c.o);
  vmt_syms_init(&c.syms, stderr);
  c.o.counter_ns = VMT_COUNTER_NS_DEFAULT;
  int rc = parse_args(&c, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;
  FILE *in = strcmp(c.in, "-") == 0 ? stdin : fopen(c.in, "rb");
  if (!in)
    return fail(c.in, strerror(errno));
  if (c.syms.kernel_path)
    vmt_syms_kernel(&c.syms, 0);        // loads it now: a bad path is reported up front
  rc = c.summary ? summarize(&c, in) : convert(&c, in);
  if (in != stdin)
    fclose(in);
  vmt_syms_free(&c.syms);
  return rc;
}
