#!/bin/sh
# End-to-end tracing tests on real recordings (make test-trace): boot faultline, record
# workloads through the host link with make qemu-trace's recorder script, then check the
# recordings and their timelines:
#
#   tracedemo          the exact events of a known sequence, in order (user/tracedemo.c)
#   lazytests          the whole suite, out-of-memory storms and all hart-wide fault
#                      storms included; no drops (the rings hold producers back rather
#                      than drop, tracing/vmtrace_dev.c)
#   usertests sbrkbasic one usertests test, per-test split included
#   cowtests           copy-on-write fork (user/cowtests.c): pages are shared, copied
#                      and taken over; every copy-on-write fault ends copied, taken or
#                      out of memory, and the fault report's copy-on-write kinds count
#                      them as the recording does
#   faultsite          call chains (user/faultsite.c): every fault's pc and return
#                      addresses fall in the functions of a known call structure, a
#                      copyout fault's chain names the system call's caller, and wild
#                      or random frame pointers give short chains, no panic
#                      (tools/systest/faultsite_check.py, on the program's symbols);
#                      the converter's at and stack args name them
#                      (tools/systest/faultsite_attrib.py), the fault report
#                      counts every fault, and its flame graph draws the folded
#                      stacks, g < f < main < _main as wide as USER_PAGES faults
#                      (tools/report/tests/flame_check.py)
#
# and for each, under the kernel's default fork policy (copy-on-write): every process
# that exited has as many unmaps as maps (the pages of its VMT_SHARE runs counted as
# maps) and frees as many page-table pages as it allocated, all under its own pid
# (tools/systest/vmt_owners.py); every page is followed from map to unmap and every
# fault did what its outcome says (tools/systest/vmt_pages.py: a lazy fault kept and
# mapped one data page, plus fault-around's; a copy unmapped the shared frame once and
# mapped its new frame inside the fault; a take-over touched nothing; a forked child
# unmaps exactly the pages it was shared or mapped, and nothing is left when it has
# exited); free pages come back to where they started; vmtcheck, the converter,
# perfetto_check and the DevTools trace engine agree (tools/check/check-recording.sh).
# Ends with "N passed, M failed".
#
# The machine runs on the host clock, each hart on a host thread of its own, as the
# recordings users make do. Not on icount: QEMU 7.2 then runs the harts in turns, one at
# a time, and a hart can wait well over a second of virtual time for its turn (seen in
# these recordings: a hart silent for 1.6 s while the others ran). A recorder on that
# hart takes nothing meanwhile, which back-pressure must read as a stuck reader and
# answer with drops. On the host clock a busy host slows the reader and the workload
# alike, and a slow reader costs no drops (tracing/vmtrace_dev.c, "Back-pressure").
set -u
out=build/test-logs/trace-e2e
: "${PYTHON:=python3}" "${CPUS:=3}" "${NM:=riscv64-unknown-elf-nm}"
export NM   # tools/systest/faultsite_check.py names addresses with it
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# check NAME CMD...: PASS or FAIL by CMD's status, which check returns, so that a caller
# can add what to show on failure (check ... || show).
check() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; return 1; fi; }

# Every fault begin has its call chain (vmtcheck has checked that each chain follows
# its begin): as many of one as of the other in vmtcheck's table.
chains_complete() {
  build/tools/vmtcheck "$1" | awk '$1 == "fault_begin" { b = $NF } $1 == "chain" { c = $NF }
                           END { exit !(b > 0 && b == c) }'
}

# The value of "label: ... key N" in vmtcheck's report.
count() { build/tools/vmtcheck "$1" | sed -n "s/^$2.* $3 \([0-9]*\).*/\1/p" | head -1; }

rm -rf "$out"
mkdir -p "$(dirname "$out")"
# The kernel's default fork policy, copy-on-write (the recorder forks its own processes
# by copying, so that its writes copy no page the workload shares: user/vmtrace.c).
"$PYTHON" tools/qemu/qemu_trace.py --cpus "$CPUS" --out "$out" --split \
  --symbols build/user --kernel-symbols kernel/kernel \
  tracedemo lazytests "usertests sbrkbasic" faultsite cowtests > "$out.log" 2>&1
check "recording tracedemo, lazytests, usertests sbrkbasic, faultsite and cowtests" \
  test $? -eq 0 || tail -20 "$out.log"

# tracedemo: grow 10 pages, touch 7, shrink 5; see user/tracedemo.c. Each fault's call
# chain follows its begin.
faults=$(for i in 1 2 3 4 5 6 7; do printf 'fault_begin,chain,kalloc,map,fault_end,'; done)
check "tracedemo: exact events between its markers, in order" \
  build/tools/vmtcheck -q --between "tracedemo: begin,tracedemo: end" \
    -e fault_mapped=7 -e kalloc_in_fault=7 -e map_in_fault=7 -e unmap=2 -e kfree=2 \
    -e sbrk=2 --sequence "sbrk,${faults}unmap,kfree,unmap,kfree,sbrk" "$out/tracedemo.vmt"

