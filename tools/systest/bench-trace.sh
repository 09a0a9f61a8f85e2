#!/bin/sh
# The tracer's overhead benchmark, end to end (make bench-trace). Figures, not a test:
# it fails only when a boot fails.
#
#   tools/systest/bench-trace.sh [--icount] [--usertests] [-r REPEATS] [-n ROUNDS] [--cpus N] [-o CSV]
#
# For each repeat it boots, one QEMU at a time:
#   traced   kernel/kernel with a host link:   tracebench off; vmtrace record -- tracebench
#            on (the recording goes to build/bench-trace/); tracebench emit
#   notrace  build/kernel-notrace:             tracebench off
# (the two alternate which boots first), and once, on the host clock, a link boot:
# tracebench link into a scratch host file whose size is checked, then deleted.
# --usertests adds one boot that records all of usertests at the default buffer size
# (vmtrace record -- lazy usertests; vmtrace stat: lazy, so that its faults do not move
# with the default policy) and reports its drops and size.
#
# Ratios within one boot (on/off, emit) come from back-to-back pairs inside tracebench.
# Compiled-in-but-off against compiled-out needs two kernels, so two boots: the ratio of
# their `tracebench off` medians is taken per repeat, and repeats show the spread.
#
# --icount boots with the runner's --icount 3 (-icount shift=3,sleep=off): virtual time
# counts instructions (8 ns each) of all harts together and idle time jumps to the next
# timer, so figures repeat from run to run and include the
# recorder's draining on other harts; link throughput is then not measured. Without it the
# time CSR follows the host clock: wall time, drift with host load (the load average is
# printed), draining overlaps on other harts.
#
# Every "csv," line of the consoles goes to analysis/data/tracebench.csv (with --icount
# analysis/data/tracebench-icount.csv; or -o CSV),
# with the repeat and boot prepended; the summary table is computed from that file. The
# commit measured goes to measured-on.txt beside it (analysis/stale_data.sh reads it).
set -u
cd "$(dirname "$0")/../.." || exit 2

REPEATS=3
ROUNDS=21
CPUS=${CPUS:-3}
ICOUNT=0
USERTESTS=0
CSV=
WORK=build/bench-trace
PYTHON=${PYTHON:-python3}

usage() {
  echo "usage: tools/systest/bench-trace.sh [--icount] [--usertests] [-r REPEATS] [-n ROUNDS] [--cpus N] [-o CSV]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --icount) ICOUNT=1 ;;
    --usertests) USERTESTS=1 ;;
    -r) REPEATS=${2:?}; shift ;;
    -n) ROUNDS=${2:?}; shift ;;
    --cpus) CPUS=${2:?}; shift ;;
    -o) CSV=${2:?}; shift ;;
    *) usage ;;
  esac
  shift
done

if [ -z "$CSV" ]; then
  CSV=analysis/data/tracebench.csv
  [ "$ICOUNT" = 1 ] && CSV=analysis/data/tracebench-icount.csv
fi
if [ "$ICOUNT" = 1 ]; then
  CLOCK_OPT="--icount 3"
  IFLAG=" -i"
  TIMEOUT=1800
else
  CLOCK_OPT=""
  IFLAG=""
  TIMEOUT=900
fi

for f in kernel/kernel build/kernel-notrace fs.img; do
  [ -f "$f" ] || { echo "bench-trace: $f missing (make kernel/kernel build/kernel-notrace fs.img)" >&2; exit 2; }
done
mkdir -p "$WORK" "$(dirname "$CSV")"
# Every boot uses these copies, so a rebuild in the tree during the run cannot put two
# different kernels (or file systems) into one comparison.
cp kernel/kernel "$WORK/kernel"
cp build/kernel-notrace "$WORK/kernel-notrace"
cp fs.img "$WORK/fs.img"
# The commit measured, for measured-on.txt: taken now, before this run rewrites its CSV.
. analysis/measured_on.sh
MEASURED=$(measured_commit)
echo "bench-trace: $(git log -1 --format='commit %h' 2>/dev/null)$(git status --porcelain -uno 2>/dev/null | grep -q . && echo ' + uncommitted changes')"

# boot NAME KERNEL RUNNER-OPTIONS COMMAND...: one headless boot, console in $WORK/NAME.log.
boot() {
  name=$1 kernel=$2 opts=$3
  shift 3
  echo "bench-trace: boot $name ($kernel, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # shellcheck disable=SC2086  # the options are words
  "$PYTHON" tools/qemu/qemu_run.py --kernel "$kernel" --fs "$WORK/fs.img" --cpus "$CPUS" --timeout "$TIMEOUT" \
    $CLOCK_OPT $opts --log "$WORK/$name.log" "$@" > /dev/null ||
    { echo "bench-trace: boot $name failed; console in $WORK/$name.log" >&2; exit 1; }
}

