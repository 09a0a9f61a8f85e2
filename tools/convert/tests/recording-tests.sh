# Good recordings of many shapes through the whole pipeline (sourced by run-tests.sh):
# vmtcheck must find exactly the counts the generator wrote; the converter's JSON must
# pass perfetto_check and load in Chrome DevTools' trace engine with the same slices on
# every track; --summary must agree with vmtcheck. Then filters, the memory bound and a
# short fuzz run.

# pipeline NAME VMTGEN-OPTIONS...
pipeline() {
  p_name=$1; shift
  "$P/vmtgen" -S "$@" -o "$S/$p_name.vmt" 2> "$S/$p_name.expect" || { echo "vmtgen failed"; return 1; }
  # shellcheck disable=SC2046  # the generator prints one option per word
  TOOLS=$A sh tools/check/check-recording.sh "$S/$p_name.vmt" "$S/$p_name.json" -- \
    $(cat "$S/$p_name.expect")
}

# The converter's last free-pages sample is what the records add up to.
free_pages_end() {
  want=$("$A/vmtcheck" "$S/$1.vmt" | sed -n 's/^free pages: start [0-9]*, end //p')
  got=$(grep '"name":"free"' "$S/$1.json" | tail -1 | sed 's/.*"pages":\(-*[0-9]*\).*/\1/')
  [ -n "$want" ] && [ "$want" = "$got" ] || { echo "free pages: counter $got, records $want"; return 1; }
}

# Every process that exited ends with its resident and copy-on-write pages at 0: its
# teardown unmapped every page it mapped or was shared, whoever else still maps them.
counters_at_exit() {
  awk '
    /"name":"exit"/ { match($0, /"pid":[0-9]+/); dead[substr($0, RSTART + 6, RLENGTH - 6)] = 1 }
    /"ph":"C","name":"(resident|cow shared)"/ {
      match($0, /"pid":[0-9]+/); p = substr($0, RSTART + 6, RLENGTH - 6)
      match($0, /"name":"[a-z ]+"/); n = substr($0, RSTART + 8, RLENGTH - 9)
      match($0, /"pages":-?[0-9]+/); last[p "," n] = substr($0, RSTART + 8, RLENGTH - 8)
    }
    END {
      bad = 0; n = 0
      for (k in last) {
        split(k, a, ","); n++
        if ((a[1] in dead) && last[k] != 0) { print "pid " a[1] " ends with " a[2] " " last[k]; bad = 1 }
      }
      exit bad || n == 0
    }' "$1"
}

summary_agrees() {
  "$A/vmtcheck" "$S/$1.vmt" | grep -v '^vmtcheck:' > "$S/sum1" &&
    "$A/vmtrace2perfetto" --summary "$S/$1.vmt" > "$S/sum2" && cmp -s "$S/sum1" "$S/sum2"
}

for cfg in "3cpu:-s 1 -n 20000 -c 3" \
           "1cpu:-s 2 -n 20000 -c 1" \
           "8cpu:-s 3 -n 30000 -c 8 -p 32" \
           "silent-cpus:-s 4 -n 20000 -c 4 -a 2" \
           "drops:-s 5 -n 20000 -c 3 -d 50" \
           "3mhz-timer:-s 6 -n 20000 -c 2 -z 3000000" \
           "one-record-chunks:-s 7 -n 20000 -c 3 -k 1" \
           "out-of-memory:-s 8 -n 20000 -c 2 -f 40" \
           "call-chains:-s 9 -n 20000 -c 3 -C" \
           "call-chains-drops:-s 10 -n 20000 -c 3 -C -d 50" \
           "folded:-s 12 -n 20000 -c 3 -C -F" \
           "folded-drops:-s 13 -n 20000 -c 3 -C -F -d 50" \
           "version-1:-s 11 -n 20000 -c 2 -v 1" \
           "version-3:-s 14 -n 20000 -c 3 -C -F -v 3" \
           "version-4:-s 17 -n 20000 -c 3 -C -F -v 4" \
           "copy-fork:-s 15 -n 20000 -c 3 -C -F -Y" \
           "cow-out-of-memory:-s 16 -n 20000 -c 2 -f 60 -F"; do
  name=${cfg%%:*}
  # shellcheck disable=SC2086
  t "recording $name: counts, conversion, perfetto_check, trace engine agree" \
    pipeline "$name" ${cfg#*:}
  t "recording $name: --summary agrees with vmtcheck" summary_agrees "$name"
  t "recording $name: the free pages counter ends where the records say" free_pages_end "$name"
  case $cfg in
  *-d*) ;;             # with drops, an unmap may be among the lost records
  *) t "recording $name: every exited process ends with no pages" counters_at_exit "$S/$name.json" ;;
  esac
done

# Real recordings of cowtests same, different, chain, exec and read under the
# copy-on-write fork, in version 4 and in version 5 (whose exits and execs pack their
# unmaps five pages a record): their counts, every checker, no pages left in exited
# processes, and an arrow from a fork to every copy-on-write fault. The two kernels ran
# the same tests, so the counts are the same.
real_cow() {
  TOOLS=$A sh tools/check/check-recording.sh "$1" "$S/$2.json" -- -e share=28 \
    -e share_pages=224 -e share_cow_pages=182 -e fault_copied=66 -e fault_taken=14 \
    -e kalloc_in_cow_fault=66 -e unmap_in_cow_fault=66 -e fault_mapped=0 -e dropped=0 &&
    counters_at_exit "$S/$2.json" &&
    [ "$(grep -c '"ph":"s","cat":"cow"' "$S/$2.json")" -eq 80 ] &&
    [ "$(grep -c '"name":"cow fault"' "$S/$2.json")" -eq 80 ] &&
    [ "$(grep -c '"name":"fork","pid":[0-9]*,"tid":[0-9]*,"ts":[0-9.]*,"dur"' "$S/$2.json")" -ge 10 ]
}
t "recording tests/data/v4-cowtests.vmt (real, version 4): counts, checks, arrows, counters" \
  real_cow tools/convert/tests/data/v4-cowtests.vmt v4
