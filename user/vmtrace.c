// vmtrace: record the kernel's memory events while a command runs, in the spirit of
// perf record and trace-cmd record.
//
//   vmtrace record [-o DEST] [-e EVENTS] [-b RECORDS] [-w TICKS] -- CMD ARGS...
//   vmtrace stat
//
// record writes a stream (tracing/vmtrace_format.h: header, then records) to DEST, by
// default /dev/hostlink, the virtio port QEMU backs with a file on the host. Three
// processes share the work: this one configures tracing and waits for CMD; a child runs
// CMD; another child drains /dev/vmtrace into DEST until tracing is switched off and the
// rings are empty, then prints the summary.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"
#include "user/printf_check.h"
#include "user/lib/number.h"
#include "tracing/vmtrace_format.h"

#define DEFAULT_DEST "/dev/hostlink"
#define CTL "/dev/vmtracectl"
#define DEV "/dev/vmtrace"
#define MAXCPU 8

static const char *const type_names[VMT_NTYPES] = VMT_TYPE_NAMES;

struct options {
  char *dest;
  uint events;      // 0: the kernel's default (everything)
  int bufsize;      // 0: leave as is
  int block;        // -1: leave as is
  char **cmd;
};

static void usage(int status)
{
  fprintf(2, "usage: vmtrace record [-o DEST] [-e EVENTS] [-b RECORDS] [-w TICKS] -- CMD [ARGS...]\n"
             "       vmtrace stat\n"
             "  -o DEST     where the recording goes (default " DEFAULT_DEST ")\n"
             "  -e EVENTS   comma-separated event types to record (default all):\n"
             "              fault (= fault_begin,fault_end,chain), kalloc, kfree, map,\n"
             "              unmap, sbrk, fork, exec, exit, kill, switch, marker; chain\n"
             "              (a fault's user call chain) comes only with fault_begin\n"
             "  -b RECORDS  per-CPU ring size in records (16 .. 32768, a power of two)\n"
             "  -w TICKS    when a CPU's ring is 3/4 full, its process waits for the\n"
             "              recorder instead of losing events, unless the recorder takes\n"
             "              nothing for TICKS (0.1 s each); 0: never wait, drop (default 5)\n");
  exit(status);
}

static uint64 rdtime(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

// ---- Control ----------------------------------------------------------------------------

static void ctl_or_die(const char *cmd)
{
  if (vmtrace_ctl(cmd) < 0) {
    fprintf(2, "vmtrace: '%s' refused by " CTL "\n", cmd);
    exit(1);
  }
}

// ---- Options ------------------------------------------------------------------------------

static int parse_event(const char *name, int n, uint *mask)
{
  if (n == 5 && memcmp(name, "fault", 5) == 0) {
    *mask |= VMT_FAULT_EVENTS;
    return 0;
  }
  for (int t = 1; t < VMT_NTYPES; t++) {
    if (type_names[t] && strlen(type_names[t]) == n && memcmp(type_names[t], name, n) == 0) {
      *mask |= 1u << t;
      return 0;
    }
  }
  return -1;
}

static uint parse_events(char *list)
{
  uint mask = 1u << VMT_LOST;   // losses are always reported
  for (char *p = list; *p; ) {
    char *comma = strchr(p, ',');
    int n = comma ? comma - p : strlen(p);
    if (parse_event(p, n, &mask) < 0) {
      fprintf(2, "vmtrace: unknown event type in '%s'\n", list);
      usage(1);
    }
    p += n + (comma != 0);
  }
  return mask;
}

static void parse_record_args(int argc, char **argv, struct options *o)
{
  o->dest = DEFAULT_DEST;
  o->block = -1;
  int i = 2;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (strcmp(argv[i], "-h") == 0)
      usage(0);
    if (i + 1 >= argc)
      usage(1);
    if (strcmp(argv[i], "-o") == 0)
      o->dest = argv[++i];
    else if (strcmp(argv[i], "-e") == 0)
      o->events = parse_events(argv[++i]);
    else if (strcmp(argv[i], "-b") == 0)
      o->bufsize = atoi(argv[++i]);
    else if (strcmp(argv[i], "-w") == 0)
      o->block = atoi(argv[++i]);
    else
      usage(1);
  }
  if (i + 1 >= argc)
    usage(1);   // no "--", or nothing after it
  o->cmd = &argv[i + 1];
}

// ---- Recording ----------------------------------------------------------------------------

static void write_header(int out)
{
  char status[1024];
  if (vmtrace_status(status, sizeof(status)) < 0) {
    fprintf(2, "vmtrace: cannot read " CTL " (tracing compiled out?)\n");
    exit(1);
  }
  struct vmt_header h;
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, VMT_MAGIC, sizeof(h.magic));
  h.version = VMT_VERSION;
  h.header_size = sizeof(h);
  h.record_size = sizeof(struct vmt_record);
  h.ncpu = vmtrace_status_value(status, "ncpu");
  h.timer_hz = vmtrace_status_value(status, "timer_hz");
  h.page_size = vmtrace_status_value(status, "page_size");
  h.free_pages = freemem();
  h.start_ts = rdtime();
  if (h.record_size != vmtrace_status_value(status, "record_size")) {
    fprintf(2, "vmtrace: kernel and vmtrace disagree on the record size\n");
    exit(1);
  }
  if (write(out, &h, sizeof(h)) != sizeof(h)) {
    fprintf(2, "vmtrace: cannot write the header (no host link? see README)\n");
    exit(1);
  }
}

struct tally {
  uint64 by_type[VMT_NTYPES];
  uint64 lost[MAXCPU];
  uint64 bytes;
};