# csv_of RUN BOOT [CASE]: the log's csv lines (no header) prefixed by run and boot; and
# from a recorder's summary line its in-band drops and the recording's size, as figures
# of mode "record" and case CASE (default on).
csv_of() {
  tr -d '\r' < "$WORK/$2.log" | grep '^csv,' | grep -v '^csv,clock,' |
    sed "s/^csv,/$1,${2%%-*},/"
  tr -d '\r' < "$WORK/$2.log" | sed -n 's/^vmtrace: .* \([0-9]*\) bytes, dropped per cpu:\(.*\)$/\1 \2/p' |
    awk -v pre="$1,${2%%-*},$CLOCK_NAME,traced,record,${3:-on}" '{ d = 0
      for (i = 2; i <= NF; i++) { split($i, kv, "="); d += kv[2] }
      printf "%s,dropped_inband,1,%d,%d,%d,records\n", pre, d, d, d
      printf "%s,recording_bytes,1,%d,%d,%d,bytes\n", pre, $1, $1, $1 }'
}

traced_boot() {
  vmt=$WORK/on-$1.vmt
  rm -f "$vmt"
  boot "traced-$1" "$WORK/kernel" "--hostlink $vmt" \
    "tracebench off -n $ROUNDS$IFLAG" \
    "vmtrace record -- tracebench on -n $ROUNDS$IFLAG" \
    "tracebench emit -n $ROUNDS$IFLAG"
  if [ -x build/tools/vmtcheck ]; then
    build/tools/vmtcheck -q "$vmt" || { echo "bench-trace: vmtcheck rejects $vmt" >&2; exit 1; }
  fi
}

notrace_boot() {
  boot "notrace-$1" "$WORK/kernel-notrace" "" "tracebench off -n $ROUNDS$IFLAG"
}

# 2 x 3 rounds of 8 MiB; the host file must hold every byte written.
link_boot() {
  bin=$WORK/link.bin
  rm -f "$bin"
  boot link "$WORK/kernel" "--hostlink $bin" "tracebench link -n 3"
  want=$(tr -d '\r' < "$WORK/link.log" | sed -n 's/.*bytes written \([0-9]*\).*/\1/p')
  got=$(wc -c < "$bin")
  rm -f "$bin"
  [ "$want" = "$got" ] || { echo "bench-trace: link wrote $want bytes, host file has $got" >&2; exit 1; }
}

# All of usertests recorded at the default buffer size: its drops (in-band and the
# kernel's counters), its size and record count; vmtcheck and vmt_gaps.py must accept it.
usertests_boot() {
  vmt=$WORK/usertests.vmt
  rm -f "$vmt"
  boot usertests "$WORK/kernel" "--hostlink $vmt" "vmtrace record -- lazy usertests" "vmtrace stat"
  grep -q "ALL TESTS PASSED" "$WORK/usertests.log" ||
    { echo "bench-trace: usertests did not pass under vmtrace record" >&2; exit 1; }
  [ -x build/tools/vmtcheck ] && { build/tools/vmtcheck -q "$vmt" || exit 1; }
  "$PYTHON" tools/systest/vmt_gaps.py "$vmt" > /dev/null || exit 1
}

usertests_csv() {
  csv_of 0 usertests usertests
  lost=$(tr -d '\r' < "$WORK/usertests.log" | awk '/^cpu[0-9]+ fill [0-9]+ lost [0-9]+$/ { s += $5 } END { print s + 0 }')
  echo "0,usertests,$CLOCK_NAME,traced,record,usertests,dropped_kernel,1,$lost,$lost,$lost,records"
}

CLOCK_NAME=host
[ "$ICOUNT" = 1 ] && CLOCK_NAME=icount
echo "run,boot,clock,kernel,mode,case,metric,runs,median,min,max,unit" > "$CSV.tmp"
r=1
while [ "$r" -le "$REPEATS" ]; do
  if [ $((r % 2)) = 1 ]; then traced_boot "$r"; notrace_boot "$r"
  else notrace_boot "$r"; traced_boot "$r"; fi
  csv_of "$r" "traced-$r" >> "$CSV.tmp"
  csv_of "$r" "notrace-$r" >> "$CSV.tmp"
  r=$((r + 1))
done
if [ "$ICOUNT" = 0 ]; then
  link_boot
  csv_of 0 link >> "$CSV.tmp"
fi
if [ "$USERTESTS" = 1 ]; then
  usertests_boot
  usertests_csv >> "$CSV.tmp"
fi
mv "$CSV.tmp" "$CSV"
# The commit these figures describe, for make analysis's warning about data older than
# the kernel (analysis/stale_data.sh).
note_measured_on "$CSV" "$MEASURED"
echo "bench-trace: $(($(wc -l < "$CSV") - 1)) figures in $CSV"
"$PYTHON" tools/systest/bench_trace_summary.py "$CSV"
