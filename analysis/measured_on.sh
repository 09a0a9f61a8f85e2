# Sourced by the benches that write analysis/data/: which commit a data file describes,
# kept in measured-on.txt beside it, which analysis/stale_data.sh reads to warn about
# data older than the kernel it draws.
#
#   commit=$(measured_commit)                  before the bench boots anything
#   note_measured_on DIR/FILE.csv "$commit"    after FILE.csv is complete

# The commit the kernel and fs.img are built from, short; a trailing + marks uncommitted
# changes under kernel/, tracing/ or user/. Empty outside a git checkout.
measured_commit() {
  c=$(git rev-parse --short HEAD 2>/dev/null) || return 0
  git status --porcelain -uno -- kernel tracing user 2>/dev/null | grep -q . && c="$c+"
  echo "$c"
}

# Record that FILE was measured on COMMIT (nothing when COMMIT is empty), replacing the
# file's previous line in measured-on.txt.
note_measured_on() {
  [ -n "$2" ] || return 0
  list=$(dirname "$1")/measured-on.txt
  name=$(basename "$1")
  { grep -v "^$name " "$list" 2>/dev/null; echo "$name $2"; } > "$list.tmp" &&
    mv "$list.tmp" "$list"
}
