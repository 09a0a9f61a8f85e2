#!/bin/sh
# Fuzz the kernel under QEMU: boot faultline headless (tools/qemu/qemu_run.py), run the
# system-call fuzzer (user/sysfuzz.c), then prove the machine is still usable: `ls`
# must list the root directory from a working shell. With --short, also run the trace
# device fuzzer (user/tracefuzz.c) and the fuzzer's regression tests, all under a
# minute, for `make test`.
#
#   sh tools/systest/fuzz-kernel.sh [--seed S] [--calls N] [--procs P] [--seconds T]
#                           [--cpus C] [--qemu BIN] [--log FILE] [--short]
#
# The run fails (non-zero exit) on a kernel panic, on any FAILED line, if the fuzzer
# does not say OK (a leak, a wrong answer, a victim that was not killed, a hang), or if
# the shell does not come back. The console goes to the log (default build/test-logs/fuzz-kernel.log).
set -eu

seed=1
calls=100000
procs=3
seconds=
cpus=3
qemu=qemu-system-riscv64
log=build/test-logs/fuzz-kernel.log
short=0
# The regression tests that must pass (sysfuzz -r list names them all).
regressions="inodes killinit rmcwd rmparent"
# Markers each tracefuzz writer sends in the marker-atomicity phase. A split marker was
# rare per marker: 30000 caught it in most runs before trace_marker kept interrupts off.
atom_markers=30000

usage() {
    echo "usage: sh tools/systest/fuzz-kernel.sh [--seed S] [--calls N] [--procs P] [--seconds T]" >&2
    echo "                               [--cpus C] [--qemu BIN] [--log FILE] [--short]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --seed) seed=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --procs) procs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --qemu) qemu=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --short) short=1; shift ;;
    *) usage ;;
    esac
done

for v in "$seed" "$calls" "$procs" "$cpus" ${seconds:+"$seconds"}; do
    case "$v" in
    ''|*[!0-9x]*) echo "fuzz-kernel: not a number: '$v'" >&2; exit 2 ;;
    esac
done

mkdir -p "$(dirname "$log")"
runner="python3 tools/qemu/qemu_run.py --qemu $qemu --cpus $cpus --kernel kernel/kernel --fs fs.img"

if [ "$short" = 1 ]; then
    # About 8000 calls and a small storm: well under a minute at 3 harts.
    set -- "sysfuzz -s $seed -n 8000 -p $procs"
    for t in $regressions; do
        set -- "$@" "sysfuzz -r $t"
    done
    set -- "$@" "tracefuzz -s $seed -n 120 -p 3 -m $atom_markers" "ls"
    # shellcheck disable=SC2086
    $runner --timeout 150 --log "$log" --expect "sysfuzz: OK" --expect "tracefuzz: OK" \
        --expect "README.md" "$@" > /dev/null || {
        echo "fuzz-kernel: FAILED, console log in $log:" >&2
        grep -a -E 'FAILED|panic|qemu-run' "$log" | head -5 >&2
        exit 1
    }
    grep -a -E '^sysfuzz: [0-9]+ calls|^tracefuzz: [0-9]' "$log"
    echo "fuzz-kernel: short run passed (log in $log)"
    exit 0
fi

# A generous budget: the fuzzer makes about 1000 calls a second with 3 harts.
timeout=$((300 + calls / 100))
cmd="sysfuzz -s $seed -n $calls -p $procs${seconds:+ -t $seconds}"
if [ -n "$seconds" ] && [ $((seconds + 300)) -lt "$timeout" ]; then
    timeout=$((seconds + 300))
fi
echo "fuzz-kernel: $cmd (CPUS=$cpus, timeout ${timeout}s, log $log)"
# shellcheck disable=SC2086
$runner --timeout "$timeout" --log "$log" --expect "sysfuzz: OK" --expect "README.md" \
    "$cmd" "ls" > /dev/null || {
    echo "fuzz-kernel: FAILED, console log in $log:" >&2
    grep -a -E 'FAILED|panic|qemu-run' "$log" | head -5 >&2
    exit 1
}
grep -a -E '^sysfuzz: [0-9]+ calls' "$log"
echo "fuzz-kernel: passed: no panic, no leak, the shell works"
