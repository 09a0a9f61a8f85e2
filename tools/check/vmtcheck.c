// vmtcheck: the recording checker. Reads a vmtrace recording through the same reader
// and merge as the converter (so every malformed-stream error is the same), checks each
// CPU's sequence numbers, prints the header and the counts per type and CPU, and checks
// the counts a test expects. Exit 0 if all is well, 1 otherwise, 2 on bad usage.
//
// Sequence rule: on each CPU, seq goes up by one per record. A jump is allowed only
// onto a VMT_LOST record whose count covers the missing numbers (the dropped records
// used up their seq numbers; the VMT_LOST record takes the next one). The first record
// of a CPU may start anywhere, since recording may begin after the kernel has counted.
//
// Chain rule: a VMT_FAULT_CHAIN record comes right after the VMT_FAULT_BEGIN of its
// fault, on the same CPU and with the same pid; or right after a VMT_LOST record (the
// begin was among the drops), or first on its CPU (recording began between the two).
//
// Copy-on-write rules (version 4): vmt_cowcheck.h. Page balance: vmt_balance.h.
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools/check/vmt_balance.h"
#include "tools/check/vmt_cowcheck.h"
#include "tools/convert/vmt_filter.h"
#include "tools/convert/vmt_names.h"
#include "tools/convert/vmt_stream.h"
#include "tools/convert/vmt_summary.h"

#define MAX_EXPECT 64
#define MAX_SEQUENCE 256
#define MARKER_MAX 256

static const char usage[] =
  "usage: vmtcheck [options] REC\n"
  "Checks a vmtrace recording (REC, '-' for standard input): header, record framing,\n"
  "types, CPUs, timestamps, and per-CPU sequence numbers (a gap must be covered by a\n"
  "VMT_LOST record), that each call chain follows its fault's begin, that no process\n"
  "unmaps more pages than it mapped or was shared, and the copy-on-write rules that\n"
  "span records (version 4). Prints the\n"
  "header and the counts per type and CPU.\n"
  "  -e, --expect NAME=N  fail unless the count NAME is exactly N (repeatable). NAME is\n"
  "                       a record type (fault_begin, kalloc, ...), records, dropped\n"
  "                       (sum of VMT_LOST counts), free_pages_end (header's free\n"
  "                       pages - kallocs + kfrees), fault_mapped, fault_illegal,\n"
  "                       fault_protection, fault_nomem, fault_spurious,\n"
  "                       fault_copied, fault_taken, cow_nomem (copy-on-write\n"
  "                       faults out of memory), share_pages, share_cow_pages,\n"
  "                       kalloc_in_fault, kfree_in_fault, map_in_fault,\n"
  "                       unmap_in_fault (data pages, in faults not copy-on-write),\n"
  "                       the same with _in_cow_fault (in copy-on-write faults)\n"
  "                       or ptpages_in_fault (page-table pages)\n"
  "  -p, --pid N          count only records of pid N (repeatable)\n"
  "  -b, --between BEGIN,END  count only the records of the process that wrote the\n"
  "                       marker BEGIN, from it up to its marker END\n"
  "  -s, --sequence LIST  with --between: fail unless the record types in the window,\n"
  "                       context switches left out, are exactly LIST (comma-separated)\n"
  "  -w, --window N       records the per-CPU merge may hold (default 524288)\n"
  "  -q, --quiet          print only problems\n"
  "  -h, --help           this text\n";

struct expect {
  const char *name;
  uint64 want;
};

// The --between window: which process and which stretch of its records count.
struct between {
  char *begin, *end;        // marker texts; begin == 0: no window
  int state;                // 0 before BEGIN, 1 inside, 2 after END
  uint32 pid;               // the process that wrote BEGIN
  char text[NCPU][MARKER_MAX];   // marker text being assembled per CPU (VMT_MORE)
  unsigned len[NCPU];
  unsigned seq[MAX_SEQUENCE];    // types seen inside the window (for --sequence)
  unsigned nseq;
};

struct check {
  struct vmt_filter filter;
  struct expect expect[MAX_EXPECT];
  unsigned nexpect;
  uint32 window;
  int quiet;
  struct between between;
  unsigned want_seq[MAX_SEQUENCE];
  int nwant_seq;            // -1: no --sequence
};

struct seqstate {
  int seen[NCPU];
  uint32 last[NCPU];
  struct vmt_record prev[NCPU];   // the CPU's previous record (valid if seen)
};

