#!/bin/sh
# Host tests of fsck and fscat (tools/mkfs): an image mkfs makes is clean and reads back
# byte for byte; each kind of damage, made on a copy by fscorrupt (tests/fscorrupt.c),
# is found and named in one line; an orphan is counted but is no error; a committed log
# is installed before judging; what is not an image is refused. All three tools are built
# here with -fsanitize=address,undefined into build/tools/asan-image/.
#
#   sh tools/mkfs/tests/fsck-tests.sh        (make test-host runs it)
#
# Prints one line per failed check, then "fsck tests: N passed, M failed"; exit 1 if any
# failed.
set -u
: "${HOSTCC:=cc}"
D=build/tools/asan-image
mkdir -p "$D" || exit 1
flags="-Wall -Werror -O1 -g -I. -fsanitize=address,undefined -fno-sanitize-recover=all"
for t in fsck fscat; do
  $HOSTCC $flags -o "$D/$t" tools/mkfs/$t.c tools/mkfs/fsimage.c || exit 1
done
$HOSTCC $flags -o "$D/fscorrupt" tools/mkfs/tests/fscorrupt.c tools/mkfs/fsimage.c &&
  $HOSTCC $flags -o "$D/mkfs" tools/mkfs/mkfs.c || exit 1
passed=0
failed=0
ok() { passed=$((passed + 1)); }
no() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The base image: / is inode 1, README 2, big 3 (20000 bytes: it has an indirect block),
# small 4 (3000 bytes, three blocks).
head -c 20000 /dev/urandom > "$D/big"
head -c 3000 /dev/urandom > "$D/small"
"$D/mkfs" "$D/base.img" README=README.md "$D/big" "$D/small" > /dev/null || exit 1
bsize=$(sed -n 's/^#define BSIZE *\([0-9]*\).*/\1/p' kernel/fs.h)
fsize=$(sed -n 's/^#define FSSIZE *\([0-9]*\).*/\1/p' kernel/param.h)

# field INUM N: word N of fscorrupt's "show" line for INUM (2 type, 4 nlink, 6 size,
# 8.. the addresses); for INUM super, 6 is the bitmap's first block.
field() { "$D/fscorrupt" "$D/base.img" show "$1" | cut -d' ' -f"$2"; }
big0=$(field 3 8) small2=$(field 4 10) root0=$(field 1 8) bmap=$(field super 6)
last=$((fsize - 1))

"$D/fsck" "$D/base.img" > "$D/out" 2> "$D/err"
[ $? -eq 0 ] && grep -q "clean: 3 files, 1 directories, 0 devices, 0 orphans" "$D/out" &&
  ok || no "mkfs's image is clean: $(cat "$D/out" "$D/err")"
"$D/fscat" "$D/base.img" /big | cmp -s - "$D/big" && ok || no "fscat /big gives its bytes"
"$D/fscat" "$D/base.img" //README | cmp -s - README.md && ok || no "fscat //README"

# damaged WHAT TEXT FSCORRUPT-ARGS...: on a copy, after each fscorrupt ARGS (separated
# by ';'), fsck exits 1, says INCONSISTENT, and one of its lines matches TEXT.
damaged() {
  what=$1 text=$2
  shift 2
  cp "$D/base.img" "$D/bad.img"
  echo "$*" | tr ';' '\n' | while read -r args; do
    "$D/fscorrupt" "$D/bad.img" $args || echo "fscorrupt $args failed"
  done
  "$D/fsck" "$D/bad.img" > "$D/out" 2>&1
  rc=$?
  if [ $rc -eq 1 ] && grep -q "INCONSISTENT" "$D/out" && grep -q -- "$text" "$D/out"; then
    ok
  else
    no "$what: exit $rc, wanted a line matching '$text' in: $(cat "$D/out")"
  fi
}
damaged "a used block marked free" "^block $big0: free in the bitmap, but inode 3 holds it" \
  bit "$big0" 0
damaged "a free block marked used" "^block $last: used in the bitmap, but no inode holds it" \
  bit "$last" 1
damaged "metadata marked free" "^block 1: free in the bitmap, but it is metadata" bit 1 0
damaged "a block held by two files" "^block $big0: held twice, by inode 3 and inode 4" \
  inode 4 addr0 "$big0"
damaged "a block held twice by one file, through the indirect block" \
  "^block $big0: held twice, by inode 3 and inode 3" indirect 3 0 "$big0"
damaged "a block outside the data area" "^inode 4: block 5 is outside the data blocks" \
  inode 4 addr1 5
damaged "an indirect block outside the image" "^inode 3: indirect block 99999 is outside" \
  inode 3 addr12 99999
damaged "a link count too high" "^inode 2: link count 2, but 1 directory entries name it" \
  inode 2 nlink 2
damaged "a link count too low" "^inode 2: link count 0, but 1 directory entries name it" \
  inode 2 nlink 0
damaged "a name for a free inode" "^inode 1: entry \"small\" names inode 150, which is free" \
  dirent 1 4 150
damaged "a name beyond the inodes" "^inode 1: entry \"small\" names inode 60000, beyond" \
  dirent 1 4 60000
