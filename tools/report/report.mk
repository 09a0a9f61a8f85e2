# The fault report (tools/report/): its text and folded stacks against the JSON they come
# from, on a generated recording and on traces/example.vmt. Part of test-host.
.PHONY: test-report
test-report: $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen $(UPROGS)
	$(PYTHON) tools/report/tests/report_test.py $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen \
	  $(firstword $(SYMBOL_DIRS))
