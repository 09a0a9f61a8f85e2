# Host trace tools: built into HOST_TOOLS, tested by test-tools (part of make test).
.PHONY: test-tools
test-tools:
