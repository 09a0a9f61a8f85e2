#!/bin/sh
# Disk-bound tests at one hart against two (make bench-disk). Figures, not a test: it
# fails only when a boot fails.
#
#   tools/systest/bench-disk.sh [-r REPEATS] [--tests "NAME..."] [--cpus "N N"]
#
# Each repeat boots, for every test and CPU count, `usertests NAME` alone (the CPU counts
# alternate which goes first from repeat to repeat), plus one boot with no command per
# CPU count, whose time is the boot and halt that every figure subtracts. A test's figure
# is the median over the repeats of the runner's time for its boot (which leaves out any
# wait for a QEMU slot) less that baseline. The ratio is the first CPU count's figure over
# the second's. At one hart a process woken by a disk completion has no other hart to run
# on, so a wakeup the idle loop loses costs it a whole tick (100 ms) on every
# synchronous block write; the goal is at most 1.2x the 2-hart time. Host clock: figures
# move with the host's load, the ratio much less.
#
# Each boot's halt line (how often a hart found work on its way to idle, kernel/proc.c)
# is shown too: at one hart it must be 0.
set -u
cd "$(dirname "$0")/../.." || exit 2

REPEATS=3
TESTS="diskfull inodes maxfile manyfiles"
CPUS_LIST="1 2"
WORK=build/bench-disk
PYTHON=${PYTHON:-python3}
QEMU=${QEMU:-qemu-system-riscv64}
KERNEL=${KERNEL:-kernel/kernel}   # another kernel and image, to compare (say, an older build)
FS=${FS:-fs.img}

usage() {
  echo "usage: tools/systest/bench-disk.sh [-r REPEATS] [--tests \"NAME...\"] [--cpus \"N N\"]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    -r) [ $# -ge 2 ] || usage; REPEATS=$2; shift ;;
    --tests) [ $# -ge 2 ] || usage; TESTS=$2; shift ;;
    --cpus) [ $# -ge 2 ] || usage; CPUS_LIST=$2; shift ;;
    *) usage ;;
  esac
  shift
done
case $REPEATS in ''|*[!0-9]*|0) usage ;; esac
set -- $CPUS_LIST
[ $# -eq 2 ] || usage
mkdir -p "$WORK" || exit 2
rows="$WORK/times.txt"   # "test cpus seconds rescans", one line a boot
: > "$rows"

# boot NAME CPUS [COMMAND]: one boot; appends its line to $rows.
boot() {
  name=$1 cpus=$2
  shift 2
  log="$WORK/$name-cpus$cpus.log"
  if ! "$PYTHON" tools/qemu/qemu_run.py --qemu "$QEMU" --kernel "$KERNEL" --fs "$FS" \
       --cpus "$cpus" --timeout 1200 \
       --log "$log" "$@" > /dev/null 2>&1; then
    echo "bench-disk: the boot of '$*' at $cpus harts failed; its log: $log" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  secs=$(sed -n 's/^qemu-run: PASS ([^,]*, \([0-9.]*\) s)/\1/p' "$log")
  rescans=$(sed -n 's/^halt: \([0-9]*\) wakeups found on the way to idle/\1/p' "$log")
  echo "$name $cpus $secs ${rescans:-?}" >> "$rows"
  echo "  $name at $cpus harts: $secs s (halt: ${rescans:-?} found on the way to idle)"
}

r=1
while [ "$r" -le "$REPEATS" ]; do
  echo "repeat $r of $REPEATS"
  order=$CPUS_LIST
  [ $((r % 2)) -eq 0 ] && order="$2 $1"
  for cpus in $order; do
    boot boot "$cpus"
    for t in $TESTS; do
      boot "$t" "$cpus" --expect "ALL TESTS PASSED" "usertests $t"
    done
  done
  r=$((r + 1))
done

"$PYTHON" - "$rows" "$1" "$2" $TESTS <<'EOF'
import statistics, sys
rows, a, b, tests = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
times, rescans = {}, {}
for line in open(rows):
    name, cpus, secs, found = line.split()
    times.setdefault((name, cpus), []).append(float(secs))
    rescans.setdefault((name, cpus), []).append(found)
base = {c: statistics.median(times[("boot", c)]) for c in (a, b)}
print("\ndisk-bound tests, host clock, median of %d boots less the boot itself "
      "(%.1f s at %s harts, %.1f s at %s)" % (len(times[("boot", a)]), base[a], a, base[b], b))
print("%-12s %10s %10s %8s %6s  %s" % ("test", a + " hart(s)", b + " harts", "ratio", "goal",
                                        "found on the way to idle (" + a + " hart)"))
for t in tests:
    ta = statistics.median(times[(t, a)]) - base[a]
    tb = statistics.median(times[(t, b)]) - base[b]
    ratio = ta / tb if tb > 0 else float("inf")
    verdict = "met" if ratio <= 1.2 else "NOT met"
    print("%-12s %9.1fs %9.1fs %7.2fx %6s  %s" % (t, ta, tb, ratio, verdict,
                                                 " ".join(rescans[(t, a)])))
EOF
