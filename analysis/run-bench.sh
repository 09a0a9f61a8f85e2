#!/bin/sh
# make bench: boot faultline headless, run the eager-against-lazy benchmark (sbrkbench)
# on each clock, record one workload for the recording figures, and store the results
# under analysis/data/. Figures, not a test: it fails only when a boot or a step fails.
#
#   analysis/run-bench.sh [--clocks "host icount"] [-n REPEATS] [--cpus N] [--no-record]
#
#   host    plain TCG: the time CSR follows the host clock (wall time; drifts with host
#           load, so the load average is printed with each boot)
#   icount  tools/qemu-run.py --icount 3 (QEMU -icount shift=3): virtual time counts
#           instructions, 8 ns each, of all harts on one host thread, so computation is
#           timed the same whatever the host's load
#
# For each clock: sbrkbench [-i] -n REPEATS -o /dev/hostlink, with the host link attached
# to a file, so that file is the CSV; it becomes analysis/data/sbrkbench-CLOCK.csv once
# it has the header and every workload's rows. The console log stays in build/bench/.
#
# One more icount boot with a single hart, fork only (analysis/data/sbrkbench-icount-cpus1.csv):
# with three harts, fork's copy is counted three times over under icount, because the
# idle harts' schedulers spin on the child's lock while fork copies (REPORT.md, kernel
# findings); one hart shows the copy's own cost.
#
# The recording: vmtrace record of lazytests on the host clock (RECORD_CMD below),
# summarized by analysis/vmt_summary.py into analysis/data/lazytests-*.csv; the
# recording itself (a few MB) stays in build/bench/.
set -eu
cd "$(dirname "$0")/.." || exit 2

CLOCKS="host icount"
REPEATS=11
CPUS=3
RECORD=1
ICOUNT_SHIFT=3
WORK=build/bench
DATA=analysis/data
PYTHON=${PYTHON:-python3}
# Every fault outcome, sparse heaps, fork and exec of them, faults on three CPUs at once.
# Only the events the figures use: kalloc, kfree and switch records would double the
# volume, and with them the oom tests overflow the rings (about 100,000 records lost);
# without them a few thousand still are, in oom and oomedge, and the figures say how many.
RECORD_CMD="vmtrace record -e fault,map,unmap,sbrk,fork,exec,exit,kill,marker -- lazytests"

usage() {
  echo "usage: analysis/run-bench.sh [--clocks \"host icount\"] [-n REPEATS] [--cpus N] [--no-record]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case $1 in
    --clocks) CLOCKS=${2:?}; shift ;;
    -n) REPEATS=${2:?}; shift ;;
    --cpus) CPUS=${2:?}; shift ;;
    --no-record) RECORD=0 ;;
    *) usage ;;
  esac
  shift
done

fail() {
  echo "bench: $*" >&2
  exit 1
}

for f in kernel/kernel fs.img; do
  [ -f "$f" ] || fail "$f missing (make kernel/kernel fs.img)"
done
mkdir -p "$WORK" "$DATA"

# Others on this machine run QEMU too: never be the third one.
wait_for_qemu() {
  while [ "$(pgrep -c qemu-system || true)" -ge 2 ]; do
    sleep 5
  done
}

# boot LOG RUNNER-OPTIONS COMMAND: one headless boot that must print EXPECT.
boot() {
  log=$1 opts=$2 cmd=$3 expect=$4
  wait_for_qemu
  echo "bench: $cmd ($opts; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # shellcheck disable=SC2086  # opts are words
  "$PYTHON" tools/qemu-run.py --cpus "$CPUS" --timeout 1200 $opts --log "$log" \
    --expect "$expect" "$cmd" > /dev/null ||
    fail "boot failed; console log in $log"
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
  case $clock in
    host) opts="" flag="" ;;
    icount) opts="--icount $ICOUNT_SHIFT" flag=" -i" ;;
    *) fail "unknown clock '$clock' (host, icount)" ;;
  esac
  csv=$WORK/sbrkbench-$clock.csv
  rm -f "$csv"
  boot "$WORK/sbrkbench-$clock.log" "$opts --hostlink $csv" \
    "sbrkbench$flag -n $REPEATS -o /dev/hostlink" "sbrkbench: done"
  check_csv "$csv" "$clock" || fail "$csv is incomplete; console log in $WORK/sbrkbench-$clock.log"
  mv "$csv" "$DATA/sbrkbench-$clock.csv"
  echo "bench: $DATA/sbrkbench-$clock.csv ($(($(wc -l < "$DATA/sbrkbench-$clock.csv") - 1)) figures)"
done

case " $CLOCKS " in
  *" icount "*)
    csv=$WORK/sbrkbench-icount-cpus1.csv
    rm -f "$csv"
    saved_cpus=$CPUS
    CPUS=1
    boot "$WORK/sbrkbench-icount-cpus1.log" "--icount $ICOUNT_SHIFT --hostlink $csv" \
      "sbrkbench -i -n 3 -o /dev/hostlink fork" "sbrkbench: done"
    CPUS=$saved_cpus
    check_csv "$csv" icount fork || fail "$csv is incomplete"
    mv "$csv" "$DATA/sbrkbench-icount-cpus1.csv"
    echo "bench: $DATA/sbrkbench-icount-cpus1.csv (fork on one hart)"
    ;;
esac

if [ "$RECORD" = 1 ]; then
  vmt=$WORK/lazytests.vmt
  rm -f "$vmt"
  boot "$WORK/record.log" "--hostlink $vmt" "$RECORD_CMD" "ALL TESTS PASSED"
  if [ -x tools/vmtcheck ]; then
    tools/vmtcheck -q "$vmt" || fail "vmtcheck rejects $vmt"
  fi
  "$PYTHON" analysis/vmt_summary.py "$vmt" "$DATA" --name lazytests \
    --label "$RECORD_CMD (host clock, $CPUS CPUs)"
fi
echo "bench: done; make analysis draws the figures"
