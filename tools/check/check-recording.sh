#!/bin/sh
# Checks one recording end to end, the way `make test` should check real recordings:
#   1. vmtcheck: framing, timestamps, sequence numbers, counts (extra args go to it,
#      e.g. --expect fault_mapped=7);
#   2. vmtrace2perfetto: converts it to JSON;
#   3. perfetto_check: the JSON follows Perfetto's and DevTools' rules;
#   4. Chrome DevTools' trace engine loads the JSON and finds the same slices per track.
#
# usage: tools/check/check-recording.sh REC.vmt [OUT.json] [-- VMTCHECK-ARGS...]
# OUT defaults to REC with .vmt replaced by .json. TOOLS=dir picks the binaries
# (default build/tools/; the tests use the sanitizer builds); CONVERT_ARGS adds converter
# flags (e.g. "--symbols build/user"). Run from the repository root.
set -u
rec=${1:?usage: check-recording.sh REC.vmt [OUT.json] [-- VMTCHECK-ARGS...]}
shift
out=${rec%.vmt}.json
if [ $# -gt 0 ] && [ "$1" != "--" ]; then out=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
bin=${TOOLS:-build/tools}
node_script=tools/check/trace_engine_check.mjs
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() { echo "check-recording: $rec: $*" >&2; exit 1; }

"$bin/vmtcheck" -q "$@" "$rec" || fail "vmtcheck failed"
"$bin/vmtrace2perfetto" ${CONVERT_ARGS:-} "$rec" -o "$out" || fail "conversion failed"
"$bin/perfetto_check" "$out" > "$tmp/ours" || { tail -1 "$tmp/ours" >&2; fail "perfetto_check found violations"; }
node "$node_script" "$out" > "$tmp/engine" || fail "the trace engine could not load $out"
grep '^slices ' "$tmp/ours" > "$tmp/ours.slices"
grep '^slices ' "$tmp/engine" > "$tmp/engine.slices"
if ! diff "$tmp/ours.slices" "$tmp/engine.slices" > "$tmp/diff"; then
  head -20 "$tmp/diff" >&2
  fail "perfetto_check and the trace engine disagree on slices per track (< ours, > engine)"
fi
echo "check-recording: $rec: ok: $(tail -1 "$tmp/ours" | sed 's/^[^:]*: //')"
