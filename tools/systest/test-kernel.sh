#!/bin/sh
# The kernel's test suites, each on a freshly booted machine (so one suite's damage cannot
# hide in another's result), for every CPU count given:
#
#   tools/systest/test-kernel.sh [--suites "SUITE..."] [--logs DIR] [--table] CPUS...
#
#   --suites   which suites, in order (default: usertests+xv6conform lazytests
#              lazy-usertests eager-usertests+xv6conform faultaround-usertests
#              faultaround-lazytests xv6api cowtests copyfork-cowtests
#              copyfork-usertests copyfork-lazytests
#              256M-copyfork-faultaround-lazytests+cowtests). A suite is one boot running one
#              or more programs at the shell, joined by '+' (each must print its
#              success line). POLICY-NAME (POLICY: lazy, eager or faultaround) boots
#              with that sbrk policy for every process (qemu_run.py --policy, handed to
#              init); anything else boots with none, where each call gets what it asks
#              for (sbrk eager, sbrklazy lazy) and lazytests takes the lazy policy
#              itself. A leading copyfork- (copyfork-NAME, copyfork-POLICY-NAME) boots
#              with the copy fork policy (qemu_run.py --fork-policy copy) instead of
#              copy-on-write. A leading SIZE- (SIZE as qemu_run.py --mem takes it:
#              256M-NAME, 256M-copyfork-POLICY-NAME) boots with that much RAM instead
#              of 128M, and the boot must report it and have 256 free pages more per
#              MiB above 128 (fewer per MiB below), less at most 1% (their page
#              counts and page tables), than the baseline boot at 128M. usertests,
#              lazytests and cowtests must say they ran under the boot's policies.
#   --logs     where the console logs go (default build/test-logs/), one per suite and
#              CPU count
#   --table    end with a table: suite, CPUS, policy, result, seconds (the policy is
#              the sbrk policy, with /copy after it under the copy fork policy)
#
# A suite passes when the runner (tools/qemu/qemu_run.py) sees every success line and no
# panic, no FAILED line and no timeout, and the suite left nothing on the disk: each
# boot runs on a copy of the image, and build/tools/fsfree must count as many free
# inodes and blocks on it afterwards as on a copy booted once with no command (init
# makes /console and /dev on a fresh image; that is the baseline, not a leak), and at one
# hart the kernel's halt line must report no wakeup found on the way to idle (the
# scheduler's lost-wakeup check, kernel/proc.c). Ends with
# "N passed, M failed"; exits 1 if any suite
# failed, 2 on bad arguments. QEMU and PYTHON come from the environment (the Makefile
# sets them); KERNEL and FS pick other images than kernel/kernel and fs.img, FSFREE
# another build/tools/fsfree.
#
# Other QEMU runs may share the machine: the runner waits before each boot while two
# are running (tools/qemu/qemu_run.py), so that this script never makes a third.
set -u
: "${PYTHON:=python3}" "${QEMU:=qemu-system-riscv64}"
: "${KERNEL:=kernel/kernel}" "${FS:=fs.img}"
suites="usertests+xv6conform lazytests lazy-usertests eager-usertests+xv6conform faultaround-usertests faultaround-lazytests xv6api cowtests copyfork-cowtests copyfork-usertests copyfork-lazytests 256M-copyfork-faultaround-lazytests+cowtests"
FSFREE=${FSFREE:-build/tools/fsfree}
logs=build/test-logs
table=0
usage() {
  echo "usage: tools/systest/test-kernel.sh [--suites \"SUITE...\"] [--logs DIR] [--table] CPUS..." >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --suites) [ $# -ge 2 ] || usage; suites=$2; shift ;;
    --logs) [ $# -ge 2 ] || usage; logs=$2; shift ;;
    --table) table=1 ;;
    -*) usage ;;
    *) break ;;
  esac
  shift
