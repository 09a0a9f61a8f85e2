# The checkers, included by tools/tools.mk (which holds the build rules):
#   vmtcheck        a recording's framing, sequence numbers and counts
#   perfetto_check  trace-event JSON against the rules Perfetto and DevTools need
#   trace_engine_check.mjs  Chrome DevTools' trace engine as a second, independent parser

PCHECK_SRCS = $(addprefix tools/check/,json_parse.c pcheck.c pcheck_store.c)
SRCS_vmtcheck       = tools/check/vmtcheck.c tools/check/vmt_cowcheck.c tools/check/vmt_balance.c $(VMT_CORE_SRCS)
SRCS_perfetto_check = tools/check/perfetto_check.c $(PCHECK_SRCS)
CHECK_TEST_SRCS     = tools/check/tests/test_pcheck.c

# The trace engine, pinned in tools/check/package-lock.json.
TRACE_ENGINE = tools/check/node_modules/.package-lock.json
$(TRACE_ENGINE): tools/check/package.json tools/check/package-lock.json
	cd tools/check && npm ci --no-audit --no-fund --loglevel=error
