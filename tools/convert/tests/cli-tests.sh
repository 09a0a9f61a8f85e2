# Command-line behaviour of each tool (sourced by run-tests.sh: uses t, pass, fail, A, P, S).

usage_exit() {  # usage_exit CODE CMD...: CMD must exit with CODE
  code=$1; shift
  "$@" > "$S/out" 2> "$S/err"
  [ $? -eq "$code" ]
}

for tool in vmtrace2perfetto vmtcheck perfetto_check; do
  t "$tool --help" "$A/$tool" --help
  t "$tool: bad usage exits 2" usage_exit 2 "$A/$tool"
  t "$tool: missing input exits 1" usage_exit 1 "$A/$tool" "$S/no-such-file"
done
t "vmtgen --help" "$P/vmtgen" --help
t "vmtrace2perfetto --version" sh -c "'$A/vmtrace2perfetto' --version | grep -q '^vmtrace2perfetto [0-9]'"
t "vmtrace2perfetto: unknown --events name exits 2" usage_exit 2 "$A/vmtrace2perfetto" --events fault,bogus x.vmt
t "vmtrace2perfetto: --to before --from exits 2" usage_exit 2 "$A/vmtrace2perfetto" --from 5 --to 1 x.vmt
t "vmtrace2perfetto: bad --pid exits 2" usage_exit 2 "$A/vmtrace2perfetto" --pid -3 x.vmt
t "vmtrace2perfetto: bad --counters exits 2" usage_exit 2 "$A/vmtrace2perfetto" --counters x x.vmt
t "vmtcheck: unknown --expect name exits 2" usage_exit 2 "$A/vmtcheck" --expect nosuch=1 x.vmt

"$P/vmtgen" -s 3 -n 3000 -o "$S/small.vmt"
default_output() {
  cp "$S/small.vmt" "$S/named.vmt" && "$A/vmtrace2perfetto" "$S/named.vmt" &&
    "$A/perfetto_check" -q "$S/named.json"
}
t "vmtrace2perfetto: OUT defaults to IN.json" default_output
pipes() {
  "$P/vmtgen" -s 4 -n 3000 | "$A/vmtrace2perfetto" - -o - | "$A/perfetto_check" -q -
}
t "vmtrace2perfetto: - reads stdin and writes stdout" pipes
same_bytes() {
  "$P/vmtgen" -s 9 -n 5000 -c 4 -o "$S/d1.vmt" && "$P/vmtgen" -s 9 -n 5000 -c 4 -o "$S/d2.vmt" &&
    cmp -s "$S/d1.vmt" "$S/d2.vmt" &&
    "$A/vmtrace2perfetto" "$S/d1.vmt" -o "$S/e1.json" &&
    "$A/vmtrace2perfetto" "$S/d1.vmt" -o "$S/e2.json" && cmp -s "$S/e1.json" "$S/e2.json"
}
t "vmtgen and vmtrace2perfetto are deterministic" same_bytes
