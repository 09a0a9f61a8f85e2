#!/bin/sh
# The converter's benchmark: a generated recording of N records (default 10 million, 3
# CPUs, chunked like the recorder drains them), converted once to a JSON file and once
# to /dev/null. Prints records per second (by wall clock, and by the converter's own CPU
# time, which other load on the machine does not inflate) and peak memory (max RSS from
# /usr/bin/time); figures, not a pass/fail test. Goals: >= 5 million records/s, <= 64 MiB
# whatever N.
# usage: tools/convert/bench.sh [N]
set -eu
n=${1:-10000000}
dir=build/tools/bench
rec=$dir/bench-$n.vmt
mkdir -p "$dir"
if [ ! -f "$rec" ] || [ build/tools/vmtgen -nt "$rec" ]; then
  echo "bench: generating $rec"
  build/tools/vmtgen -s 7 -n "$n" -c 3 -p 16 -k 512 -o "$rec"
fi
size=$(wc -c < "$rec")
eval "$("${PYTHON:-python3}" tracing/vmtrace_format.py)"    # VMT_HEADER_SIZE, VMT_RECORD_SIZE
records=$(( (size - VMT_HEADER_SIZE) / VMT_RECORD_SIZE ))

# Runs the converter with output to $1; prints "seconds maxrss_kb user_s sys_s".
run() {
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time" build/tools/vmtrace2perfetto "$rec" -o "$1" > /dev/null
  cat "$dir/time"
}

report() {
  echo "$1" | awk -v rec="$records" -v what="$2" -v bytes="$3" '{
    printf "bench: %s: %d records in %.2f s = %.2f million records/s (CPU %.2f s: %.2f M/s), peak RSS %.1f MiB",
           what, rec, $1, rec / $1 / 1e6, $3 + $4, rec / ($3 + $4) / 1e6, $2 / 1024
    if (bytes > 0) printf ", JSON %.0f MB (%.0f MB/s)", bytes / 1e6, bytes / 1e6 / $1
    printf "\n" }'
}

sync
report "$(run -)" "to /dev/null (-o -)" 0
report "$(run "$dir/bench.json")" "to a file" "$(wc -c < "$dir/bench.json")"
rm -f "$dir/bench.json"
echo "bench: $(nproc) CPUs, $(uname -m), load $(cut -d' ' -f1 /proc/loadavg), $(build/tools/vmtrace2perfetto --version)"
