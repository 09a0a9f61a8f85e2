# make open TRACE=traces/NAME.json: serve one timeline to ui.perfetto.dev (README.md).
.PHONY: open test-open
open:
	@test -n "$(TRACE)" || { echo "usage: make open TRACE=traces/NAME.json"; exit 2; }
	$(PYTHON) tools/open/serve_trace.py "$(TRACE)"

test-open:
	$(PYTHON) tools/open/tests/test_serve.py
