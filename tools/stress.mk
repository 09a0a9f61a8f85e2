# The stress matrix, included by the top-level Makefile (too long for make test):
#   make stress   usertests and lazytests at 1, 2, 4 and 8 harts; lazytests oomall (out
#                 of memory on every hart at once) recorded at 8 harts with nothing
#                 dropped; fault and record storms into 16-record rings with every drop
#                 counted (tools/tests/stress.sh). STRESS_ARGS="--eager" adds eager
#                 usertests; "--cpus '2 8'" other CPU counts; "--no-matrix" only the
#                 tracing cells.

STRESS_ARGS ?=

.PHONY: stress

stress: kernel/kernel fs.img $(HOST_TOOLS)
	QEMU="$(QEMU)" PYTHON="$(PYTHON)" sh tools/tests/stress.sh $(STRESS_ARGS)
