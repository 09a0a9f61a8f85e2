# Per-CPU drop counts, for the shell tests that compare them (sourced by
# tools/systest/trace-drops.sh and tools/systest/stress.sh). Each prints sorted "cpuN COUNT"
# lines, CPUs without drops left out, so that two sources compare with cmp.
# Needs PYTHON set.

# drops_in_gaps REC: the drops a recording's sequence gaps show (tools/systest/vmt_gaps.py).
drops_in_gaps() {
  "$PYTHON" tools/systest/vmt_gaps.py "$1" | awk '$5 != 0 { print $1, $5 }' | sort
}

# drops_in_stat LOG: the kernel's own lost counters, from the `vmtrace stat` lines
# ("cpuN fill F lost L") in a console log.
drops_in_stat() {
  tr -d '\r' < "$1" | awk '/^cpu[0-9]+ fill [0-9]+ lost [0-9]+$/ && $5 != 0 { print $1, $5 }' |
    sort
}
