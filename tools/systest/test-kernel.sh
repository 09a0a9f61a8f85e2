#!/bin/sh
# The kernel's test suites, each on a freshly booted machine (so one suite's damage cannot
# hide in another's result), for every CPU count given:
#
#   tools/systest/test-kernel.sh [--suites "SUITE..."] [--logs DIR] [--table] CPUS...
#
#   --suites   which suites, in order (default: usertests lazytests eager-usertests
#              faultaround-usertests faultaround-lazytests xv6api). A suite is a program
#              at the shell; eager-NAME runs NAME under the eager sbrk policy (`eager
#              NAME`), faultaround-NAME under fault-around, anything else runs lazy.
#   --logs     where the console logs go (default build/test-logs/), one per suite and CPU count
#   --table    end with a table: suite, CPUS, policy, result, seconds
#
# A suite passes when the runner (tools/qemu/qemu_run.py) sees its success line and no panic,
# no FAILED line and no timeout. Ends with "N passed, M failed"; exits 1 if any suite
# failed, 2 on bad arguments. QEMU and PYTHON come from the environment (the Makefile
# sets them); KERNEL and FS pick other images than kernel/kernel and fs.img.
#
# Other QEMU runs may share the machine: the runner waits before each boot while two
# are running (tools/qemu/qemu_run.py), so that this script never makes a third.
set -u
: "${PYTHON:=python3}" "${QEMU:=qemu-system-riscv64}"
: "${KERNEL:=kernel/kernel}" "${FS:=fs.img}"
suites="usertests lazytests eager-usertests faultaround-usertests faultaround-lazytests xv6api"
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
mkdir -p "$logs" || exit 2
passed=0
failed=0
rows=""   # the table's lines, "suite cpus policy result seconds"

# The success line a suite prints when every test in it passed.
success_text() {
  case $1 in
    xv6api) echo "xv6api: OK" ;;
    *) echo "ALL TESTS PASSED" ;;
  esac
}

# suite CPUS NAME: boot, run NAME's command, record the verdict.
suite() {
  case $2 in
    eager-*) cmd="eager ${2#eager-}"; policy=eager ;;
    faultaround-*) cmd="faultaround ${2#faultaround-}"; policy=around ;;
    *) cmd=$2; policy=lazy ;;
  esac
  log="$logs/$(echo "$cmd" | tr ' ' '-')-cpus$1.log"
  echo "== $cmd (CPUS=$1)"
  start=$(date +%s)
  if "$PYTHON" tools/qemu/qemu_run.py --qemu "$QEMU" --kernel "$KERNEL" --fs "$FS" \
       --cpus "$1" --timeout 600 --expect "$(success_text "$2")" --log "$log" \
       "$cmd" > /dev/null; then
    result=PASS
    passed=$((passed + 1))
    echo "PASS $cmd (CPUS=$1): $(grep -c '^test .*: OK' "$log") tests OK, $(grep 'qemu-run: PASS' "$log" | sed 's/.*(//; s/)//')"
  else
    result=FAIL
    failed=$((failed + 1))
    echo "FAIL $cmd (CPUS=$1): console log in $log; its last lines:"
    tail -15 "$log"
  fi
  # Time waiting for a QEMU slot (the runner says how long) is not the suite's.
  waited=$(sed -n 's/^qemu-run: waited \([0-9]*\) s.*/\1/p' "$log")
  rows="$rows$2 $1 $policy $result $(($(date +%s) - start - ${waited:-0}))
"
}

print_table() {
  printf '%-22s %4s  %-6s  %-6s %7s\n' suite CPUS policy result seconds
  printf '%s' "$rows" | while read -r name cpus policy result secs; do
    printf '%-22s %4s  %-6s  %-6s %7s\n' "$name" "$cpus" "$policy" "$result" "$secs"
  done
}

for cpus in "$@"; do
  for s in $suites; do
    suite "$cpus" "$s"
  done
done
[ "$table" -eq 1 ] && print_table
echo "kernel suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