static void count(struct tally *t, struct vmt_record *r, int n)
{
  for (int i = 0; i < n; i++) {
    if (r[i].type < VMT_NTYPES)
      t->by_type[r[i].type]++;
    if (r[i].type == VMT_LOST && r[i].cpu < MAXCPU)
      t->lost[r[i].cpu] += r[i].a;
  }
}

static void print_summary(struct tally *t)
{
  uint64 total = 0;
  printf("vmtrace: recorded");
  for (int i = 1; i < VMT_NTYPES; i++) {
    total += t->by_type[i];
    if (t->by_type[i])
      printf(" %s=%lu", type_names[i], t->by_type[i]);
  }
  printf("\nvmtrace: %lu events, %lu bytes, dropped per cpu:", total, t->bytes);
  for (int c = 0; c < MAXCPU; c++)
    if (t->lost[c] || c == 0)
      printf(" cpu%d=%lu", c, t->lost[c]);
  printf("\n");
}

// The drainer: copy records until tracing is off and the rings are empty (read == 0).
static void drain(int in, int out)
{
  // Large reads: one system call and one host-link write per many records, so the
  // drainer keeps up with fault storms on every other CPU.
  static struct vmt_record buf[32768 / sizeof(struct vmt_record)];
  struct tally t;
  memset(&t, 0, sizeof(t));
  int n;
  while ((n = read(in, buf, sizeof(buf))) > 0) {
    if (write(out, buf, n) != n) {
      fprintf(2, "vmtrace: write to the destination failed after %lu bytes\n", t.bytes);
      vmtrace_ctl("disable");
      exit(1);
    }
    count(&t, buf, n / sizeof(struct vmt_record));
    t.bytes += n;
  }
  if (n < 0) {
    fprintf(2, "vmtrace: read " DEV " failed\n");
    exit(1);
  }
  t.bytes += sizeof(struct vmt_header);
  print_summary(&t);
  exit(0);
}

// Run cmd in a child that holds neither the destination nor the gate open, under the
// fork policy policy (the recorder's own is copy: see record).
static int spawn(char **cmd, int out, int gate, int policy)
{
  int pid = fork();
  if (pid == 0) {
    close(out);
    close(gate);
    forkpolicy(policy);
    exec(cmd[0], cmd);
    fprintf(2, "vmtrace: exec %s failed\n", cmd[0]);
    exit(127);
  }
  return pid;
}

// "word v", v in base 10 or 16, into buf (at least 48 bytes).
static char *command(char *buf, const char *word, uint v, int base)
{
  append_num(append_str(append_str(buf, word), " "), v, base);
  return buf;
}

static void configure(struct options *o)
{
  char buf[48];
  ctl_or_die("disable");
  if (o->events)
    ctl_or_die(command(buf, "events", o->events, 16));
  if (o->bufsize)
    ctl_or_die(command(buf, "bufsize", o->bufsize, 10));   // resets too
  if (o->block >= 0)
    ctl_or_die(command(buf, "block", o->block, 10));
  ctl_or_die("reset");
}

static int record(struct options *o)
{
  int out = open(o->dest, O_WRONLY | O_CREATE | O_TRUNC);
  if (out < 0) {
    fprintf(2, "vmtrace: cannot open %s\n", o->dest);
    return 1;
  }
  configure(o);
  int in = open(DEV, O_RDONLY);
  if (in < 0) {
    fprintf(2, "vmtrace: cannot open " DEV " (another recorder running?)\n");
    return 1;
  }
  // The drainer is forked before the header counts free pages, and the gate pipe that
  // holds it back stays open until tracing is off: so the recording starts and ends
  // with the same set of pages in use outside it, and its free-page counter must come
  // back to where it started once the command has exited.
  // The recorder's processes fork by copying, so that none shares a page copy-on-write
  // with another: a page its drainer or itself wrote while recording would be copied
  // then, and would show in the workload's recording and free-page counts as if the
  // workload had taken it. The command gets the policy the recorder was started with.
  int policy = forkpolicy(FORKPOLICY_COPY);
  int gate[2];
  if (pipe(gate) < 0) {
    fprintf(2, "vmtrace: pipe failed\n");
    return 1;
  }
  int drainer = fork();
  if (drainer == 0) {
    char go;
    close(gate[1]);
    if (read(gate[0], &go, 1) != 1)
      exit(1);   // the recorder gave up before enabling
    drain(in, out);
  }
  close(gate[0]);
  close(in);
  write_header(out);
  ctl_or_die("enable");
  write(gate[1], "g", 1);
  int cmd = spawn(o->cmd, out, gate[1], policy);
  close(out);

  int status = -1, pid;
  while ((pid = wait(&status)) != cmd && pid >= 0)
    ;   // the drainer ends only after disable, so this is cmd (or a failure)
  vmtrace_ctl("disable");
  close(gate[1]);
  int dstatus;
  wait(&dstatus);
  return dstatus != 0 ? 1 : status;
}

static int stat_cmd(void)
{
  char status[1024];
  if (vmtrace_status(status, sizeof(status)) < 0) {
    fprintf(2, "vmtrace: cannot read " CTL " (tracing compiled out?)\n");
    return 1;
  }
  printf("%s", status);
  printf("free_pages %d\n", freemem());
  return 0;
}

int main(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "record") == 0) {
    struct options o;
    memset(&o, 0, sizeof(o));
    parse_record_args(argc, argv, &o);
    return record(&o);
  }
  if (argc >= 2 && strcmp(argv[1], "stat") == 0)
    return stat_cmd();
  usage(argc >= 2 && strcmp(argv[1], "-h") == 0 ? 0 : 1);
  return 1;
}
