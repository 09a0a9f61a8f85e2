# Fault attribution in the converter (issue 14): the at/stack args on generated
# recordings, and per-test timelines naming only their own processes. Part of test-host.
.PHONY: test-attrib
test-attrib: $(ASAN_DIR)/vmtrace2perfetto $(SYMBOLS_OUT)/asan/symresolve $(UPROGS) \
             $(TOOLS_BUILD)/vmtgen
	$(PYTHON) tools/convert/tests/attrib_test.py $(ASAN_DIR)/vmtrace2perfetto \
	  $(SYMBOLS_OUT)/asan/symresolve $(firstword $(SYMBOL_DIRS))
	$(PYTHON) tools/convert/tests/window_procs_test.py $(ASAN_DIR)/vmtrace2perfetto $(TOOLS_BUILD)/vmtgen