check "faultsite: each fault's pc and call chain lie in the functions that made it" \
  "$PYTHON" tools/systest/faultsite_check.py "$out/faultsite.vmt" build/user/_faultsite
check "faultsite: the converter's at and stack name g's line, g < f < main, the syscall's caller" \
  "$PYTHON" tools/systest/faultsite_attrib.py "$out/faultsite.json"

# The fault report (tools/report/) counts every fault the recording has.
report_total() { sed -n 's/^Page faults by site: \([0-9]*\) faults.*/\1/p' "$1"; }
begins() { build/tools/vmtcheck "$1" | awk '$1 == "fault_begin" { print $NF }'; }
# The flame graph against its folded stacks (and faultsite's against its known chains);
# the checker's lines go to a log, its failures to the screen.
flame_ok() {
  "$PYTHON" tools/report/tests/flame_check.py "$out/$1.folded" "$out/$1.flame.svg" \
    $([ "$1" = faultsite ] && echo --faultsite user/faultsite.c) > "$out/$1.flame-check.log"
}
for rec in lazytests faultsite cowtests; do
  check "$rec: the fault report counts every fault" \
    test "$(report_total "$out/$rec.report.txt")" = "$(begins "$out/$rec.vmt")"
  check "$rec: the flame graph nests, counts and measures as the folded stacks" \
    flame_ok "$rec" || grep -v "^PASS" "$out/$rec.flame-check.log"
done

# vmt_pages.py's summary line, kept for the report checks below.
pages_ok() {
  "$PYTHON" tools/systest/vmt_pages.py $2 "$out/$1.vmt" > "$out/$1.pages"
}
for rec in tracedemo lazytests usertests faultsite cowtests; do
  f=$out/$rec.vmt
  check "$rec: no events dropped" build/tools/vmtcheck -q -e dropped=0 "$f" ||
    "$PYTHON" tools/systest/vmt_gaps.py --where "$f"   # which test, when, which CPU
  check "$rec: every fault has its call chain" chains_complete "$f"
  check "$rec: each exited process's maps and page tables balance under its own pid" \
    "$PYTHON" tools/systest/vmt_owners.py "$f"
  check "$rec: checker, converter, perfetto_check and trace engine agree" \
    env CONVERT_ARGS="--symbols build/user" sh tools/check/check-recording.sh "$f"
  # cowtests must share, copy and take over; the others may (a suite's forks share).
  check "$rec: every page followed, every fault did what its outcome says" \
    pages_ok "$rec" "$([ "$rec" = cowtests ] && echo --cow)" && sed 's/^/  /' "$out/$rec.pages"
  start=$(count "$f" "free pages:" start)
  end=$(count "$f" "free pages:" end)
  check "$rec: free pages back at the start ($start -> $end)" test -n "$start" -a "$start" = "$end"
done
check "lazytests: faults were recorded" test "$(count "$out/lazytests.vmt" faults: mapped)" -gt 1000
# Pages per written unmap record: exit, exec and a shrink pack up to five pages in a row
# into one (format version 5), which lazytests' big shrinks and exits should nearly fill.
unmap_pages_per_record() {
  "$PYTHON" -c 'import sys; sys.path.insert(0, "tracing"); import vmtrace_format as F
d = open(sys.argv[1], "rb").read(); h = F.parse_header(d)
u = [r for _, r in F.records(d, h) if r.type == F.UNMAP]
pages = sum(len(F.unmap_pages(r, h)) if r.flags & F.VMT_UNMAP_PAGES else 1 for r in u)
print(pages * 10 // max(len(u), 1))' "$1"
}
per10=$(unmap_pages_per_record "$out/lazytests.vmt")
check "lazytests: unmaps go out several pages a record (10 x pages per record: $per10)" \
  test "$per10" -ge 40
check "usertests: one timeline per test, with an index" \
  test -s "$out/usertests/sbrkbasic.json" -a -s "$out/usertests/index.md"

# The fault report's copy-on-write kinds against the recording: as many [cow-copied]
# and [cow-taken] faults in the folded stacks as vmt_pages.py counted ends.
pages_kind() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$out/cowtests.pages"; }
folded_kind() { awk -v k="[$1]" '{ n = split($1, f, ";"); if (f[n] == k) s += $2 }
                                 END { print s + 0 }' "$out/cowtests.folded"; }
for k in cow-copied cow-taken; do
  check "cowtests: the folded stacks' [$k] faults ($(folded_kind $k)) = the recording's" \
    test -n "$(pages_kind $k)" -a "$(folded_kind $k)" = "$(pages_kind $k)"
done
# vmtcheck's copy-on-write counts against vmt_pages.py's, read independently.
for k in copied taken; do
  n=$(count "$out/cowtests.vmt" "copy-on-write faults:" $k)
  check "cowtests: vmtcheck's $k faults ($n) = vmt_pages.py's" \
    test -n "$n" -a "$n" = "$(pages_kind cow-$k)"
done
echo "trace end-to-end: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