# Version 5's records: fewer written than the events they stand for.
real_v5() {
  real_cow tools/convert/tests/data/v5-cowtests.vmt v5 &&
    "$A/vmtcheck" tools/convert/tests/data/v5-cowtests.vmt | grep -q '^records: 992 .*implying 372 more'
}
t "recording tests/data/v5-cowtests.vmt (real, version 5, packed unmaps): the same, and 372 records implied" \
  real_v5

# ---- Filters ----------------------------------------------------------------------------
only_pid() {
  "$A/vmtrace2perfetto" --pid 2 "$S/3cpu.vmt" -o "$S/pid.json" &&
    "$A/perfetto_check" "$S/pid.json" > "$S/out" &&
    grep -q '^slices pid=2 ' "$S/out" &&
    ! grep '^slices ' "$S/out" | grep -v '^slices pid=2 \|^slices pid=2147483648 '
}
t "--pid 2: only pid 2's tracks (and the kernel's)" only_pid
only_faults() {
  "$A/vmtrace2perfetto" --events fault "$S/3cpu.vmt" -o "$S/faults.json" &&
    "$A/perfetto_check" -q "$S/faults.json" && grep -q '"name":"page fault"' "$S/faults.json" &&
    ! grep -q '"name":"kalloc\|"name":"kfree"\|"name":"map\|"name":"unmap\|"cat":"proc"\|"cat":"sched"\|"ph":"C"' \
      "$S/faults.json"
}
t "--events fault: faults only" only_faults
window() {
  "$A/vmtrace2perfetto" --from 1000 --to 1500.5 "$S/3cpu.vmt" -o "$S/window.json" &&
    "$A/perfetto_check" -q "$S/window.json" &&
    grep '"ts":' "$S/window.json" | sed 's/.*"ts":\([0-9.]*\).*/\1/' |
      awk 'BEGIN { bad = 0; n = 0 } { n++; if ($1 < 1000 || $1 > 1500.5) bad++ }
           END { exit !(n > 10 && bad == 0) }'
}
t "--from/--to: every event starts inside the window" window

# ---- Counter thinning -------------------------------------------------------------------
# --counters 0 writes every change of the free pages counter (one per kalloc and kfree,
# plus the start); the default writes far fewer samples, and ends at the same value.
free_samples() { grep -c '"name":"free"' "$1"; }
thinning() {
  "$A/vmtrace2perfetto" --counters 0 "$S/3cpu.vmt" -o "$S/every.json" &&
    "$A/perfetto_check" -q "$S/every.json" || return 1
  changes=$("$A/vmtcheck" "$S/3cpu.vmt" |
    awk '$1 == "kalloc" || $1 == "kfree" { n += $NF } END { print n + 1 }')
  every=$(free_samples "$S/every.json") thin=$(free_samples "$S/3cpu.json")
  echo "free pages samples: $every with --counters 0 ($changes changes), $thin by default"
  last() { grep '"name":"free"' "$1" | tail -1 | sed 's/.*"pages":\(-*[0-9]*\).*/\1/'; }
  [ "$every" -eq "$changes" ] && [ "$thin" -lt $((every / 2)) ] &&
    [ "$(last "$S/every.json")" = "$(last "$S/3cpu.json")" ]
}
t "--counters: 0 writes every change, the default thins and ends the same" thinning

# ---- Memory does not grow with the recording (plain build: real allocation) ----------
peak_kb() {
  /usr/bin/time -f %M -o "$S/rss" "$@" > /dev/null 2>&1 && cat "$S/rss"
}
bounded() {
  # A silent CPU keeps the merge window full: the worst case for memory.
  "$P/vmtgen" -s 11 -n 600000 -c 3 -a 2 -o "$S/m1.vmt" &&
    "$P/vmtgen" -s 11 -n 2400000 -c 3 -a 2 -o "$S/m2.vmt" || return 1
  small=$(peak_kb "$P/vmtrace2perfetto" "$S/m1.vmt" -o -) &&
    big=$(peak_kb "$P/vmtrace2perfetto" "$S/m2.vmt" -o -) &&
    check=$(peak_kb "$P/vmtcheck" "$S/m2.vmt") || return 1
  echo "peak RSS: 600k records $small KiB, 2.4M records $big KiB, vmtcheck $check KiB"
  rm -f "$S/m1.vmt" "$S/m2.vmt"
  [ "$big" -le 65536 ] && [ "$check" -le 65536 ] && [ $((big - small)) -le 4096 ]
}
t "memory: at most 64 MiB and not growing with the recording" bounded

# ---- A short fuzz run --------------------------------------------------------------------
fuzz_smoke() {
  sh tools/gen/fuzz-seeds.sh "$P/vmtgen" "$S/fuzz-seeds" &&
    mkdir -p "$S/fuzz-corpus" &&
    build/tools/fuzz/fuzz_vmtrace -max_total_time="${FUZZ_SMOKE_SECONDS:-10}" -max_len=65536 \
      -artifact_prefix="$S/" "$S/fuzz-corpus" "$S/fuzz-seeds"
}
t "fuzz: converter survives ${FUZZ_SMOKE_SECONDS:-10} s of libFuzzer" fuzz_smoke

# Inputs that once broke the fuzz target: each must now pass it (rejected cleanly, or
# converted to JSON that keeps the rules).
for input in tools/gen/regressions/*; do
  t "fuzz regression: $(basename "$input")" build/tools/fuzz/fuzz_vmtrace "$input"
done
