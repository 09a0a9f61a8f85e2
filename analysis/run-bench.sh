#!/bin/sh
# make bench: boot faultline headless, run the sbrk benchmark (sbrkbench: eager, lazy and
# fault-around, interleaved in one boot) and the fork benchmark (forkbench: copy-on-write
# against copying fork) on each clock, record one workload for the recording figures, and
# store the results under analysis/data/. Figures, not a test: it fails only when a boot
# or a step fails.
#
#   analysis/run-bench.sh [--clocks "host icount"] [-n REPEATS] [--cpus N] [--no-record]
#                         [--record-clock icount|host] [--parts "sbrk fork record"]
#                         (parts: any of sbrk fork record profile)
#
#   host    plain TCG: the time CSR follows the host clock (wall time; drifts with host
#           load, so the load average is printed with each boot)
#   icount  tools/qemu/qemu_run.py --icount 3 (QEMU -icount shift=3): virtual time counts
#           instructions, 8 ns each, of all harts on one host thread, so computation is
#           timed the same whatever the host's load
#
# --parts picks what runs (default all three; --no-record drops the recording):
#
# sbrk: for each clock, sbrkbench [-i] -n REPEATS -o /dev/hostlink, with the host link
# attached to a file, so that file is the CSV; it becomes analysis/data/sbrkbench-CLOCK.csv
# once it has the header and every workload's rows. The console log stays in build/bench/.
# sbrkbench runs under copyfork: its fork workload measures what a copying fork costs
# for a lazy heap against an eager one (REPORT.md section 4), and its other workloads
# measure each case in a child whose own writes should copy nothing.
# One more icount boot with a single hart, fork only (analysis/data/sbrkbench-icount-cpus1.csv):
# under icount the idle harts' time counts too, so fork on one hart against three shows
# whether idle harts slow fork down (they did while fork copied holding the child's lock;
# REPORT.md, kernel findings).
#
# fork: for each clock, forkbench [-i] -n FORK_ROUNDS -o /dev/hostlink into
# analysis/data/forkbench-CLOCK.csv, and its "goal" lines (copy-on-write fork's goals,
# met or not) printed here. The icount boot runs on one hart: with three, icount boots
# have stalled when QEMU's single thread shares a host core with other work, and fork's
# figures do not depend on the harts (kernel finding 1 of REPORT.md). The host-clock boot
# runs on --cpus harts, as the other host-clock boots do. Both boot with FORK_MEM of RAM
# (the other parts keep the default 128M): copying fork of 64 MiB resident needs 64 MiB
# twice, the parent's and the child's copy, which 128 MiB cannot hold, so only with more
# is copy-on-write's 64 MiB goal judged at 64 MiB. forkbench's big case (two thirds of
# free memory) then holds two thirds of this machine's.
#
# profile (only when asked for: --parts profile): usertests recorded under each fork
# policy (tools/qemu/qemu_trace.py --fork-policy, 3 harts, the lazy sbrk policy as make
# qemu-trace), faults counted by source and outcome (analysis/fault_outcomes.py) into
# analysis/data/usertests-fault-outcomes.csv: what copy-on-write fork changes in
# usertests' fault profile. About two minutes; the recordings stay in build/bench/.
#
# record: vmtrace record of lazytests (RECORD_CMD below), then vmtrace stat in the
# same boot for the kernel's own counters (records dropped per CPU, times a process was
# held back for the reader), summarized by analysis/vmt_summary.py into
# analysis/data/lazytests-*.csv; the recording itself (a few MB) stays in build/bench/.
# It runs under icount by default, so its latencies are virtual time and repeat from run
# to run whatever the host's load (--record-clock host for wall time).
set -eu
cd "$(dirname "$0")/.." || exit 2

CLOCKS="host icount"
REPEATS=21
CPUS=3
RECORD=1
RECORD_CLOCK=icount
PARTS="sbrk fork record"
FORK_ROUNDS=5   # forkbench's cases are long (up to 64 MiB) and icount repeats them exactly
FORK_MEM=256M   # the fork part's RAM: copying fork of 64 MiB needs 64 MiB twice
ICOUNT_SHIFT=3
WORK=build/bench
DATA=analysis/data
PYTHON=${PYTHON:-python3}
# Every fault outcome, sparse heaps, fork and exec of them, faults on three CPUs at once.
# Only the events the figures use: kalloc, kfree and switch records would double the
# volume and the tracer's share of the fault latencies. Back-pressure (the default
# `block`) holds a process that outruns the recorder, so nothing should be lost; the
# summaries count any lost record, and vmtrace stat says how often a process was held.
RECORD_CMD="vmtrace record -e fault,map,unmap,sbrk,fork,exec,exit,kill,marker -- lazytests"
# The fault profile needs only the faults' ends, forks and shares (and the markers that
# name the tests).
PROFILE_EVENTS="fault,share,fork,exec,exit,marker"

