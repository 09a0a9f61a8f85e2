# Every kind of bad input (sourced by run-tests.sh): each must give a non-zero exit, one
# line on stderr naming the byte offset, and no output file (not even an older one).

# patch FILE OFFSET BYTES: overwrite bytes (printf escapes, e.g. '\002') at OFFSET.
patch() {
  printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# rejected FILE OFFSET-REGEX [OPTIONS...]: both the converter and vmtcheck refuse FILE.
rejected() {
  file=$1; off=$2; shift 2
  echo stale > "$S/bad.json"
  "$A/vmtrace2perfetto" "$@" "$file" -o "$S/bad.json" > "$S/out" 2> "$S/err"
  rc=$?
  [ $rc -eq 1 ] || { echo "converter exit $rc, not 1"; return 1; }
  [ "$(wc -l < "$S/err")" -eq 1 ] || { echo "stderr is not one line"; return 1; }
  grep -q "^vmtrace2perfetto: $file: offset $off: " "$S/err" ||
    { echo "no 'offset $off' in: $(cat "$S/err")"; return 1; }
  [ ! -e "$S/bad.json" ] || { echo "an output file was left behind"; return 1; }
  ls "$S"/bad.json.tmp.* > /dev/null 2>&1 && { echo "a temporary file was left"; return 1; }
  "$A/vmtcheck" "$@" "$file" > "$S/out" 2> "$S/err2"
  rc=$?
  [ $rc -eq 1 ] && grep -q "offset $off: " "$S/err2" ||
    { echo "vmtcheck exit $rc: $(cat "$S/err2")"; return 1; }
}

# bad NAME OFFSET-REGEX PATCH-OFFSET BYTES: a good recording with bytes changed.
bad() {
  cp "$S/base.vmt" "$S/$1.vmt"
  patch "$S/$1.vmt" "$3" "$4"
  t "bad input: $1" rejected "$S/$1.vmt" "$2"
}

"$P/vmtgen" -s 5 -n 2000 -c 3 -o "$S/base.vmt"
# Offsets come from the format (run-tests.sh: H_field, R_field, VMT_*_SIZE).
R0=$VMT_HEADER_SIZE                                 # record 0
R10=$((VMT_HEADER_SIZE + 10 * VMT_RECORD_SIZE))     # record 10: not the first of its CPU
bad wrong-magic 0 $H_magic 'X'
bad wrong-version $H_version $H_version "$(printf '\\%03o' $((VMT_VERSION + 1)))"   # one too new
bad wrong-header-size $H_header_size $H_header_size '\100'
bad wrong-record-size $H_record_size $H_record_size '\040'
bad zero-cpus $H_ncpu $H_ncpu '\000'
bad too-many-cpus $H_ncpu $H_ncpu '\011'
bad zero-timer $H_timer_hz $H_timer_hz '\000\000\000\000\000\000\000\000'
bad odd-page-size $H_page_size $H_page_size '\270\013'
bad reserved-flags $H_flags $H_flags '\001'
bad unknown-event-type $R0 $((R0 + R_type)) '\143'
bad cpu-out-of-range $R0 $((R0 + R_cpu)) '\007'
bad pid-out-of-range $R0 $((R0 + R_pid)) '\377\377\377\377'
bad ts-before-start $R0 $((R0 + R_ts)) '\000\000\000\000\000\000\000\000'
bad ts-backwards $R10 $((R10 + R_ts)) '\101\113\114\000\000\000\000\000'
bad ts-absurd-jump $R10 $((R10 + R_ts)) '\000\000\000\000\000\000\377\000'

: > "$S/empty.vmt"
t "bad input: empty file" rejected "$S/empty.vmt" 0
head -c 30 "$S/base.vmt" > "$S/short-header.vmt"
t "bad input: truncated header" rejected "$S/short-header.vmt" 30
head -c $((R0 + VMT_RECORD_SIZE * 100 + 17)) "$S/base.vmt" > "$S/short-record.vmt"
t "bad input: truncated record" rejected "$S/short-record.vmt" $((R0 + VMT_RECORD_SIZE * 100))
yes 'not a recording at all' | head -c 5000 > "$S/garbage.vmt"
t "bad input: garbage" rejected "$S/garbage.vmt" 0
{ head -c $R0 "$S/base.vmt"; yes 'garbage after a good header' | head -c 400; } > "$S/garbage2.vmt"
t "bad input: garbage after a good header" rejected "$S/garbage2.vmt" $R0

# Records more than the merge window late: an error, not silently reordered time.
"$P/vmtgen" -s 6 -n 20000 -c 2 -k 3000 -o "$S/late.vmt"
t "bad input: records later than the merge window" rejected "$S/late.vmt" '[0-9]*' --window 100
t "the same recording with the default window converts" "$A/vmtrace2perfetto" "$S/late.vmt" -o "$S/late.json"

stdin_bad() {
  "$A/vmtrace2perfetto" - -o - < "$S/garbage.vmt" > /dev/null 2> "$S/err"
  [ $? -eq 1 ] && grep -q '^vmtrace2perfetto: -: offset 0: bad magic' "$S/err"
}
t "bad input on stdin: exit 1 with the offset" stdin_bad

# Sequence numbers (vmtcheck only: the converter does not need them).
head -c $R10 "$S/base.vmt" > "$S/gap.vmt"
tail -c +$((R10 + 3 * VMT_RECORD_SIZE + 1)) "$S/base.vmt" >> "$S/gap.vmt"   # records 10-12 gone
seq_gap() {
  "$A/vmtcheck" "$S/gap.vmt" > /dev/null 2> "$S/err"
  [ $? -eq 1 ] && grep -q "offset $R10: cpu [0-9]: sequence jumps by 4" "$S/err" &&
    "$A/vmtrace2perfetto" "$S/gap.vmt" -o "$S/gap.json"
}
t "vmtcheck: a sequence gap without VMT_LOST fails" seq_gap
lost_covers() {      # the record after the gap becomes VMT_LOST with count $1
  cp "$S/gap.vmt" "$S/lost.vmt"
  patch "$S/lost.vmt" $((R10 + R_type)) "$(printf '\\%03o' "$VMT_LOST")"'\000'
  patch "$S/lost.vmt" $((R10 + R_a)) "$1"'\000\000\000\000\000\000\000'
  "$A/vmtcheck" -q "$S/lost.vmt" 2> "$S/err"
}
t "vmtcheck: a gap covered by VMT_LOST passes" lost_covers '\003'
lost_short() { ! lost_covers '\002' && grep -q "VMT_LOST reports 2 records lost but 3" "$S/err"; }
t "vmtcheck: a VMT_LOST count smaller than the gap fails" lost_short
{ head -c $((R10 + VMT_RECORD_SIZE)) "$S/base.vmt"; tail -c +$((R10 + 1)) "$S/base.vmt"; } > "$S/repeat.vmt"
repeat_seq() {
  "$A/vmtcheck" "$S/repeat.vmt" > /dev/null 2> "$S/err"
  [ $? -eq 1 ] && grep -q "repeats or goes back" "$S/err"
}
t "vmtcheck: a repeated sequence number fails" repeat_seq

# Call chains (vmtcheck only): a chain must follow its fault's begin on its CPU. Record
# 11 of base.vmt is not the first of its CPU (records 0 to 255 are one CPU's first
# chunk, and base.vmt drops none); with record 10 made a context switch, whatever it
# was, record 11 made a chain is out of place. A version 1 recording holds no chains.
R11=$((R10 + VMT_RECORD_SIZE))
stray_chain() {
  cp "$S/base.vmt" "$S/chain.vmt"
  patch "$S/chain.vmt" $((R10 + R_type)) "$(printf '\\%03o' "$VMT_SWITCH")"'\000'
  patch "$S/chain.vmt" $((R11 + 16)) '\017\000'
  patch "$S/chain.vmt" $((R11 + 19)) '\000'
  "$A/vmtcheck" "$S/chain.vmt" > /dev/null 2> "$S/err"
  [ $? -eq 1 ] && grep -q "offset $R11: cpu [0-9]: call chain .* does not follow a fault begin" "$S/err"
}
t "vmtcheck: a call chain that does not follow a fault begin fails" stray_chain
cp "$S/chain.vmt" "$S/chain-v1.vmt"
patch "$S/chain-v1.vmt" 8 '\001'
t "bad input: a call chain in a version 1 recording" rejected "$S/chain-v1.vmt" $R11
t "an old recording (tests/data/v1-tracedemo.vmt, version 1) still converts" \
  "$A/vmtrace2perfetto" tools/convert/tests/data/v1-tracedemo.vmt -o "$S/example.json"
old_v2() {
  "$A/vmtcheck" -q traces/example.vmt &&
    "$A/vmtrace2perfetto" traces/example.vmt -o "$S/example2.json"
}
t "an old recording (traces/example.vmt, version 2) still checks and converts" old_v2

# ---- Copy-on-write (version 4) ----------------------------------------------------------
# le V N: V as N little-endian bytes.
le() {
  le_v=$1 le_i=0
  while [ $le_i -lt "$2" ]; do
    # shellcheck disable=SC2059  # the format is the byte's escape
    printf "\\$(printf %03o $((le_v & 255)))"
    le_v=$((le_v >> 8)) le_i=$((le_i + 1))
  done
}
# rec TICK SEQ PID TYPE FLAGS ARG A B: a record on CPU 3, TICK after the start.
rec() {
  le $((5000000 + $1)) 8; le "$2" 4; le "$3" 4; le "$4" 2; le 3 1; le "$5" 1; le "$6" 4
  le "$7" 8; le "$8" 8
}
# CPU 3 of these recordings writes nothing (-a 3): records added at the end go on it.
"$P/vmtgen" -s 21 -n 2000 -c 4 -a 3 -F -o "$S/cow.vmt"
"$P/vmtgen" -s 21 -n 2000 -c 4 -a 3 -F -v 3 -o "$S/v3.vmt"
CE=$(wc -c < "$S/cow.vmt")          # the offset of the first record added
COW=$VMT_END_COW REFS=$VMT_END_REFS_SHIFT
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x4000 0; } > "$S/share0.vmt"
t "bad input: a share of 0 pages" rejected "$S/share0.vmt" "$CE"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x3fffffe000 4; } > "$S/sharetop.vmt"
t "bad input: a share past the end of user space" rejected "$S/sharetop.vmt" "$CE"
{ cat "$S/v3.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x4000 1; } > "$S/sharev3.vmt"
t "bad input: a share in a version 3 recording" rejected "$S/sharev3.vmt" "$(wc -c < "$S/v3.vmt")"
{ cat "$S/v3.vmt"; rec 1 0 99 "$VMT_FAULT_END" 0 $((COW | 1 << REFS)) 0x4000 0; } > "$S/cowv3.vmt"
t "bad input: copy-on-write bits in a version 3 recording" rejected "$S/cowv3.vmt" \
  "$(wc -c < "$S/v3.vmt")"

# cow_rule FILE MESSAGE: vmtcheck fails with MESSAGE; the converter still converts.
cow_rule() {
  "$A/vmtcheck" "$1" > /dev/null 2> "$S/err2"
  rc=$?
  [ $rc -eq 1 ] && [ "$(wc -l < "$S/err2")" -eq 1 ] && grep -q "$2" "$S/err2" ||
    { echo "vmtcheck exit $rc: $(cat "$S/err2")"; return 1; }
  "$A/vmtrace2perfetto" "$1" -o "$S/rule.json" && "$A/perfetto_check" -q "$S/rule.json"
}
t "vmtcheck: the generated copy-on-write recording passes" "$A/vmtcheck" -q "$S/cow.vmt"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x4000 2; } > "$S/unforked.vmt"
t "vmtcheck: a share with no fork after it fails" cow_rule "$S/unforked.vmt" \
  "offset $CE: pid 98 shared pages with child 99 but never forked it"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_FAULT_BEGIN" 16 15 0x4008 0x100
  rec 2 1 99 "$VMT_FAULT_END" 0 $((VMT_OUT_TAKEN | COW | 2 << REFS)) 0x4008 0x80001000
} > "$S/taken2.vmt"
t "vmtcheck: a take-over with 2 references fails" cow_rule "$S/taken2.vmt" \
  "pid 99 took a shared page over with 2 references"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_FAULT_BEGIN" 16 15 0x4008 0x100
  rec 2 1 99 "$VMT_MAP" 0 22 0x4000 0x80001000
  rec 3 2 99 "$VMT_FAULT_END" 0 $((VMT_OUT_TAKEN | COW | 1 << REFS)) 0x4008 0x80001000
} > "$S/takenmap.vmt"
t "vmtcheck: a take-over that maps a page fails" cow_rule "$S/takenmap.vmt" \
  "pid 99 took a page over but allocated, freed, mapped or unmapped"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_FAULT_BEGIN" 16 15 0x4008 0x100
  rec 2 1 99 "$VMT_UNMAP" 0 $((0x112)) 0x4000 0x80001000
  rec 3 2 99 "$VMT_UNMAP" 0 $((0x112)) 0x7000 0x80002000
  rec 4 3 99 "$VMT_FAULT_END" 0 $((VMT_OUT_COPIED | COW | 2 << REFS)) 0x4008 0x80003000
} > "$S/copy2.vmt"
t "vmtcheck: a copy that unmaps another page fails" cow_rule "$S/copy2.vmt" \
  "pid 99 copied a page but mapped or unmapped more than that page"

