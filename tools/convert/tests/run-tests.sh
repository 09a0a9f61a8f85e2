#!/bin/sh
# The trace tools' tests (make test-tools): the unit tests, then the command-line tools
# built with AddressSanitizer + UBSan on generated recordings: every kind of bad input,
# the recording checker against the generator's own counts, the converter's output
# against perfetto_check and Chrome DevTools' trace engine, filters, determinism, the
# memory bound, and a short fuzz run. Ends with "N passed, M failed"; exits 1 on failure.
# Run from the repository root after the binaries are built (make does that).
set -u
A=build/tools/asan            # sanitized tools: the ones under test
P=build/tools                 # plain tools: the generator, and the memory measurement
S=build/tools/test            # scratch
# The format's sizes, field offsets and constants (tracing/vmtrace_format.py).
eval "$("${PYTHON:-python3}" tracing/vmtrace_format.py)" || exit 1
rm -rf "$S"
mkdir -p "$S"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# t NAME CMD...: CMD must succeed.
# (Its variable has a name no test helper uses: sh has no local variables.)
t() { t_name=$1; shift; if "$@" > "$S/out" 2> "$S/err"; then pass "$t_name"; else
  fail "$t_name"; tail -5 "$S/err" "$S/out"; fi; }

# ---- Unit tests ------------------------------------------------------------------------
"$A/unit_tests" > "$S/unit" 2>&1
unit_rc=$?
grep '^PASS\|^FAIL\|^  ' "$S/unit"
passed=$((passed + $(grep -c '^PASS' "$S/unit")))
failed=$((failed + $(grep -c '^FAIL' "$S/unit")))
if [ $unit_rc -ne 0 ] && ! grep -q '^FAIL' "$S/unit"; then
  fail "unit tests crashed"; tail -20 "$S/unit"
fi

. tools/convert/tests/cli-tests.sh
. tools/convert/tests/bad-input-tests.sh
. tools/convert/tests/recording-tests.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