usage() {
  echo "usage: analysis/run-bench.sh [--clocks \"host icount\"] [-n REPEATS] [--cpus N] [--no-record] [--record-clock icount|host] [--parts \"sbrk fork record profile\"]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --clocks) CLOCKS=${2:?}; shift ;;
    -n) REPEATS=${2:?}; shift ;;
    --cpus) CPUS=${2:?}; shift ;;
    --no-record) RECORD=0 ;;
    --record-clock) RECORD_CLOCK=${2:?}; shift ;;
    --parts) PARTS=${2:?}; shift ;;
    *) usage ;;
  esac
  shift
done
case $RECORD_CLOCK in
  host | icount) ;;
  *) usage ;;
esac
for part in $PARTS; do
  case $part in
    sbrk | fork | record | profile) ;;
    *) usage ;;
  esac
done
case " $PARTS " in *" record "*) ;; *) RECORD=0 ;; esac

# part NAME: true if NAME is among the parts to run.
part() {
  case " $PARTS " in *" $1 "*) return 0 ;; esac
  return 1
}

fail() {
  echo "bench: $*" >&2
  exit 1
}

for f in kernel/kernel fs.img; do
  [ -f "$f" ] || fail "$f missing (make kernel/kernel fs.img)"
done
mkdir -p "$WORK" "$DATA"
# The commit measured, taken before anything boots (analysis/measured_on.sh).
. analysis/measured_on.sh
MEASURED=$(measured_commit)

# boot LOG RUNNER-OPTIONS EXPECT COMMAND...: one headless boot that must print EXPECT.
boot() {
  log=$1 opts=$2 expect=$3
  shift 3
  cmds=$(printf '%s; ' "$@")
  echo "bench: ${cmds%; } ($opts; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # shellcheck disable=SC2086  # opts are words
  "$PYTHON" tools/qemu/qemu_run.py --cpus "$CPUS" --timeout 1200 $opts --log "$log" \
    --expect "$expect" "$@" > /dev/null ||
    fail "boot failed; console log in $log"
}

# clock_opts CLOCK: the runner's options for that clock.
clock_opts() {
  case $1 in
    host) echo "" ;;
    icount) echo "--icount $ICOUNT_SHIFT" ;;
    *) fail "unknown clock '$1' (host, icount)" ;;
  esac
}

# stat_info LOG: vmtrace stat's counters in the console log as vmt_summary --info
# arguments: held (times a process waited for the reader) and dropped_kernel (the
# rings' lost counts, summed over CPUs). The recorder resets the rings' counts when it
# starts; held counts from boot, and the recording is the boot's only tracing.
stat_info() {
  tr -d '\r' < "$1" | awk '
    $1 == "held" && NF == 2 { held = $2 }
    $1 ~ /^cpu[0-9]+$/ && $2 == "fill" && $4 == "lost" { lost += $5; seen = 1 }
    END { if (held == "" || !seen) exit 1
          printf "--info held=%d --info dropped_kernel=%d\n", held, lost }'
}

# A CSV is complete when every line has the 12 columns, the clock is right, and the
# workloads asked for (default all five) are there.
check_csv() {
  awk -F, -v clock="$2" -v want="${3:-sbrk dense sparse fork hash}" '
    NR == 1 { if ($0 != "clock,workload,policy,param,param_unit,runs,metric,median,min,max,unit,status") bad = 1; next }
    NF != 12 || $1 != clock { bad = 1 }
    { seen[$2] = 1 }
    END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!seen[w[i]]) bad = 1; exit bad }
  ' "$1"
}

for clock in $CLOCKS; do
  part sbrk || break
  opts=$(clock_opts "$clock")
  flag=""
  [ "$clock" = icount ] && flag=" -i"
  csv=$WORK/sbrkbench-$clock.csv
  rm -f "$csv"
  boot "$WORK/sbrkbench-$clock.log" "$opts --hostlink $csv" "sbrkbench: done" \
    "copyfork sbrkbench$flag -n $REPEATS -o /dev/hostlink"
  check_csv "$csv" "$clock" || fail "$csv is incomplete; console log in $WORK/sbrkbench-$clock.log"
  mv "$csv" "$DATA/sbrkbench-$clock.csv"
  note_measured_on "$DATA/sbrkbench-$clock.csv" "$MEASURED"
  echo "bench: $DATA/sbrkbench-$clock.csv ($(($(wc -l < "$DATA/sbrkbench-$clock.csv") - 1)) figures)"
