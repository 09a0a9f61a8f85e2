# The tracer's benchmark and drop test, included by the top-level Makefile:
#   make bench-trace        boots kernel/kernel and build/kernel-notrace, runs tracebench,
#                           writes analysis/data/tracebench.csv and prints the summary
#                           (figures, not pass/fail; BENCH_TRACE_ARGS="--icount -r 5" etc.)
#   make test-trace-drops   a fault storm into 16-record rings: every drop must be counted
#                           and explained in-band (tools/tests/trace-drops.sh)

BENCH_TRACE_ARGS ?=

.PHONY: bench-trace test-trace-drops

bench-trace: kernel/kernel build/kernel-notrace fs.img tools/vmtcheck
	sh tools/bench-trace.sh --cpus $(CPUS) $(BENCH_TRACE_ARGS)

test-trace-drops: kernel/kernel fs.img tools/vmtcheck
	sh tools/tests/trace-drops.sh --cpus $(CPUS)