done
[ $# -gt 0 ] || usage
[ -x "$FSFREE" ] || { echo "test-kernel: $FSFREE is missing (make $FSFREE)" >&2; exit 2; }
mkdir -p "$logs" || exit 2
passed=0
failed=0
rows=""   # the table's lines, "suite cpus policy result seconds"

# The lines a suite prints when every test in it passed, under the boot's policy $policy
# (lazytests takes lazy when the boot has none).
success_text() {
  case $1 in
    xv6api) echo "xv6api: OK" ;;
    xv6conform) echo "xv6conform: OK" ;;
    usertests) echo "usertests starting, sbrk policy $policy, fork policy $fork"
               echo "ALL TESTS PASSED" ;;
    lazytests) echo "tests, policy $([ "$policy" = default ] && echo lazy || echo "$policy")"
               echo "ALL TESTS PASSED" ;;
    cowtests) echo "cowtests: fork policy $fork"; echo "ALL TESTS PASSED" ;;
    *) echo "ALL TESTS PASSED" ;;
  esac
}

# suite CPUS NAME: boot, run NAME's commands, record the verdict.
suite() {
  progs=$2
  mem=128M
  case $progs in
    [1-9]*[MG]-*) mem=${progs%%-*}; progs=${progs#*-} ;;
  esac
  case $progs in
    copyfork-*) fork=copy; progs=${progs#copyfork-} ;;
    *) fork=cow ;;
  esac
  case $progs in
    lazy-*|eager-*|faultaround-*) policy=${progs%%-*}; progs=${progs#*-} ;;
    *) policy=default ;;
  esac
  cpus=$1; name=$2
  # The runner's arguments: every --expect, then the commands, in order.
  set --
  for prog in $(echo "$progs" | tr '+' ' '); do
    success_text "$prog" > "$logs/expect.txt"
    while read -r line; do
      set -- "$@" --expect "$line"
    done < "$logs/expect.txt"
  done
  rm -f "$logs/expect.txt"
  [ "$policy" = default ] || set -- "$@" --policy "$policy"
  [ "$fork" = cow ] || set -- "$@" --fork-policy "$fork"
  cmds=$(echo "$progs" | sed 's/+/; /g')
  for prog in $(echo "$progs" | tr '+' ' '); do
    set -- "$@" "$prog"
  done
  log="$logs/$(echo "$name" | tr '+' '-')-cpus$cpus.log"
  img="$logs/$(echo "$name" | tr '+' '-')-cpus$cpus.img"
  echo "== $cmds (CPUS=$cpus, sbrk policy $policy, fork policy $fork, RAM $mem)"
  start=$(date +%s)
  cp "$logs/start.img" "$img" || exit 2
  if "$PYTHON" tools/qemu/qemu_run.py --qemu "$QEMU" --kernel "$KERNEL" --fs "$img" --keep-fs \
       --cpus "$cpus" --mem "$mem" --timeout 600 --log "$log" "$@" > /dev/null \
     && disk_unchanged "$img" "$log" && no_lost_wakeups "$cpus" "$log" \
     && { [ "$mem" = 128M ] || ram_used "$mem" "$log"; }; then
    result=PASS
    passed=$((passed + 1))
    echo "PASS $cmds (CPUS=$cpus, $policy, fork $fork): $(grep -c '^test .*: OK' "$log") tests OK, $(grep 'qemu-run: PASS' "$log" | sed 's/.*(//; s/)//')"
  else
    result=FAIL
    failed=$((failed + 1))
    echo "FAIL $cmds (CPUS=$cpus, $policy, fork $fork): console log in $log, the disk in $img; the log's last lines:"
    tail -15 "$log"
  fi
  [ "$result" = FAIL ] || rm -f "$img"
  # Time waiting for a QEMU slot (the runner says how long) is not the suite's.
  waited=$(sed -n 's/^qemu-run: waited \([0-9]*\) s.*/\1/p' "$log")
  rows="$rows$name $cpus $policy$([ "$fork" = cow ] || echo "/$fork") $result $(($(date +%s) - start - ${waited:-0}))
"
}