# Page balance: a child shared 2 pages may unmap 2, not 3.
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x4000 2; rec 2 1 98 "$VMT_FORK" 0 99 0 0
  rec 3 2 99 "$VMT_UNMAP" 0 $((0x112)) 0x4000 0x80001000
  rec 4 3 99 "$VMT_UNMAP" 0 $((0x112)) 0x5000 0x80002000; } > "$S/balanced.vmt"
t "vmtcheck: a child unmaps the pages it was shared" "$A/vmtcheck" -q "$S/balanced.vmt"
{ cat "$S/balanced.vmt"; rec 5 4 99 "$VMT_UNMAP" 0 22 0x6000 0x80003000; } > "$S/unbalanced.vmt"
t "vmtcheck: a child that unmaps more than it mapped or was shared fails" cow_rule \
  "$S/unbalanced.vmt" "pid 99 unmaps more pages than it mapped or was shared"

# ---- Unmaps of several pages (version 5) ------------------------------------------------
# unmaps N FLAGS: the flags of a packed unmap of N pages (VMT_UNMAP_PAGES, the count)
# with FLAGS besides; frames N: b holding the frame numbers 0x80001, 0x80002, 0x80003
# in slots 0..N-1 (N at most 3).
unmaps() { echo $((VMT_UNMAP_PAGES | $1 << VMT_UNMAP_COUNT_SHIFT | $2)); }
frames() {
  frames_b=0 frames_i=0
  while [ $frames_i -lt "$1" ]; do
    frames_b=$((frames_b | (0x80001 + frames_i) << (VMT_UNMAP_PFN_BITS * frames_i)))
    frames_i=$((frames_i + 1))
  done
  echo $frames_b
}
"$P/vmtgen" -s 21 -n 2000 -c 4 -a 3 -F -v 4 -o "$S/v4.vmt"
{ cat "$S/v4.vmt"; rec 1 0 99 "$VMT_UNMAP" "$(unmaps 2 0)" 22 0x4000 "$(frames 2)"; } > "$S/unmapsv4.vmt"
t "bad input: an unmap of several pages in a version 4 recording" rejected "$S/unmapsv4.vmt" \
  "$(wc -c < "$S/v4.vmt")"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_UNMAP" "$(unmaps 6 0)" 22 0x4000 "$(frames 3)"; } > "$S/unmaps6.vmt"
