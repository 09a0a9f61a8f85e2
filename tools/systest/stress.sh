#!/bin/sh
# The stress matrix (make stress): many harts, no memory left, rings too small.
#
#   tools/systest/stress.sh [--cpus "1 2 4 8"] [--eager] [--no-matrix]
#
# Cells, each on a freshly booted machine:
#   usertests, lazytests  the whole suites, lazy (usertests in a boot under the lazy
#                         policy), at each CPU count (--eager adds a boot under the eager
#                         policy); tools/systest/test-kernel.sh runs them
#   oomall-traced         `lazytests oomall` (out of memory on every hart at once) at 8
#                         harts under `vmtrace record` with the default rings: the test
#                         passes, nothing dropped (vmtcheck, and the kernel's own lost
#                         counters after the run), free pages back at the start, every
#                         exited process's maps balance under its pid, every page and
#                         fault accounted (vmt_pages.py); under copy-on-write fork
#   storm-b16             `vmtrace record -b 16 -w 0 -- tracebench storm` at 8 harts: drops
#   churn-b16             the same with `tracebench churn` (records only, no faults)
#                         happen, and every one is counted: vmtcheck accepts the recording,
#                         the VMT_LOST counts equal the sequence gaps on every CPU
#                         (vmt_gaps.py), and equal the kernel's lost counters (none silent)
#   resets-b16            `vmtrace record -b 16 -- tracebench resets` at 3 harts: 20000 ring
#                         resets while three processes churn; the machine must not hang
#                         (a timer tick inside an emit once deadlocked against a reset)
#   crashes               30 power cuts at 1 hart and 30 at 3 (crashtest.py): each image
#                         consistent (fsck) before and after the reboot that recovers it,
#                         orphans reclaimed, every file whose close was seen whole
#
# Prints PASS/FAIL per cell, then a table with the seconds each took; exits 1 if any cell
# failed. Too long for make test. Runs on copies of kernel/kernel and fs.img taken at
# the start, so a rebuild during the run changes nothing under it. Every boot goes through
# tools/qemu/qemu_run.py, which never makes a third QEMU on the machine. Logs and
# recordings go to build/stress/.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${PYTHON:=python3}"
export PYTHON

CPU_COUNTS="1 2 4 8"
EAGER=0
MATRIX=1
while [ $# -gt 0 ]; do
  case $1 in
    --cpus) CPU_COUNTS=${2:?}; shift ;;
    --eager) EAGER=1 ;;
    --no-matrix) MATRIX=0 ;;
    *) echo "usage: tools/systest/stress.sh [--cpus \"1 2 4 8\"] [--eager] [--no-matrix]" >&2
       exit 2 ;;
  esac
  shift
done

W=build/stress
rm -rf "$W"
mkdir -p "$W/logs" || exit 2
cp kernel/kernel "$W/kernel" && cp fs.img "$W/fs.img" || exit 2
export KERNEL=$W/kernel FS=$W/fs.img
failed=0
rows=""   # "cell cpus seconds result" lines for the table

# cell NAME CPUS FUNCTION ARGS...: run FUNCTION, time it, record the verdict. FUNCTION's
# output goes to $W/NAME-cpusN.out, shown when it fails.
# (sh has no local variables: cell's own are prefixed c_ so the checks cannot clobber them.)
cell() {
  c_name=$1 c_cpus=$2
  shift 2
  c_out=$W/$c_name-cpus$c_cpus.out
  echo "== $c_name (CPUS=$c_cpus)"
  c_start=$(date +%s)
  if "$@" > "$c_out" 2>&1; then c_result=PASS; else c_result=FAIL; failed=$((failed + 1)); fi
  c_secs=$(($(date +%s) - c_start))
  echo "$c_result $c_name (CPUS=$c_cpus) in $c_secs s"
  [ "$c_result" = PASS ] || { tail -20 "$c_out"; echo "(all of it in $c_out)"; }
  rows="$rows$c_name $c_cpus $c_secs $c_result
"
}

# ---- The suites at each CPU count --------------------------------------------------------

suite() { sh tools/systest/test-kernel.sh --suites "$1" --logs "$W/logs" "$2"; }

# ---- Checks on a recording ---------------------------------------------------------------

# check TEXT CMD...: run CMD; print "ok TEXT" or "FAILED TEXT" and return its status.
check() {
  what=$1
  shift
  if "$@"; then echo "ok $what"; else echo "FAILED $what"; return 1; fi
}

# The value of "LABEL ... KEY N" in vmtcheck's report of REC.
count() { build/tools/vmtcheck "$1" | sed -n "s/^$2.* $3 \([0-9]*\).*/\1/p" | head -1; }