# disk_unchanged IMAGE LOG: the free inodes and blocks on IMAGE after the boot are the
# baseline's; if not, say so (also in LOG).
disk_unchanged() {
  after=$("$FSFREE" "$1") || return 1
  [ "$baseline" = "$after" ] && return 0
  echo "disk: free after a boot with no command: $baseline; after this one: $after" |
    tee -a "$2"
  return 1
}

# no_lost_wakeups CPUS LOG: at one hart, the kernel's last line (printed by halt) must
# count no process found runnable on a hart's way to idle: each would have been a wakeup
# lost between the scheduler's scan and its wfi (kernel/proc.c, idle()). With more harts
# another hart's wakeups make the count legitimately non-zero.
no_lost_wakeups() {
  [ "$1" -eq 1 ] || return 0
  grep -q '^halt: 0 wakeups found on the way to idle' "$2" && return 0
  echo "scheduler: at one hart, $(sed -n 's/^halt: \([0-9]*\) wakeups.*/\1/p' "$2" | tail -1) wakeups were found on the way to idle (none expected; lost wakeups?)" |
    tee -a "$2"
  return 1
}

# free_pages LOG: the free page count the boot in LOG reported.
free_pages() {
  sed -n 's/^hart 0 starting, \([0-9]*\) free pages.*/\1/p' "$1" | head -1
}

# ram_used SIZE LOG: the boot in LOG used SIZE (128M, 256M, 1G: QEMU's -m) of RAM, up
# to the kernel's 1 GiB: it says so, and each MiB more than the baseline's 128 gave
# 256 free pages, less at most 1% (the page counts and page tables that RAM needs).
ram_used() {
  mib=${1%[MG]}
  [ "${1%M}" != "$1" ] || mib=$((mib * 1024))
  [ "$mib" -le 1024 ] || mib=1024
  free=$(free_pages "$2")
  grep -q "^ram: $mib MiB" "$2" && [ -n "$free" ] || {
    echo "ram: no 'ram: $mib MiB' and free page count on the console" | tee -a "$2"
    return 1
  }
  extra=$(((mib - 128) * 256))
  got=$((free - base_free))
  if [ "$extra" -ge 0 ]; then lo=$((extra - extra / 100)); hi=$extra
  else lo=$extra; hi=$((extra - extra / 100)); fi
  [ "$got" -ge "$lo" ] && [ "$got" -le "$hi" ] && return 0
  echo "ram: $mib MiB gave $free free pages, $got more than at 128 MiB ($base_free); want $lo to $hi" |
    tee -a "$2"
  return 1
}

# Every suite boots a copy of the image as it is now (a rebuild meanwhile changes
# nothing here), and the baseline comes from one boot of it with no command.
take_baseline() {
  cp "$FS" "$logs/start.img" && cp "$FS" "$logs/baseline.img" || exit 2
  "$PYTHON" tools/qemu/qemu_run.py --qemu "$QEMU" --kernel "$KERNEL" --fs "$logs/baseline.img" \
    --keep-fs --timeout 120 --log "$logs/baseline.log" > /dev/null 2>&1 &&
    baseline=$("$FSFREE" "$logs/baseline.img") &&
    base_free=$(free_pages "$logs/baseline.log") && [ -n "$base_free" ] || {
    echo "test-kernel: the baseline boot failed: $logs/baseline.log" >&2
    exit 1
  }
  rm -f "$logs/baseline.img"
}

print_table() {
  printf '%-30s %4s  %-16s  %-6s %7s\n' suite CPUS policy result seconds
  printf '%s' "$rows" | while read -r name cpus policy result secs; do
    printf '%-30s %4s  %-16s  %-6s %7s\n' "$name" "$cpus" "$policy" "$result" "$secs"
  done
}

take_baseline
for cpus in "$@"; do
  for s in $suites; do
    suite "$cpus" "$s"
  done
done
rm -f "$logs/start.img"
[ "$table" -eq 1 ] && print_table
echo "kernel suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