static int bad_usage(const char *what, const char *arg)
{
  fprintf(stderr, "vmtcheck: %s '%s' (see --help)\n", what, arg);
  return 2;
}

static int add_expect(struct check *c, char *arg)
{
  char *eq = strchr(arg, '='), *end;
  if (!eq || c->nexpect == MAX_EXPECT)
    return bad_usage("bad --expect", arg);
  *eq = 0;
  errno = 0;
  unsigned long long n = strtoull(eq + 1, &end, 10);
  if (errno || end == eq + 1 || *end)
    return bad_usage("bad count in --expect", eq + 1);
  c->expect[c->nexpect++] = (struct expect){ arg, n };
  return 0;
}

static int set_between(struct between *b, char *arg)
{
  char *comma = strchr(arg, ',');
  if (!comma || comma == arg || !comma[1])
    return bad_usage("bad --between (want BEGIN,END)", arg);
  *comma = 0;
  b->begin = arg;
  b->end = comma + 1;
  return 0;
}

static int set_sequence(struct check *c, char *arg)
{
  c->nwant_seq = 0;
  for (char *name = strtok(arg, ","); name; name = strtok(NULL, ",")) {
    unsigned t = vmt_type_parse(name, strlen(name));
    if (!t || c->nwant_seq == MAX_SEQUENCE)
      return bad_usage("bad or too long --sequence at", name);
    c->want_seq[c->nwant_seq++] = t;
  }
  return 0;
}

static int parse_option(struct check *c, int o, char *arg)
{
  char *end;
  unsigned long long v = 0;
  if (o == 'p' || o == 'w') {
    errno = 0;
    v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || *arg == '-')
      return bad_usage("bad number", arg);
  }
  switch (o) {
  case 'e': return add_expect(c, arg);
  case 'b': return set_between(&c->between, arg);
  case 's': return set_sequence(c, arg);
  case 'p':
    if (v > VMT_MAX_PID || c->filter.npids == VMT_MAX_PIDS)
      return bad_usage("bad or too many pids", arg);
    c->filter.pids[c->filter.npids++] = (uint32)v;
    return 0;
  case 'w':
    if (v == 0 || v > VMT_MERGE_WINDOW_MAX)
      return bad_usage("bad window", arg);
    c->window = (uint32)v;
    return 0;
  case 'q': c->quiet = 1; return 0;
  case 'h': fputs(usage, stdout); return -1;
  default: return 2;
  }
}