damaged "a wrong \".\"" "^inode 1: first entry is \".\" -> 2, not \".\" -> 1" dirent 1 0 2
damaged "a wrong \"..\"" "^inode 1: \"..\" names inode 2, but inode 1 names it" dirent 1 1 2
damaged "a file bigger than its blocks" "^inode 4: size 6072, but file block 3 has no disk block" \
  inode 4 size $((3000 + 3 * bsize))
damaged "a file smaller than its blocks" \
  "^inode 4: block $small2 (file block 2) lies past its size 100" inode 4 size 100
damaged "a size beyond MAXFILE" "^inode 3: size 4000000000 is more than MAXFILE" \
  inode 3 size 4000000000
damaged "a directory of part entries" "^inode 1: directory size 70 is not whole entries" \
  inode 1 size 70
damaged "an unknown type" "^inode 4: unknown type 7" inode 4 type 7
damaged "inode 0 in use" "^inode 0: in use" inode 0 type 2
damaged "/ not a directory" "^inode 1 (/): not a directory" inode 1 type 2
damaged "a committed log that damages the bitmap" "^block $root0: free in the bitmap" \
  log 1 "$bmap" 0
damaged "an impossible log header" "^log: log header says 99 blocks" log 99 2 2

# An orphan (no links, nothing names it) is consistent: counted, exit 0.
cp "$D/base.img" "$D/orphan.img"
"$D/fscorrupt" "$D/orphan.img" dirent 1 4 0 && "$D/fscorrupt" "$D/orphan.img" inode 4 nlink 0
"$D/fsck" "$D/orphan.img" > "$D/out" 2>&1
[ $? -eq 0 ] && grep -q "clean: 3 files, 1 directories, 0 devices, 1 orphans" "$D/out" && ok ||
  no "an orphan is counted, not an error: $(cat "$D/out")"

# An orphaned directory (removed while some process's cwd): small becomes an empty
# directory, "." and ".." in its first block, no links, unnamed. Its ".." does not count
# for /: unlink took that link. Its second and third blocks go back to the free list.
cp "$D/base.img" "$D/orphan.img"
small1=$(field 4 9)
for args in "inode 4 type 1" "inode 4 size 32" "dirent 4 0 4 ." "dirent 4 1 1 .." \
            "inode 4 addr1 0" "inode 4 addr2 0" "bit $small1 0" "bit $small2 0" \
            "dirent 1 4 0" "inode 4 nlink 0"; do
  "$D/fscorrupt" "$D/orphan.img" $args
done
"$D/fsck" "$D/orphan.img" > "$D/out" 2>&1
[ $? -eq 0 ] && grep -q "clean: 2 files, 2 directories, 0 devices, 1 orphans" "$D/out" && ok ||
  no "an orphaned directory is counted, not an error: $(cat "$D/out")"
# The same directory still named in / (nlink 1 and a name): then its ".." is a link of /,
# which / does not count.
"$D/fscorrupt" "$D/orphan.img" dirent 1 4 4 && "$D/fscorrupt" "$D/orphan.img" inode 4 nlink 1
"$D/fsck" "$D/orphan.img" > "$D/out" 2>&1
[ $? -eq 1 ] && grep -q "^inode 1: link count 1, but 2 directory entries name it" "$D/out" &&
  ok || no "a directory's .. counts as a link of its parent: $(cat "$D/out")"

# A committed log is installed before judging: a log holding block 1 (the superblock) as
# it is, changes nothing; one naming the bitmap block with its own copy, neither.
cp "$D/base.img" "$D/log.img"
"$D/fscorrupt" "$D/log.img" log 1 1 1
"$D/fsck" "$D/log.img" > "$D/out" 2>&1
[ $? -eq 0 ] && grep -q "installed 1 committed log blocks" "$D/out" && grep -q clean "$D/out" &&
  ok || no "a harmless committed log: $(cat "$D/out")"

# Not an image: one line on stderr, exit 2, nothing on stdout.
refused() {
  what=$1
  shift
  "$D/fsck" "$@" > "$D/out" 2> "$D/err"
  rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l < "$D/err")" -eq 1 ] && [ ! -s "$D/out" ]; then
    ok
  else
    no "fsck $what: exit $rc, stdout: $(cat "$D/out"), stderr: $(cat "$D/err")"
  fi
}
refused "without arguments"
refused "on a missing file" "$D/no-such.img"
refused "on a text file" README.md
head -c $((bsize * 100)) "$D/base.img" > "$D/short.img"
refused "on a truncated image" "$D/short.img"
head -c $((bsize * fsize)) /dev/urandom > "$D/noise.img"
refused "on random bytes" "$D/noise.img"
# The superblock's nlog (its fifth word) says 3: the magic is right, the geometry not.
cp "$D/base.img" "$D/geom.img"
printf '\003\000\000\000' | dd of="$D/geom.img" bs=1 seek=$((bsize + 16)) conv=notrunc 2> /dev/null
refused "on an image of another geometry" "$D/geom.img"

# fscat: a missing file, a path through a file, not absolute; one line, exit 1.
for p in /no-such /README/x README; do
  "$D/fscat" "$D/base.img" "$p" > "$D/out" 2> "$D/err"
  rc=$?
  [ $rc -eq 1 ] && [ "$(wc -l < "$D/err")" -eq 1 ] && [ ! -s "$D/out" ] && ok ||
    no "fscat $p: exit $rc, stderr: $(cat "$D/err")"
done

echo "fsck tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
