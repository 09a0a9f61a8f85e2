#!/bin/sh
# Host tests of the image tools: tools/mkfs (names, NAME=PATH, bad input) and fsfree
# (its counts follow what mkfs put in the image). Both are built here with
# -fsanitize=address,undefined into build/tools/asan-image/.
#
#   sh tools/mkfs/tests/image-tests.sh        (make test-host runs it)
#
# Prints one line per failed check, then "image tests: N passed, M failed"; exit 1 if any
# failed.
set -u
: "${HOSTCC:=cc}"
D=build/tools/asan-image
mkdir -p "$D" || exit 1
flags="-Wall -Werror -O1 -g -I. -fsanitize=address,undefined -fno-sanitize-recover=all"
$HOSTCC $flags -o "$D/mkfs" tools/mkfs/mkfs.c &&
  $HOSTCC $flags -o "$D/fsfree" tools/mkfs/fsfree.c tools/mkfs/fsimage.c ||
  exit 1
passed=0
failed=0
ok() { passed=$((passed + 1)); }
no() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The figures fsfree prints for IMAGE, as "inodes N blocks M".
counts() { "$D/fsfree" "$1" 2> /dev/null; }

head -c 3000 /dev/urandom > "$D/three-blocks"
"$D/mkfs" "$D/a.img" README=README.md > /dev/null || no "mkfs with README=README.md"
"$D/mkfs" "$D/b.img" README=README.md "$D/three-blocks" > /dev/null || no "mkfs with two files"
set -- $(counts "$D/a.img")
ia=$2 ba=$4
set -- $(counts "$D/b.img")
ib=$2 bb=$4
# fs.h: FSINODES inodes, inode 0 unused; the root and README take two.
fsinodes=$(sed -n 's/^#define FSINODES *\([0-9]*\).*/\1/p' kernel/fs.h)
[ "$ia" = $((fsinodes - 3)) ] && ok || no "free inodes with root and README: $ia"
[ "$ib" = $((ia - 1)) ] && ok || no "one more file, one inode fewer: $ia then $ib"
[ "$bb" = $((ba - 3)) ] && ok || no "a 3000-byte file takes three blocks: $ba then $bb"

# README is in the root directory under that name: a dirent's name is DIRSIZ (14) bytes,
# NUL-padded (NULs shown as @ here).
LC_ALL=C tr '\0' '@' < "$D/a.img" > "$D/a.txt"
grep -q 'README@@@@@@@@' "$D/a.txt" && ! grep -q 'README\.md@@@@@' "$D/a.txt" && ok ||
  no "README=README.md names the copy README"

# Bad input: exit 1, one line on stderr, no image left behind (not even an older one).
rejected() {
  what=$1; shift
  rm -f "$D/bad.img"
  "$D/mkfs" "$D/bad.img" "$@" > /dev/null 2> "$D/err"
  rc=$?
  if [ $rc -ne 1 ] || [ "$(wc -l < "$D/err")" -ne 1 ] || [ -e "$D/bad.img" ]; then
    no "mkfs $what: exit $rc, stderr: $(cat "$D/err")"
  else
    ok
  fi
}
rejected "empty NAME" =README.md
rejected "NAME longer than DIRSIZ" abcdefghijklmnop=README.md
rejected "missing file" README=no-such-file
rejected "two files named README" README=README.md README=README.md
rejected "reserved name" ..=README.md

"$D/fsfree" README.md > /dev/null 2> "$D/err"
[ $? -eq 1 ] && [ "$(wc -l < "$D/err")" -eq 1 ] && ok || no "fsfree on a non-image"
"$D/fsfree" > /dev/null 2>&1
[ $? -eq 2 ] && ok || no "fsfree without arguments exits 2"
head -c 100 "$D/a.img" > "$D/short.img"
"$D/fsfree" "$D/short.img" > /dev/null 2> "$D/err"
[ $? -eq 1 ] && [ "$(wc -l < "$D/err")" -eq 1 ] && ok || no "fsfree on a truncated image"

echo "image tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
