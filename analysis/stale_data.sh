#!/bin/sh
# make analysis's warning that a figure's data is older than the kernel it describes.
#
#   analysis/stale_data.sh [DATA]     (default analysis/data)
#
# For each data file in DATA (*.csv, *.folded; not DATA/before*/, which hold old kernels'
# figures on purpose) it finds the commit the data was measured on: the file's line in
# DATA/measured-on.txt ("FILE COMMIT", kept by the benches that write DATA), else the last
# commit that changed the file. If kernel/ or tracing/ differ between that commit and HEAD
# it prints a warning naming the files that changed (not tracing/'s Python: the host's
# record reader and its tests, which no kernel is built from). Warnings only: always exits 0, so
# that figures still come out; rerun the bench named in REPORT.md to refresh the data.
set -u
cd "$(dirname "$0")/.." || exit 0
DATA=${1:-analysis/data}
LIST=$DATA/measured-on.txt
git rev-parse --verify -q HEAD > /dev/null 2>&1 || exit 0   # not a git checkout: no history to ask

# "COMMIT NAME" for every data file, then one warning per commit.
for f in "$DATA"/*.csv "$DATA"/*.folded; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  commit=
  [ -f "$LIST" ] && commit=$(awk -v n="$name" '$1 == n { print $2 }' "$LIST" | tail -n 1)
  commit=${commit%+}   # a trailing + marks uncommitted changes on top of the commit
  [ -n "$commit" ] || commit=$(git log -1 --format=%h -- "$f" 2>/dev/null)
  [ -n "$commit" ] && echo "$commit $name"   # none: made in this tree, not yet committed
done | sort | awk '{ files[$1] = files[$1] " " $2 } END { for (c in files) print c files[c] }' |
while read -r commit names; do
  if ! git rev-parse --verify -q "$commit^{commit}" > /dev/null 2>&1; then
    echo "analysis: warning: $names: measured on commit $commit, which this repository does not have" >&2
    continue
  fi
  changed=$(git diff --name-only "$commit" HEAD -- kernel tracing ':!tracing/*.py' | tr '\n' ' ')
  [ -n "$changed" ] || continue
  count=$(echo "$changed" | wc -w)
  shown=$(echo "$changed" | cut -d' ' -f1-6)
  [ "$count" -gt 6 ] && shown="$shown... ($count files)"
  echo "analysis: warning: $names: measured on commit $commit; changed since in kernel/ and tracing/: $shown" >&2
done
exit 0
