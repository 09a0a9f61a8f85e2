# The fault report and its flame graphs (tools/report/). Part of test-host:
#   test-report   the report's text and folded stacks against the JSON they come from,
#                 on a generated recording and on traces/example.vmt
#   test-flame    the flame graph against the folded stacks it is drawn from: a real
#                 recording of faultsite (tests/data/), the whole pipeline on recordings,
#                 bad input
#   make flame FOLDED=traces/NAME.folded [OUT=FILE.svg]   draws one (default OUT:
#                 traces/NAME.flame.svg), e.g. from a folded file cut down with grep
.PHONY: test-report test-flame flame
test-report: $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen $(UPROGS)
	$(PYTHON) tools/report/tests/report_test.py $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen \
	  $(firstword $(SYMBOL_DIRS))

test-flame: $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen $(UPROGS)
	$(PYTHON) tools/report/tests/flame_test.py $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen \
	  $(firstword $(SYMBOL_DIRS))

flame:
	@test -n "$(FOLDED)" || { echo "make flame: which folded file? make flame FOLDED=traces/NAME.folded [OUT=FILE.svg]" >&2; exit 2; }
	$(PYTHON) tools/report/flame_graph.py "$(FOLDED)" $(if $(OUT),-o "$(OUT)")
