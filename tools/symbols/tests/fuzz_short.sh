#!/bin/sh
# fuzz_short.sh FUZZER OUTDIR ELF... [SECONDS]: libFuzzer on the ELF/DWARF readers,
# seeded with the given binaries, for SECONDS (default 20). OBJCOPY: the RISC-V objcopy. Fails on any crash or
# sanitizer report; the crashing input is left in OUTDIR/fuzz-crash-*. Inputs in
# tools/symbols/tests/regressions/ (ones that once crashed a reader) run first, every time.
set -eu
fuzzer=$1 out=$2
shift 2
seconds=20
seeds=$out/fuzz-seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$out/fuzz-corpus"
# Each binary cut down to what the readers use (text, symbols, lines; the whole file if
# that fails): small inputs let libFuzzer run ten times more cases per second.
objcopy=${OBJCOPY:-riscv64-unknown-elf-objcopy}
for a in "$@"; do
  case $a in
    *[!0-9]*)
      "$objcopy" -j .text -j .symtab -j .strtab -j .debug_line -j .debug_line_str \
        "$a" "$seeds/$(basename "$a")" 2>/dev/null || cp "$a" "$seeds/" ;;
    *) seconds=$a ;;
  esac
done
"$fuzzer" -max_total_time="$seconds" -max_len=262144 -artifact_prefix="$out/fuzz-crash-" \
  -print_final_stats=1 "$out/fuzz-corpus" "$seeds" tools/symbols/tests/regressions 2>"$out/fuzz.log" || {
  tail -40 "$out/fuzz.log"; echo "fuzz_symbols: FAILED (log: $out/fuzz.log)"; exit 1; }
grep -E '^stat::number_of_executed_units' "$out/fuzz.log" | sed 's/^/fuzz_symbols: /'
