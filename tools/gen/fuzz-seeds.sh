#!/bin/sh
# Seeds for the converter's fuzzer: small generated recordings of every shape (one or
# many CPUs, silent CPUs, drops, odd timer, tiny chunks; the current format version,
# whose exits pack their unmaps, and versions 3 and 4), a header alone, and the first
# 64 KiB of every real recording in traces/ and tools/convert/tests/data/ (the fuzzer
# reads at most that much).
# usage: tools/gen/fuzz-seeds.sh VMTGEN DIR
set -eu
gen=$1
dir=$2
mkdir -p "$dir"
i=0
for opts in "-c 1" "-c 3" "-c 8 -p 16" "-c 4 -a 2" "-c 2 -d 100" "-c 3 -z 3000000" \
            "-c 2 -k 1" "-c 3 -k 7 -d 30" "-c 1 -f 3" "-c 8 -a 1 -k 64" "-c 3 -C -F" \
            "-c 2 -F -f 30" "-c 3 -F -v 3" "-c 3 -C -F -v 4"; do
  i=$((i + 1))
  # shellcheck disable=SC2086  # opts is a list of options
  "$gen" -s "$i" -n 400 $opts -o "$dir/gen$i.vmt"
done
"$gen" -n 1 -o "$dir/tiny.vmt"
eval "$("${PYTHON:-python3}" tracing/vmtrace_format.py)"    # VMT_HEADER_SIZE
head -c "$VMT_HEADER_SIZE" "$dir/tiny.vmt" > "$dir/header-only.vmt"
for rec in traces/*.vmt tools/convert/tests/data/*.vmt; do
  [ -f "$rec" ] || continue
  head -c 65536 "$rec" > "$dir/real-$(basename "$rec")"
done