t "bad input: an unmap of 6 pages" rejected "$S/unmaps6.vmt" "$CE"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_UNMAP" "$(unmaps 3 1)" 22 0x4000 "$(frames 2)"; } > "$S/unmapsnoframe.vmt"
t "bad input: an unmap of 3 pages naming 2 frames" rejected "$S/unmapsnoframe.vmt" "$CE"

# The checks that span records see one unmap per page: a child shared 2 pages may unmap
# them in one record, not 3; a copy that unmaps 2 pages in one record unmaps 2.
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x4000 2; rec 2 1 98 "$VMT_FORK" 0 99 0 0
  rec 3 2 99 "$VMT_UNMAP" "$(unmaps 2 0)" $((0x112)) 0x4000 "$(frames 2)"; } > "$S/packed-balanced.vmt"
t "vmtcheck: a child unmaps the pages it was shared in one record" \
  "$A/vmtcheck" -q -e unmap=$(($("$A/vmtcheck" "$S/cow.vmt" | awk '$1 == "unmap" { print $NF }') + 2)) \
  "$S/packed-balanced.vmt"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_SHARE" 1 98 0x4000 2; rec 2 1 98 "$VMT_FORK" 0 99 0 0
  rec 3 2 99 "$VMT_UNMAP" "$(unmaps 3 0)" $((0x112)) 0x4000 "$(frames 3)"; } > "$S/packed-unbalanced.vmt"