. tools/systest/drop-counts.sh

free_pages_back() {
  start=$(count "$1" "free pages:" start)
  end=$(count "$1" "free pages:" end)
  echo "free pages: $start at the start, $end at the end"
  [ -n "$start" ] && [ "$start" = "$end" ]
}

# record DIR CPUS [QEMU-TRACE ARGS...] WORKLOAD: record with the kernel's counters after.
record() {
  dir=$1 cpus=$2
  shift 2
  "$PYTHON" tools/qemu/qemu_trace.py --kernel "$KERNEL" --fs "$FS" --cpus "$cpus" \
    --timeout 900 --out "$dir" --after "vmtrace stat" "$@"
}

oomall_traced() {
  d=$W/oomall
  rec=$d/lazytests.vmt
  log=$d/lazytests.console.log
  # Under the default fork policy (copy-on-write); the recorder forks its own processes
  # by copying (user/vmtrace.c), so free pages come back to the start.
  check "recorded lazytests oomall" record "$d" "$1" "lazytests oomall" ||
    return 1
  check "lazytests oomall passed" grep -q "ALL TESTS PASSED" "$log" &&
  check "vmtcheck: no events dropped" build/tools/vmtcheck -q -e dropped=0 "$rec" &&
  check "the kernel lost nothing (vmtrace stat)" test -z "$(drops_in_stat "$log")" &&
  check "free pages back at the start" free_pages_back "$rec" &&
  check "every exited process's maps balance under its pid" \
    "$PYTHON" tools/systest/vmt_owners.py "$rec" &&
  check "every page followed, every fault did what its outcome says" \
    "$PYTHON" tools/systest/vmt_pages.py "$rec"
}

# drops_counted NAME CPUS WORKLOAD: record WORKLOAD into 16-record rings that never hold
# a process back; the drops must all be counted.
drops_counted() {
  d=$W/$1
  rec=$d/tracebench.vmt
  log=$d/tracebench.console.log
  check "recorded $3 into 16-record rings" record "$d" "$2" --record-args "-b 16 -w 0" "$3" ||
    return 1
  drops_in_gaps "$rec" > "$d/gaps"
  drops_in_stat "$log" > "$d/kernel"
  echo "dropped per CPU:" $(cat "$d/gaps")
  check "vmtcheck accepts it (every gap covered by VMT_LOST)" build/tools/vmtcheck -q "$rec" &&
  check "VMT_LOST counts equal the sequence gaps" "$PYTHON" tools/systest/vmt_gaps.py "$rec" &&
  check "events were dropped" test -s "$d/gaps" &&
  check "the kernel's lost counters equal the drops reported in-band" \
    cmp "$d/gaps" "$d/kernel"
}

# resets_survived CPUS: resets against ticks inside emits, on the raw runner: the
# recording is cut by the resets, so qemu-trace's checks do not apply; only a hang does.
resets_survived() {
  "$PYTHON" tools/qemu/qemu_run.py --kernel "$KERNEL" --fs "$FS" --cpus "$1" --timeout 400 \
    --hostlink "$W/resets.vmt" --expect "tracebench resets: " --log "$W/resets.log" \
    "vmtrace record -b 16 -- tracebench resets"
}

# crashes CPUS: power cuts at random moments, each checked (tools/systest/crashtest.py).
crashes() {
  "$PYTHON" tools/systest/crashtest.py --kernel "$KERNEL" --fs "$FS" --cpus "$1" \
    --crashes 30 --work "$W/crash-cpus$1"
}

print_table() {
  printf '\n%-22s %4s %8s  %s\n' cell CPUS seconds result
  printf '%s' "$rows" | while read -r name cpus secs result; do
    printf '%-22s %4s %8s  %s\n' "$name" "$cpus" "$secs" "$result"
  done
}

began=$(date +%s)
if [ "$MATRIX" -eq 1 ]; then
  for cpus in $CPU_COUNTS; do
    cell usertests "$cpus" suite lazy-usertests "$cpus"
    cell lazytests "$cpus" suite lazytests "$cpus"
    [ "$EAGER" -eq 1 ] && cell eager-usertests "$cpus" suite eager-usertests "$cpus"
  done
fi
cell oomall-traced 8 oomall_traced 8
cell storm-b16 8 drops_counted storm 8 "tracebench storm"
cell churn-b16 8 drops_counted churn 8 "tracebench churn"
cell resets-b16 3 resets_survived 3
cell crashes 1 crashes 1
cell crashes 3 crashes 3
print_table
echo "stress: $(printf '%s' "$rows" | grep -c ' PASS$') passed, $failed failed" \
     "in $(($(date +%s) - began)) s"
[ "$failed" -eq 0 ]
