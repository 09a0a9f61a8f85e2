# Fault attribution in the converter (issue 14): the at/stack args on generated
# recordings, and the report/folded files against the JSON they come from. Part of
# test-host.
.PHONY: test-attrib
test-attrib: tools/build-asan/vmtrace2perfetto $(SYMBOLS_OUT)/asan/symresolve $(UPROGS) \
             tools/vmtgen
	$(PYTHON) tools/convert/tests/attrib_test.py tools/build-asan/vmtrace2perfetto \
	  $(SYMBOLS_OUT)/asan/symresolve $(firstword $(SYMBOL_DIRS))
	$(PYTHON) tools/report/tests/report_test.py tools/build-asan/vmtrace2perfetto tools/vmtgen
	$(PYTHON) tools/convert/tests/window_procs_test.py tools/build-asan/vmtrace2perfetto tools/vmtgen