t "vmtcheck: a child that unmaps 3 pages in one record after 2 were shared fails" cow_rule \
  "$S/packed-unbalanced.vmt" "pid 99 unmaps more pages than it mapped or was shared"
{ cat "$S/cow.vmt"; rec 1 0 99 "$VMT_FAULT_BEGIN" 16 15 0x4008 0x100
  rec 2 1 99 "$VMT_UNMAP" "$(unmaps 2 0)" $((0x112)) 0x4000 "$(frames 2)"
  rec 3 2 99 "$VMT_FAULT_END" 0 $((VMT_OUT_COPIED | COW | 2 << REFS)) 0x4008 0x80003000
} > "$S/packed-copy2.vmt"
t "vmtcheck: a copy that unmaps two pages in one record fails" cow_rule "$S/packed-copy2.vmt" \
  "pid 99 copied a page but mapped or unmapped more than that page"

# vmtgen writes what the kernel does: without --fold nothing else is implied, so any
# implied record in version 5 is a packed unmap's later page; version 4 has none.
implied_count() {
  "$P/vmtgen" -s 22 -n 5000 -c 2 "$@" | "$A/vmtrace2perfetto" --summary - |
    sed -n 's/^records: .*, implying \([0-9]*\) more$/\1/p'
}
packs() {
  v5=$(implied_count) v4=$(implied_count -v 4)
  echo "implied records: version 5 $v5, version 4 $v4"
  [ "$v5" -gt 0 ] && [ "$v4" -eq 0 ]
}
t "vmtgen: version 5 packs the unmaps of exit, exec and shrink, version 4 does not" packs
