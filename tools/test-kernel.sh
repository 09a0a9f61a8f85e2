#!/bin/sh
# The kernel's test suites, each on a freshly booted machine (so one suite's damage cannot
# hide in another's result), for every CPU count given:
#
#   tools/test-kernel.sh CPUS...
#
# A suite passes when the runner (tools/qemu-run.py) sees its success line and no panic,
# no FAILED line and no timeout. Console logs go to test-logs/. Ends with
# "N passed, M failed"; exits 1 if any suite failed. QEMU and PYTHON come from the
# environment (the Makefile sets them).
set -u
: "${PYTHON:=python3}" "${QEMU:=qemu-system-riscv64}"
mkdir -p test-logs
passed=0
failed=0

# suite CPUS "COMMAND" "SUCCESS TEXT"
suite() {
  log="test-logs/$(echo "$2" | tr ' ' '-')-cpus$1.log"
  echo "== $2 (CPUS=$1)"
  if "$PYTHON" tools/qemu-run.py --qemu "$QEMU" --cpus "$1" --timeout 600 \
       --expect "$3" --log "$log" "$2" > /dev/null; then
    passed=$((passed + 1))
    echo "PASS $2 (CPUS=$1): $(grep -c '^test .*: OK' "$log") tests OK, $(grep 'qemu-run: PASS' "$log" | sed 's/.*(//; s/)//')"
  else
    failed=$((failed + 1))
    echo "FAIL $2 (CPUS=$1): console log in $log; its last lines:"
    tail -15 "$log"
  fi
}

for cpus in "$@"; do
  suite "$cpus" "usertests" "ALL TESTS PASSED"
  suite "$cpus" "lazytests" "ALL TESTS PASSED"
  suite "$cpus" "eager usertests" "ALL TESTS PASSED"
  suite "$cpus" "xv6api" "xv6api: OK"
done
echo "kernel suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