done

case " $CLOCKS :$PARTS " in
  *" icount "*:*sbrk*)
    csv=$WORK/sbrkbench-icount-cpus1.csv
    rm -f "$csv"
    saved_cpus=$CPUS
    CPUS=1
    boot "$WORK/sbrkbench-icount-cpus1.log" "--icount $ICOUNT_SHIFT --hostlink $csv" \
      "sbrkbench: done" "copyfork sbrkbench -i -n 3 -o /dev/hostlink fork"
    CPUS=$saved_cpus
    check_csv "$csv" icount fork || fail "$csv is incomplete"
    mv "$csv" "$DATA/sbrkbench-icount-cpus1.csv"
    note_measured_on "$DATA/sbrkbench-icount-cpus1.csv" "$MEASURED"
    echo "bench: $DATA/sbrkbench-icount-cpus1.csv (fork on one hart)"
    ;;
esac

for clock in $CLOCKS; do
  part fork || break
  csv=$WORK/forkbench-$clock.csv
  rm -f "$csv"
  saved_cpus=$CPUS flag=""
  [ "$clock" = icount ] && CPUS=1 flag=" -i"
  boot "$WORK/forkbench-$clock.log" "$(clock_opts "$clock") --mem $FORK_MEM --hostlink $csv" \
    "forkbench: done" "forkbench$flag -n $FORK_ROUNDS -o /dev/hostlink"
  CPUS=$saved_cpus
  check_csv "$csv" "$clock" "exec writeall size breakeven big" ||
    fail "$csv is incomplete; console log in $WORK/forkbench-$clock.log"
  mv "$csv" "$DATA/forkbench-$clock.csv"
  note_measured_on "$DATA/forkbench-$clock.csv" "$MEASURED"
  echo "bench: $DATA/forkbench-$clock.csv; copy-on-write fork's goals, $clock clock:"
  tr -d '\r' < "$WORK/forkbench-$clock.log" | sed -n 's/^forkbench: goal /  goal /p'
done

if part profile; then
  specs=""
  for policy in cow copy; do
    echo "bench: usertests recorded under fork=$policy" \
      "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
    "$PYTHON" tools/qemu/qemu_trace.py --cpus "$CPUS" --fork-policy "$policy" \
      --record-args "-e $PROFILE_EVENTS" --out "$WORK/profile-$policy" usertests \
      > "$WORK/profile-$policy.log" 2>&1 ||
      fail "recording usertests under fork=$policy failed; see $WORK/profile-$policy.log"
    specs="$specs usertests:$policy=$WORK/profile-$policy/usertests.vmt"
  done
  # shellcheck disable=SC2086  # specs are words
  "$PYTHON" analysis/fault_outcomes.py "$DATA/usertests-fault-outcomes.csv" $specs
  note_measured_on "$DATA/usertests-fault-outcomes.csv" "$MEASURED"
  echo "bench: $DATA/usertests-fault-outcomes.csv"
fi

if [ "$RECORD" = 1 ]; then
  vmt=$WORK/lazytests.vmt
  rm -f "$vmt"
  boot "$WORK/record.log" "$(clock_opts "$RECORD_CLOCK") --hostlink $vmt" \
    "ALL TESTS PASSED" "$RECORD_CMD" "vmtrace stat"
  if [ -x build/tools/vmtcheck ]; then
    build/tools/vmtcheck -q "$vmt" || fail "vmtcheck rejects $vmt"
  fi
  stat=$(stat_info "$WORK/record.log") || fail "no vmtrace stat in $WORK/record.log"
  # shellcheck disable=SC2086  # stat is options
  "$PYTHON" analysis/vmt_summary.py "$vmt" "$DATA" --name lazytests $stat \
    --info clock="$RECORD_CLOCK" --label "$RECORD_CMD ($RECORD_CLOCK clock, $CPUS CPUs)"
  for f in "$DATA"/lazytests-*.csv; do
    note_measured_on "$f" "$MEASURED"
  done
fi
echo "bench: done; make analysis draws the figures"