static int parse_args(struct check *c, int argc, char **argv)
{
  static const struct option lo[] = {
    { "expect", 1, 0, 'e' }, { "pid", 1, 0, 'p' }, { "window", 1, 0, 'w' },
    { "between", 1, 0, 'b' }, { "sequence", 1, 0, 's' },
    { "quiet", 0, 0, 'q' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
  };
  int o, rc;
  while ((o = getopt_long(argc, argv, "e:p:w:b:s:qh", lo, NULL)) != -1)
    if ((rc = parse_option(c, o, optarg)) != 0)
      return rc;
  if (c->nwant_seq >= 0 && !c->between.begin) {
    fputs("vmtcheck: --sequence needs --between\n", stderr);
    return 2;
  }
  if (optind != argc - 1) {
    fputs(usage, stderr);
    return 2;
  }
  return 0;
}

// Checks r's seq against the previous record of its CPU; 0, or -1 with msg set.
static int check_seq(struct seqstate *s, const struct vmt_record *r, uint64 off, char *msg,
                     size_t n)
{
  unsigned c = r->cpu;
  uint32 gap = r->seq - (s->last[c] + 1);
  int first = !s->seen[c];
  s->seen[c] = 1;
  s->last[c] = r->seq;
  if (first || gap == 0 || (r->type == VMT_LOST && gap <= r->a))
    return 0;
  if (gap >= 0x80000000u)
    snprintf(msg, n, "offset %llu: cpu %u: sequence number %u repeats or goes back",
             (unsigned long long)off, c, r->seq);
  else if (r->type == VMT_LOST)
    snprintf(msg, n, "offset %llu: cpu %u: VMT_LOST reports %llu records lost but %u "
             "sequence numbers are missing", (unsigned long long)off, c,
             (unsigned long long)r->a, gap);
  else
    snprintf(msg, n, "offset %llu: cpu %u: sequence jumps by %u (to %u) with no VMT_LOST "
             "record explaining it", (unsigned long long)off, c, gap + 1, r->seq);
  return -1;
}

// Checks that a chain record follows its fault's begin (the chain rule above); 0, or
// -1 with msg set. Call before check_seq, which moves on to r.
static int check_chain(struct seqstate *s, const struct vmt_record *r, uint64 off, char *msg,
                       size_t n)
{
  unsigned c = r->cpu;
  const struct vmt_record *p = &s->prev[c];
  int ok = r->type != VMT_FAULT_CHAIN || !s->seen[c] || p->type == VMT_LOST ||
           (p->type == VMT_FAULT_BEGIN && p->pid == r->pid && p->seq + 1 == r->seq);
  s->prev[c] = *r;
  if (ok)
    return 0;
  snprintf(msg, n, "offset %llu: cpu %u: call chain (seq %u, pid %u) does not follow a "
           "fault begin of its pid (previous: %s, seq %u, pid %u)", (unsigned long long)off, c,
           r->seq, r->pid, vmt_type_name(p->type), p->seq, p->pid);
  return -1;
}

// The counts with names of their own (not a type, not TYPE_in_fault).
static int named_count(const struct vmt_summary *s, const char *name, uint64 *n)
{
  static const char *const outcomes[] = { "fault_mapped", "fault_illegal",
                                          "fault_protection", "fault_nomem",
                                          "fault_spurious", "fault_copied", "fault_taken" };
  const struct { const char *name; uint64 v; } fixed[] = {
    { "records", s->records }, { "dropped", vmt_summary_dropped(s) },
    { "ptpages_in_fault", s->ptpages_in_fault },
    { "free_pages_end", (uint64)vmt_summary_free_end(s) },
    { "cow_nomem", s->cow_faults[VMT_OUT_NOMEM] }, { "share_pages", s->share_pages },
    { "share_cow_pages", s->share_cow_pages },
  };
  for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (strcmp(name, fixed[i].name) == 0) {
      *n = fixed[i].v;
      return 0;
    }
  for (unsigned o = 0; o < sizeof outcomes / sizeof outcomes[0]; o++)
    if (strcmp(name, outcomes[o]) == 0) {
      *n = s->outcome[o];
      return 0;
    }
  return -1;
}

// TYPE_in_fault and TYPE_in_cow_fault for the page event types.
static int in_fault_count(const struct vmt_summary *s, const char *name, uint64 *n)
{
  static const char *const suffix[] = { "_in_fault", "_in_cow_fault" };
  size_t len = strlen(name);
  for (unsigned k = 0; k < 2; k++) {
    size_t m = strlen(suffix[k]);
    unsigned t;
    if (len > m && strcmp(name + len - m, suffix[k]) == 0 &&
        (t = vmt_type_parse(name, len - m)) >= VMT_KALLOC && t <= VMT_UNMAP) {
      *n = k ? s->in_cow_fault[t] : s->in_fault[t];
      return 0;
    }
  }
  return -1;
}

// The count called name; -1 if there is no such count.
static int count_of(const struct vmt_summary *s, const char *name, uint64 *n)
{
  unsigned t = vmt_type_parse(name, strlen(name));
  if (t) {
    *n = vmt_summary_total(s, t);
    return 0;
  }
  return named_count(s, name, n) == 0 ? 0 : in_fault_count(s, name, n);
}

static int check_expectations(const struct check *c, const struct vmt_summary *s,
                              const char *name)
{
  int bad = 0;
  for (unsigned i = 0; i < c->nexpect; i++) {
    uint64 n = 0;
    count_of(s, c->expect[i].name, &n);
    if (n != c->expect[i].want) {
      fprintf(stderr, "vmtcheck: %s: expected %s=%llu, found %llu\n", name, c->expect[i].name,
              (unsigned long long)c->expect[i].want, (unsigned long long)n);
      bad = 1;
    }
  }
  return bad;
}

// Follow r through the --between window: markers open and close it. Returns 1 if r
// counts (it is inside the window, from the window's process, and not a marker).
static int in_window(struct between *b, const struct vmt_record *r)
{
  if (!b->begin)
    return 1;
  if (r->type != VMT_MARKER)
    return b->state == 1 && r->pid == b->pid;
  unsigned c = r->cpu, n = b->len[c];
  for (unsigned i = 0; i < 16 && n < MARKER_MAX - 1; i++, n++)
    b->text[c][n] = i < 8 ? (char)(r->a >> (8 * i)) : (char)(r->b >> (8 * (i - 8)));
  b->text[c][n] = 0;
  b->len[c] = (r->flags & VMT_MORE) ? n : 0;
  if (r->flags & VMT_MORE)
    return 0;
  if (b->state == 0 && strcmp(b->text[c], b->begin) == 0) {
    b->state = 1;
    b->pid = r->pid;
  } else if (b->state == 1 && r->pid == b->pid && strcmp(b->text[c], b->end) == 0) {
    b->state = 2;
  }
  return 0;
}

static void note_sequence(struct between *b, const struct vmt_record *r)
{
  if (r->type != VMT_SWITCH && b->nseq < MAX_SEQUENCE)
    b->seq[b->nseq++] = r->type;
}

// The window was seen whole and, with --sequence, held exactly the listed types.
static int check_window(const struct check *c, const char *name)
{
  const struct between *b = &c->between;
  if (!b->begin)
    return 0;
  if (b->state != 2) {
    fprintf(stderr, "vmtcheck: %s: markers '%s' ... '%s' not found\n", name, b->begin, b->end);
    return 1;
  }
  if (c->nwant_seq < 0)
    return 0;
  for (unsigned i = 0; i < b->nseq || i < (unsigned)c->nwant_seq; i++) {
    unsigned got = i < b->nseq ? b->seq[i] : 0, want = i < (unsigned)c->nwant_seq ? c->want_seq[i] : 0;
    if (got != want) {
      fprintf(stderr, "vmtcheck: %s: record %u of the window is %s, expected %s\n", name, i + 1,
              got ? vmt_type_name(got) : "(end)", want ? vmt_type_name(want) : "(end)");
      return 1;
    }
  }
  return 0;
}

// Reads the whole stream; 0, or -1 after printing the first problem.
static int scan(struct check *c, FILE *in, const char *name, struct vmt_summary *sum)
{
  struct vmt_stream s;
  static struct seqstate seq;
  static struct cow_check cow;
  static struct bal_check bal;
  memset(&seq, 0, sizeof seq);
  struct vmt_record r;
  uint64 off;
  char msg[256];
  int got = -1;
  const char *err = msg;
  msg[0] = 0;
  if (vmt_stream_open(&s, in, c->window) == 0) {
    vmt_summary_init(sum, &s.rd.hdr);
    cow_init(&cow, &s.rd.hdr);
    bal_init(&bal);
    while ((got = vmt_stream_next(&s, &r, &off)) > 0) {
      if ((!s.implied && (check_chain(&seq, &r, off, msg, sizeof msg) < 0 ||
                          check_seq(&seq, &r, off, msg, sizeof msg) < 0)) ||
          cow_record(&cow, &r, off, msg, sizeof msg) < 0) {
        got = -1;
        break;
      }
      bal_record(&bal, &r, off);
      if (!in_window(&c->between, &r) || !vmt_filter_pid(&c->filter, r.pid))
        continue;
      vmt_summary_add(sum, &r, s.implied);
      note_sequence(&c->between, &r);
    }
    if (got == 0 && (cow_finish(&cow, msg, sizeof msg) < 0 || bal_finish(&bal, msg, sizeof msg) < 0))
      got = -1;
  }
  if (got < 0 && !msg[0])
    err = s.err;
  if (got < 0)
    fprintf(stderr, "vmtcheck: %s: %s\n", name, err);
  vmt_stream_close(&s);
  return got < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
  static struct check c = { .window = VMT_MERGE_WINDOW_DEFAULT, .nwant_seq = -1 };
  static struct vmt_summary sum;
  int rc = parse_args(&c, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;
  for (unsigned i = 0; i < c.nexpect; i++) {
    uint64 n;
    if (count_of(&sum, c.expect[i].name, &n) < 0)
      return bad_usage("unknown count name", c.expect[i].name);
  }
  const char *name = argv[optind];
  FILE *in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
  if (!in) {
    fprintf(stderr, "vmtcheck: %s: %s\n", name, strerror(errno));
    return 1;
  }
  rc = scan(&c, in, name, &sum) < 0;
  if (in != stdin)
    fclose(in);
  if (rc)
    return 1;
  if (!c.quiet)
    vmt_summary_print(&sum, stdout);
  if (check_expectations(&c, &sum, name) || check_window(&c, name))
    return 1;
  if (!c.quiet)
    printf("vmtcheck: %s: ok\n", name);
  return 0;
}
