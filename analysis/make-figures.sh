#!/bin/sh
# make analysis: every figure from the stored data, one command.
#
#   analysis/make-figures.sh [OUTDIR]      (default analysis/figures)
#
# 0. analysis/stale_data.sh: a warning for each data file measured before kernel/ or
#    tracing/ last changed, naming the files (the figures are still made);
# 1. analysis/derive.py: the numbers REPORT.md quotes -> OUTDIR/numbers.csv, and the same
#    as gnuplot variables -> OUTDIR/numbers.gp (the density figure marks the crossover);
# 2. gnuplot: sbrk_latency, density (from analysis/data/sbrkbench-*.csv); fork_latency
#    (copy-on-write against copying fork, from analysis/data/forkbench-*.csv);
# 3. matplotlib: fault_latency, resident_vs_virtual, faults_per_cpu (from the recording's
#    summaries, analysis/data/lazytests-*.csv); fault_sites (faults by code site in
#    lazytests and usertests, analysis/data/fault-sites.csv);
# 4. tools/report/flame_graph.py: fault_flame, the flame graph of the same recordings'
#    folded stacks (analysis/data/fault-chains-*.folded), and fault_flame_failed, the
#    faults among them that failed (killed or refused); SVG only.
# Each figure but the flame graphs is written as PNG and SVG. DATA, PYTHON, PLOT_PYTHON (a python3 with
# matplotlib: Debian's /usr/bin/python3) and GNUPLOT may be set in the environment.
set -eu
cd "$(dirname "$0")/.." || exit 2

OUT=${1:-analysis/figures}
DATA=${DATA:-analysis/data}
PYTHON=${PYTHON:-python3}
PLOT_PYTHON=${PLOT_PYTHON:-/usr/bin/python3}
GNUPLOT=${GNUPLOT:-gnuplot}

mkdir -p "$OUT"
sh analysis/stale_data.sh "$DATA"
"$PYTHON" analysis/derive.py "$DATA" "$OUT/numbers.csv" "$OUT/numbers.gp"
"$GNUPLOT" -e "datadir='$DATA'; outdir='$OUT'" analysis/sbrk_latency.gp
"$GNUPLOT" -e "datadir='$DATA'; outdir='$OUT'; numbers='$OUT/numbers.gp'" analysis/density.gp
"$GNUPLOT" -e "datadir='$DATA'; outdir='$OUT'" analysis/fork_latency.gp
"$PLOT_PYTHON" analysis/recording_figures.py "$DATA" "$OUT"
"$PLOT_PYTHON" analysis/fault_sites_figure.py "$DATA" "$OUT"
chains=$(mktemp)
trap 'rm -f "$chains"' EXIT
cat "$DATA"/fault-chains-*.folded > "$chains"
"$PYTHON" tools/report/flame_graph.py "$chains" -o "$OUT/fault_flame.svg" \
  --title "lazytests and usertests"
grep -hE ';\[(killed|refused)\] [0-9]+$' "$DATA"/fault-chains-*.folded > "$chains"
"$PYTHON" tools/report/flame_graph.py "$chains" -o "$OUT/fault_flame_failed.svg" \
  --title "lazytests and usertests, the faults that failed"
echo "analysis: figures in $OUT/ (PNG and SVG), numbers in $OUT/numbers.csv"
