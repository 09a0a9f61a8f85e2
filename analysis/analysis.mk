# Eager against lazy sbrk: benchmark, figures and report. Included by the
# top-level Makefile.
#
#   make bench           boot headless and run sbrkbench and forkbench on the host clock
#                        and under -icount (ICOUNT=1: icount only; BENCH_CLOCKS="host"
#                        etc.), then record lazytests for the recording figures; results
#                        go to analysis/data/, and forkbench's goal lines to the terminal
#                        (analysis/run-bench.sh; BENCH_PARTS="fork" runs forkbench only,
#                        any of sbrk fork record profile; forkbench boots with 256 MiB)
#   make analysis        every figure from the committed data, into analysis/figures/
#                        (PNG and SVG; the flame graphs of fault chains SVG only), and
#                        analysis/figures/numbers.csv, the numbers analysis/REPORT.md
#                        quotes; first a warning for each data file measured on a
#                        commit before kernel/ or tracing/ last changed, naming the
#                        files (analysis/stale_data.sh, analysis/data/measured-on.txt)
#   make test-analysis   the same into a temporary directory: every figure made and not
#                        empty, every number REPORT.md quotes equal to the data's

ANALYSIS_DIR   = analysis
FIGURES_DIR   ?= $(ANALYSIS_DIR)/figures
# Debian's python3 has matplotlib; a python3 earlier on PATH (pyenv) may not.
PLOT_PYTHON   ?= /usr/bin/python3
GNUPLOT       ?= gnuplot
BENCH_REPEATS ?= 21   # sbrkbench's most: short host-clock cases need them (REPORT, section 8)
BENCH_PARTS   ?= sbrk fork record
ifeq ($(ICOUNT),1)
BENCH_CLOCKS  ?= icount
else
BENCH_CLOCKS  ?= host icount
endif

.PHONY: bench analysis test-analysis deps-analysis

# gnuplot and matplotlib: Debian packages; install them if missing (root), else say how.
deps-analysis:
	@command -v $(GNUPLOT) >/dev/null 2>&1 && $(PLOT_PYTHON) -c 'import matplotlib' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends gnuplot-nox python3-matplotlib; \
	  else \
	    echo "install gnuplot-nox and python3-matplotlib (apt-get install gnuplot-nox python3-matplotlib)" >&2; \
	    exit 1; \
	  fi; }

bench: deps kernel/kernel fs.img $(HOST_TOOLS)
	sh $(ANALYSIS_DIR)/run-bench.sh --clocks "$(BENCH_CLOCKS)" -n $(BENCH_REPEATS) --cpus $(CPUS) \
	  --parts "$(BENCH_PARTS)"

analysis: deps-analysis
	sh $(ANALYSIS_DIR)/make-figures.sh $(FIGURES_DIR)

test-analysis: deps-analysis
	$(PYTHON) $(ANALYSIS_DIR)/test_analysis.py
